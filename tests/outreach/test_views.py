"""The pages: bad input gets a Russian message next to its field and changes nothing; the materials
library counts downloads and gives each banner a snippet; the requests mailbox takes a question from
anyone and the operator answers it by e-mail."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory.models import Organisation
from qualityweek.outreach import services
from qualityweek.outreach.models import (
    Dispatch,
    Letter,
    LetterTemplate,
    Material,
    Register,
    Request,
    RequestReply,
    Sender,
)


def _errors(response) -> str:
    assert response.status_code == 200, response.status_code  # the form again, never a 500
    return response.content.decode()


@pytest.fixture
def operator_client(client, world):
    client.force_login(world.operator)
    return client


def _letter_post(sender, campaign, **overrides) -> dict:
    data = {"sender": sender.pk, "campaign": campaign.pk, "addressing": "collective",
            "addressee_position": "Руководители органов управления образованием", "salutation": "",
            "title": "О проведении Дня качества", "body": "Просим принять участие в {{год}} году.",
            "signer_position": "Руководитель", "signer_name": "М.А. Протасов", "with_qr": "on"}
    return {**data, **overrides}


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title": "", "body": ""}, "title", "Заполните поле или выберите шаблон."),
    ({"body": "Срок — {{дедлайн}}."}, "body", "Неизвестная подстановка «{{дедлайн}}»"),
    ({"body": "В {{год году."}, "body", "Незакрытая подстановка"),
    ({"addressee_person": "Иванов"}, "addressee_person", "Укажите фамилию, имя и отчество"),
    ({"addressee_position": ""}, "addressee_position", "Укажите адресата"),
    ({"reply_number": "15-02/311"}, "reply_date", "укажите и номер, и дату"),
    ({"reply_date": "32.13.2026"}, "reply_date", "Введите правильную дату"),
    ({"addressing": "everybody"}, "addressing", "Выберите корректный вариант"),
])
def test_bad_letter_input_is_explained_by_field(operator_client, campaign, operator_sender, overrides, field,
                                                message):
    response = operator_client.post(reverse("outreach_letter_create"),
                                    _letter_post(operator_sender, campaign, **overrides))
    page = _errors(response)
    assert message in page
    assert f'id="id_{field}_error"' in page or f'id_{field}' in page
    assert not Letter.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="letter.").exists()


def test_a_good_letter_gets_a_personal_addressee_and_salutation(operator_client, campaign, operator_sender):
    response = operator_client.post(reverse("outreach_letter_create"), _letter_post(
        operator_sender, campaign, addressee_position="Министр образования Кировской области",
        addressee_person="Иванов Иван Иванович"))
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert letter.addressee == "Министру образования Кировской области\nИ.\u00a0И.\u00a0Иванову"
    assert letter.salutation == "Уважаемый Иван Иванович!"
    # A manual addressee wins over the automatic one.
    operator_client.post(reverse("outreach_letter_edit", args=[letter.pk]), _letter_post(
        operator_sender, campaign, addressee_position="Министр образования Кировской области",
        addressee_person="Иванов Иван Иванович", addressee="Министру образования\nКировской области\nИванову И.И.",
        salutation="Уважаемый Иван Иванович!"))
    letter.refresh_from_db()
    assert letter.addressee == "Министру образования\nКировской области\nИванову И.И."
    page = operator_client.get(reverse("outreach_letter_detail", args=[letter.pk])).content.decode()
    assert "Предварительный просмотр" in page
    assert "Иванову И.И." in page


def test_a_foreign_sender_cannot_be_chosen(client, world, authorities, campaign, operator_sender):
    kirov = Organisation.objects.get(region__code="43", authority="education")
    services.save_sender(actor=Actor(user=world.kirov_edu), organisation=kirov, name="МИНИСТЕРСТВО ОБРАЗОВАНИЯ",
                         short_name="Минобразования", address="г. Киров", signer_position="Министр",
                         signer_name="О.Н. Лебедева")
    client.force_login(world.kirov_edu)
    page = _errors(client.post(reverse("outreach_letter_create"), _letter_post(operator_sender, campaign)))
    assert '<p class="error" id="id_sender_error">Выберите корректный вариант.' in page
    assert not Letter.objects.exists()


def test_register_with_a_future_date_is_refused(operator_client, make_letter):
    letter = make_letter(register=False)
    response = operator_client.post(reverse("outreach_letter_register", args=[letter.pk]), {"date": "2099-01-01"},
                                    follow=True)
    assert "будущей датой" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    assert not Register.objects.filter(year=2099).exists()


def test_dispatch_form_errors(operator_client, world, make_letter, django_capture_on_commit_callbacks):
    letter = make_letter()
    url = reverse("outreach_letter_dispatch", args=[letter.pk])
    assert '<p class="error" id="id_audience_error">Обязательное поле.</p>' in _errors(operator_client.post(url, {}))
    # No industry authority exists in this directory: nothing to send to.
    with django_capture_on_commit_callbacks(execute=True):
        page = _errors(operator_client.post(url, {"audience": "industry_authorities"}))
    assert "нет ни одного адресата" in page
    assert not Dispatch.objects.exists()


def test_a_coordinator_is_not_offered_the_national_lists(client, world, kirov_industry_sender, campaign, templates):
    actor = Actor(user=world.kirov_business)
    letter = services.create_letter(actor=actor, sender=kirov_industry_sender, campaign=campaign,
                                    template=templates["cascade_business"])
    letter = services.register_letter(actor=actor, letter=letter)
    client.force_login(world.kirov_business)
    page = _errors(client.post(reverse("outreach_letter_dispatch", args=[letter.pk]),
                               {"audience": "education_authorities"}))
    assert "Выберите корректный вариант" in page
    assert not Dispatch.objects.exists()


def test_template_with_unknown_placeholder_in_the_form(operator_client):
    page = _errors(operator_client.post(reverse("outreach_template_create"), {
        "name": "Новый", "audience": "education", "title": "О проведении {{форум}}", "body": "Текст",
        "is_active": "on"}))
    assert "Неизвестная подстановка «{{форум}}»" in page
    assert not LetterTemplate.objects.exists()


def test_letterhead_with_a_bad_email(client, world, authorities):
    client.force_login(world.kirov_business)
    page = _errors(client.post(reverse("outreach_letterhead"), {
        "name": "МИНИСТЕРСТВО", "short_name": "Минпромторг", "address": "Киров", "email": "prom@",
        "signer_position": "Министр", "signer_name": "А.В. Семёнов"}))
    assert "Введите правильный адрес электронной почты" in page
    assert not Sender.objects.exists()
    ok = client.post(reverse("outreach_letterhead"), {
        "name": "МИНИСТЕРСТВО", "short_name": "Минпромторг", "address": "Киров", "email": "prom@ako.kirov.ru",
        "signer_position": "Министр", "signer_name": "А.В. Семёнов"})
    assert ok.status_code == 302
    assert Sender.objects.get().organisation.authority == "industry"


# --- Materials -----------------------------------------------------------------------------------

def _png(w: int, h: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (11, 78, 162)).save(out, "PNG")
    return out.getvalue()


def test_banner_upload_measures_itself_and_gets_a_snippet(client, operator_client, campaign):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = operator_client.post(reverse("outreach_material_create"), {
        "campaign": campaign.pk, "kind": "banner", "title": "Баннер 728×90", "audiences": ["everyone"],
        "is_published": "on", "upload": SimpleUploadedFile("b.png", _png(728, 90), "image/png")})
    assert response.status_code == 302
    banner = Material.objects.get()
    assert (banner.width, banner.height) == (728, 90)
    client.logout()
    page = client.get(reverse("outreach_materials")).content.decode()
    image = reverse("outreach_material_image", args=[banner.pk])
    assert f"&lt;img src=&quot;http://testserver{image}&quot; width=&quot;728&quot;" in page or \
        f'&lt;img src="http://testserver{image}" width="728"' in page
    assert client.get(image)["Content-Type"] == "image/png"
    download = client.get(reverse("outreach_material_download", args=[banner.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == _png(728, 90)
    client.get(reverse("outreach_material_download", args=[banner.pk]))
    banner.refresh_from_db()
    assert banner.downloads == 2  # the snippet's image does not count, downloads do
    assert "2 скачивания" in client.get(reverse("outreach_materials")).content.decode()


@pytest.mark.parametrize(("data", "field_message"), [
    ({"kind": "banner", "upload": ("b.png", b"not an image")}, "Баннер должен быть изображением"),
    ({"kind": "video"}, "Видео добавляется ссылкой."),
    ({"kind": "lesson_plan", "upload": ("plan.exe", b"MZ")}, "Такой тип файла не принимается"),
    ({"kind": "lesson_plan", "url": "https://kachestvo.pro/", "audiences": []}, "Обязательное поле."),
])
def test_bad_materials_are_refused(operator_client, campaign, data, field_message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    post = {"campaign": campaign.pk, "title": "Материал", "audiences": ["primary"], "is_published": "on", **data}
    if "upload" in data:
        post["upload"] = SimpleUploadedFile(data["upload"][0], data["upload"][1])
    page = _errors(operator_client.post(reverse("outreach_material_create"), post))
    assert field_message in page
    assert not Material.objects.exists()


def test_materials_filter_by_audience_and_kind(client, world, campaign):
    system = Actor.system()
    services.save_material(actor=system, campaign=campaign, kind="video", title="Видео для малышей",
                           url="https://example.ru/v", audiences=["preschool"])
    services.save_material(actor=system, campaign=campaign, kind="lesson_plan", title="План для бизнеса",
                           url="https://example.ru/p", audiences=["business"])
    services.save_material(actor=system, campaign=campaign, kind="lesson_plan", title="Черновик",
                           url="https://example.ru/d", audiences=["business"], is_published=False)
    page = client.get(reverse("outreach_materials") + "?audience=business").content.decode()
    assert "План для бизнеса" in page
    assert "Видео для малышей" not in page
    assert "Черновик" not in page
    page = client.get(reverse("outreach_materials") + "?kind=video&audience=nonsense&campaign=x").content.decode()
    assert "Видео для малышей" in page
    assert "План для бизнеса" not in page
    client.force_login(world.operator)
    assert "Черновик" in client.get(reverse("outreach_materials")).content.decode()


# --- Requests mailbox -------------------------------------------------------------------------------

REQUEST = {"name": "Елена Кузнецова", "email": "school27@example.ru", "organisation_name": "МБОУ СОШ № 27",
           "topic": "mockups", "message": "Пришлите баннер 1920×1080 для экрана в холле.", "consent": "on"}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"email": "school27"}, "Введите правильный e-mail"),
    ({"name": ""}, "Обязательное поле."),
    ({"message": "баннер"}, "не меньше 10 символов"),
    ({"consent": ""}, "Обязательное поле."),
    ({"topic": "spam"}, "Выберите корректный вариант"),
    ({"website": "http://spam.example"}, "Не заполняйте это поле."),
])
def test_bad_requests_are_refused(client, db, overrides, message):
    page = _errors(client.post(reverse("outreach_request_new"), {**REQUEST, **overrides}))
    assert message in page
    assert not Request.objects.exists()


def test_a_request_is_answered_by_email(client, world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outreach_request_new"), REQUEST, follow=True)
    req = Request.objects.get()
    assert f"Обращение № {req.pk} принято" in response.content.decode()
    assert [m["To"] for m in smtp.messages] == ["school27@example.ru"]
    client.force_login(world.operator)
    client.post(reverse("outreach_request_move", args=[req.pk, "take"]))
    req.refresh_from_db()
    assert req.status == Request.Status.IN_PROGRESS
    assert req.assignee == world.operator
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach_request_detail", args=[req.pk]),
                    {"body": "Добрый день! Баннер 1920×1080 — в библиотеке материалов."})
    req.refresh_from_db()
    reply = RequestReply.objects.get()
    assert req.status == Request.Status.ANSWERED
    assert reply.status == RequestReply.Status.SENT
    assert "Баннер 1920×1080" in smtp.bodies()[-1]
    assert f"№ {req.pk}" in str(smtp.messages[-1]["Subject"])
    client.post(reverse("outreach_request_move", args=[req.pk, "close"]))
    req.refresh_from_db()
    assert req.status == Request.Status.CLOSED
    # A closed request takes no more answers until it is taken again.
    page = client.post(reverse("outreach_request_detail", args=[req.pk]), {"body": "Ещё ответ."}).content.decode()
    assert "Обращение закрыто" in page
    assert RequestReply.objects.count() == 1
    assert client.post(reverse("outreach_request_move", args=[req.pk, "delete"])).status_code == 404


def test_a_refused_reply_records_the_smtp_reason(client, world, smtp, django_capture_on_commit_callbacks):
    smtp.refuse.add("school27@example.ru")
    req = services.submit_request(name="Елена", email="school27@example.ru", topic="advice",
                                  message="Как провести урок качества?")
    client.force_login(world.operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach_request_detail", args=[req.pk]), {"body": "Вот так."})
    reply = RequestReply.objects.get()
    assert reply.status == RequestReply.Status.FAILED
    assert "550" in reply.error
    assert "550" in client.get(reverse("outreach_request_detail", args=[req.pk])).content.decode()


def test_the_mailbox_limits_requests_per_address(client, db):
    for i in range(services.REQUESTS_PER_HOUR):
        assert client.post(reverse("outreach_request_new"), {**REQUEST, "email": f"a{i}@example.ru"}).status_code \
            == 302
    page = _errors(client.post(reverse("outreach_request_new"), REQUEST))
    assert "Слишком много обращений" in page
    assert Request.objects.count() == services.REQUESTS_PER_HOUR
