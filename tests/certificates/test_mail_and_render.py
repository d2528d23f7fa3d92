from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from qualityweek.certificates import services
from qualityweek.certificates.kinds import SPECS, Kind
from qualityweek.certificates.models import Certificate
from qualityweek.certificates.morph import dative
from qualityweek.certificates.sources import Holder, Source, Subject
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


@pytest.mark.parametrize(("name", "expected"), [
    ("Иванов Иван Иванович", "Иванову Ивану Ивановичу"),
    ("Петрова Мария Сергеевна", "Петровой Марии Сергеевне"),
    ("Кузьмина-Караваева Елизавета Юрьевна", "Кузьминой-Караваевой Елизавете Юрьевне"),
    ("Черных Ольга Петровна", "Черных Ольге Петровне"),  # an indeclinable surname
    ("Шевчук Андрей Николаевич", "Шевчуку Андрею Николаевичу"),
    ("Шевчук Анна Николаевна", "Шевчук Анне Николаевне"),
    ("Лысенко Пётр Ильич", "Лысенко Петру Ильичу"),
    ("Мамедов Ильхам Гейдар оглы", "Мамедову Ильхаму Гейдар оглы"),
    ("Смирнова Анна", "Смирновой Анне"),
    ("МБОУ СОШ № 5", "МБОУ СОШ № 5"),  # not a name: as it is
    ("Знаток", "Знаток"),
])
def test_dative_of_names(name, expected):
    assert dative(name) == expected


def _certificate(world, kind: str, holder: Holder) -> Certificate:
    source = Source(code=f"tests.{kind}", kind=kind, label="Тест", holders=lambda s: [holder])
    identity = services.Identity(subject_label="Форум «Качество — 2026»",
                                 campaign_line="Всемирная неделя качества 2026 · День качества 12 ноября",
                                 motto="Россия — страна со Знаком качества")
    _, pk = services.issue_one(actor=Actor.system(), source=source, subject_id=7, holder=holder, identity=identity)
    return Certificate.objects.get(pk=pk)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_renders_its_title_holder_number_and_link(world, kind):
    holder = Holder(key="k:1", name="Иванов Иван Иванович", is_person=True, reason="за активное участие",
                    place="II место" if kind == Kind.CONTEST_DIPLOMA else "")
    cert = _certificate(world, kind, holder)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(services.pdf_of(cert))).pages).split())
    assert SPECS[kind].title.upper() in text
    expected = "Иванову Ивану Ивановичу" if kind == Kind.THANKS else "Иванов Иван Иванович"
    assert expected in text
    assert cert.number_text in text
    assert services.verify_url(cert) in text
    assert "М. А. Протасов" in text.replace("\u00a0", " ")
    if kind == Kind.CONTEST_DIPLOMA:
        assert "II МЕСТО" in text


def test_user_text_is_never_typst_markup(world):
    holder = Holder(key="k:2", name='#set page(width: 1cm) $x$ *bold* ]"\\', reason="#panic(\"boom\") [link]")
    cert = _certificate(world, Kind.QUIZ_PLAYERS, holder)
    text = " ".join(PdfReader(io.BytesIO(services.pdf_of(cert))).pages[0].extract_text().split())
    assert "#set page(width: 1cm) $x$ *bold*" in text
    assert '#panic("boom")' in text


def test_mail_over_smtp_with_the_pdf_attached_exactly_once(world, campaign, kirov, smtp,
                                                            django_capture_on_commit_callbacks):
    services.issue(actor=Actor(user=world.kirov_edu), source_code="activities.participation",
                   subject=Subject(subject_id=campaign.pk, region_id=43, sector="education"))
    smtp.refuse.add(kirov["second"].email)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_send(actor=Actor(user=world.kirov_edu), certificates=Certificate.objects.all())
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    cert = Certificate.objects.get(organisation=world.kirov_school)
    assert message["To"] == world.kirov_school.email
    assert cert.number_text in message["Subject"]
    assert message["Message-ID"] == f"<certificate.{cert.public_id}@127.0.0.1>"
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == f"{cert.number_text}.pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    assert cert.number_text in pdf.pages[0].extract_text()
    assert services.verify_url(cert) in message.get_body(("plain",)).get_content()
    cert.refresh_from_db()
    refused = Certificate.objects.get(organisation=kirov["second"])
    assert cert.mail_status == "sent"
    assert refused.mail_status == "failed"
    assert "550" in refused.mail_error
    # Running the same job's work again mails nobody twice (the refused one is tried again, refused again).
    counts = services.send_certificates([cert.pk, refused.pk])
    assert counts["skipped"] == 1
    assert len(smtp.messages) == 1
    # A certificate left «sending» (a worker died mid-send) is not mailed again without a person.
    Certificate.objects.filter(pk=cert.pk).update(mail_status="sending")
    assert services.send_certificates([cert.pk])["skipped"] == 1
    assert len(smtp.messages) == 1
