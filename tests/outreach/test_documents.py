"""The letter of seed 000 (№ 2174-РСК of «22» октября 2024 г.) recreated for the 2026 campaign: the
DOCX re-opened with python-docx and the PDF's text extracted with pypdf carry every requisite of the
original; the template reproduces the 2024 letter; the output is the same bytes on every run."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
import pytest
from pypdf import PdfReader

from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.outreach import placeholders, render, seed_texts, services, tasks
from qualityweek.outreach.content import content_for, parse_body, qr_images, verify_url

# The requisites and paragraphs of seed 000 as the operator's letter has them (the paragraph broken by
# the page is joined; the list's «3.» — a typo for 2 — is written «2.»; the empty «ДИЗАЙН-МАКЕТЫ» link
# becomes a link to the library; the feedback address sits on the paragraph's line).
SEED_000_HEAD = ["119071, Россия, г. Москва,", "ул. Орджоникидзе, д. 12", "+ 7 (495) 777 43 12",
                 "roskachestvo.gov.ru", "Руководителям органов управления образованием",
                 "№ 2174-РСК от «22» октября 2024 г.", "О проведении Недели качества и Дня качества",
                 "Уважаемые коллеги!", "Руководитель", "М.А. Протасов"]
SEED_000_BODY = [
    "Роскачество — национальная система качества России, созданная распоряжением Правительства Российской Федерации №780-р от 30 апреля 2015 г.",  # noqa: E501
    "Основными задачами Роскачества являются повышение качества жизни граждан России, развитие институтов качества и национальной системы качества, популяризация идеологии качества в детской и молодежной среде, рост экономики страны.",  # noqa: E501
    "В соответствии с п.25 Плана первоочередных мероприятий, утвержденного распоряжением № 533-р Правительства Российской Федерации от 29.03.2018 года, на Роскачество возложена задача ежегодного проведения Всемирной недели качества и Дня качества.",  # noqa: E501
    "В 2024 году Неделя качества приходится на период **11-17 ноября**, День качества — на **14 ноября**. Активности этого года пройдут под девизом **«Россия — страна со Знаком качества»**.",  # noqa: E501
    "С каждым годом растет количество субъектов Федерации, присоединяющихся к общенациональному проведению Дня качества. Это общее движение дает возможность рассказать детям и молодежи о качестве выпускаемых товаров или услуг и представить национальную систему качества.",  # noqa: E501
    "Проект Всероссийский урок качества ежегодно проводится Роскачеством в образовательных организациях страны с 2018 года при поддержке Минпромторга России. За 6 лет в нем приняли участие свыше 6 млн учащихся.",  # noqa: E501
    "Активное проведение Дня качества, широкое освещение и общественный резонанс этого события являются не только отражением ключевых направлений государственной политики, имеющих стимулирующий экономический эффект и высокую социальную значимость, но и способствуют овладению юными гражданами страны системой знаний и компетенций в вопросах улучшения качества своей жизни, жизни близких и общества в целом.",  # noqa: E501
    "Предлагаем Вам принять участие в проведении Всемирного дня качества:",
    "1. Оказать содействие в распространении информации о социальной значимости Дня качества на коммуникационных ресурсах образовательных организаций региона (размещение информационного баннера, видеоролика, поздравления с Днем качества);",  # noqa: E501
    "2. Провести на региональном уровне образовательно – просветительские мероприятия, посвященные проблематике качества (**уроки качества, тематические классные часы, квизы, художественные конкурсы, интеллектуальные игры и пр.**).",  # noqa: E501
    "С методическими материалами к проведению образовательно-просветительских мероприятий вы можете ознакомиться:",
    "<https://kachestvo.pro/academy/lessons/>",
    "<https://rskrf.ru/qualityday/>",
    "Дизайн-макеты: {{материалы}}",
    "В срок до 15 декабря 2024 года просим Вас проинформировать Роскачество (предоставить отчет) о проведенных образовательно-просветительских мероприятиях и активностях в образовательных организациях региона. Информация о лучших практиках будет опубликована на информационных ресурсах Роскачества.",  # noqa: E501
    "Почта для обратной связи с ответственными сотрудниками Роскачества tabolova@roskachestvo.gov.ru.",
]
TO_2026 = [("2024 году", "2026 году"), ("11-17 ноября", "9-15 ноября"), ("14 ноября", "12 ноября"),
           ("15 декабря 2024 года", "15 декабря 2026 года"), ("«22» октября 2024 г.", "«22» октября 2026 г.")]


def norm(text: str) -> str:
    """Text without what typesetting changes: spaces, line breaks, hyphenation, dash kinds, markup."""
    text = text.replace("**", "").replace("<", "").replace(">", "")
    return re.sub(r"[\s\u00a0\u00ad\-–—]+", "", text)


def for_2026(text: str) -> str:
    for old, new in TO_2026:
        text = text.replace(old, new)
    return text


@pytest.fixture
def letter_2026(world, operator_sender, templates):
    """The operator recreates the letter of seed 000 for the 2026 campaign from the template."""
    campaign = campaign_services.create_campaign(actor=Actor(user=world.operator), year=2026,
                                                 motto="Россия — страна со Знаком качества", phase="announced")
    actor = Actor(user=world.operator)
    services.save_register(actor=actor, sender=operator_sender, year=2026, pattern="{n}-РСК", next_number=2174)
    letter = services.create_letter(actor=actor, sender=operator_sender, campaign=campaign,
                                    template=templates["education"])
    return services.register_letter(actor=actor, letter=letter, date=dt.date(2026, 10, 22))


def test_the_template_filled_for_2024_is_the_seed_letter(world, operator_sender):
    campaign = campaign_services.create_campaign(actor=Actor(user=world.operator), year=2024,
                                                 motto="Россия — страна со Знаком качества", phase="closed")
    values = placeholders.values_for(campaign, operator_sender)
    filled = parse_body(placeholders.fill(seed_texts.TEMPLATE_EDUCATION, values))
    expected = parse_body(placeholders.fill("\n\n".join(SEED_000_BODY), values))
    assert [norm("".join(r.text for r in p)) for p in filled] == [norm("".join(r.text for r in p)) for p in expected]
    # Bold stays where the letter has it: the dates, the motto, the list of formats.
    bold = [r.text for p in filled for r in p if r.bold]
    assert [norm(b) for b in bold[:3]] == [norm("11–17 ноября"), norm("14 ноября"),
                                           norm("«Россия — страна со Знаком качества»")]


def _requisites(letter) -> list[str]:
    head = [for_2026(x) for x in SEED_000_HEAD]
    body = [for_2026(placeholders.fill(p, placeholders.values_for(letter.campaign, letter.sender)))
            for p in SEED_000_BODY]
    return head + body + ["РОСКАЧЕСТВО", "Таболова Анна Сергеевна", "+7 (495) 777-43-12"]


def test_docx_has_every_requisite_of_the_seed_letter(letter_2026):
    data = render.render_docx(content_for(letter_2026))
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for cell in table._cells]
    text = norm("\n".join(cells + [p.text for p in document.paragraphs]))
    missing = [r for r in _requisites(letter_2026) if norm(r) not in text]
    assert not missing, missing
    assert "{{" not in text
    assert "{%" not in text
    # GOST margins on A4, and the OFL font travels inside the file.
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin, section.right_margin,
             section.top_margin, section.bottom_margin)
    assert tuple(round(x.mm) for x in sizes if x is not None) == (210, 297, 20, 10, 20, 20)
    assert document.styles["Normal"].font.name == "Liberation Serif"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert len([n for n in z.namelist() if n.startswith("word/fonts/")]) == 3
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        # The QR-code requisite is the letter's own code for its check page.
        assert z.read(media[0]) == qr_images(verify_url(letter_2026))[0]
    assert render.crc_ok(data)


def test_pdf_has_every_requisite_of_the_seed_letter(letter_2026):
    data = render.render_pdf(content_for(letter_2026))
    reader = PdfReader(io.BytesIO(data))
    text = norm("\n".join(page.extract_text() for page in reader.pages))
    missing = [r for r in _requisites(letter_2026) if norm(r) not in text]
    assert not missing, missing
    assert "{{" not in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # type: ignore[union-attr]
    assert fonts, fonts
    assert all("LiberationSerif" in f for f in fonts), fonts
    assert reader.metadata is not None
    assert reader.metadata.title == "О проведении Недели качества и Дня качества"


def test_qr_code_requisite_leads_to_the_check_page(client, letter_2026):
    with_qr = render.render_pdf(content_for(letter_2026))
    letter_2026.with_qr = False
    without = render.render_pdf(content_for(letter_2026))
    assert with_qr != without
    page = client.get(verify_url(letter_2026).removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert "Письмо подлинное" in page.content.decode()
    assert "2174-РСК" in page.content.decode()
    forged = client.get(f"/outreach/check/{'x' * 24}/")
    assert forged.status_code == 404
    assert "не найдено" in forged.content.decode()


def test_the_same_letter_is_the_same_bytes(letter_2026):
    content = content_for(letter_2026)
    assert render.render_pdf(content) == render.render_pdf(content)
    assert render.render_docx(content) == render.render_docx(content)


def test_fast_and_naive_docx_carry_the_same_text(letter_2026):
    content = content_for(letter_2026, addressee="Министру образования Кировской области\nИ. И. Иванову",
                          salutation="Уважаемый Иван Иванович!")

    def text(data: bytes) -> str:
        d = docx.Document(io.BytesIO(data))
        return "\n".join([c.text for t in d.tables for c in t._cells] + [p.text for p in d.paragraphs])

    assert text(render.render_docx(content)) == text(render.render_docx_naive(content))
    assert "Уважаемый Иван Иванович!" in text(render.render_docx(content))


def test_markup_in_a_letter_is_printed_as_text(world, campaign, operator_sender):
    body = 'Скобки <b>&amp; "кавычки", #set page(width: 1cm) $x^2$ _курсив_ @ref {{год}}'
    letter = services.create_letter(actor=Actor(user=world.operator), sender=operator_sender, campaign=campaign,
                                    title="Проверка <script>", body=body,
                                    addressee_position="Руководители органов управления образованием")
    content = content_for(letter)
    pdf = norm("".join(p.extract_text() for p in PdfReader(io.BytesIO(render.render_pdf(content))).pages))
    assert norm("#set page(width: 1cm) $x^2$ _курсив_ @ref") in pdf
    assert norm("<b>&amp;") in pdf
    assert norm("Проверка <script>") in pdf
    document = docx.Document(io.BytesIO(render.render_docx(content)))
    assert any("<b>&amp;" in p.text and "#set page" in p.text for p in document.paragraphs)


def test_personal_copies_are_rendered_in_chunks_into_one_zip(world, make_letter, settings, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    from pathlib import Path

    from qualityweek.core.models import Job
    from qualityweek.outreach.models import Dispatch

    monkeypatch.setattr(services, "CHUNK", 2)  # two chunks: the second one packs the ZIP
    letter = make_letter(addressing="personal")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.start_dispatch(actor=Actor(user=world.operator), letter=letter,
                                audience=Dispatch.Audience.ORGANISATIONS)
    assert letter.deliveries.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        job = tasks.start_render(actor=Actor(user=world.operator), letter=letter, formats=("pdf", "docx"))
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 6, 6)
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / job.result_file) as z:
        assert z.testzip() is None  # the chunks' parts joined as they were: every CRC still right
        names = z.namelist()
        assert names == sorted(names)  # listed by name whichever chunk rendered them
        assert len(names) == 6
        assert sum(n.endswith(".pdf") for n in names) == 3
        texts = [norm(PdfReader(io.BytesIO(z.read(n))).pages[0].extract_text()) for n in names if n.endswith(".pdf")]
    # Each copy names its own addressee: a school's head, in the dative.
    assert all(norm("Руководителю") in t for t in texts)
    assert len(set(texts)) == 3


def test_consecutive_copies_each_carry_their_own_addressee(letter_2026, world, operator_sender):
    """The compiler is reused and only the copy's data changes between copies: each PDF must still be
    that copy's (same-length names written in quick succession included), and switching letters back
    and forth gives the same bytes as before."""
    from dataclasses import replace

    base = content_for(letter_2026)
    pdfs = [render.render_pdf(replace(base, addressee=(f"Министру образования № {i:02d}",),
                                      salutation=f"Уважаемый коллега № {i:02d}!")) for i in range(30)]
    for i, pdf in enumerate(pdfs):
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert f"№ {i:02d}" in text.replace("\u00a0", " "), i
    other = services.create_letter(actor=Actor(user=world.operator), sender=operator_sender,
                                   campaign=letter_2026.campaign, title="Другое письмо", body="Другой текст.",
                                   addressee_position="Руководители органов управления образованием")
    first = render.render_pdf(base)
    assert "Другой текст" in PdfReader(io.BytesIO(render.render_pdf(content_for(other)))).pages[0].extract_text()
    assert render.render_pdf(base) == first
