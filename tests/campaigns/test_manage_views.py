"""The operator's campaign pages: every view path, bad input shown by field with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from qualityweek.campaigns import services
from qualityweek.campaigns.models import Campaign, RegionalWindow
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory.models import Region

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def c2027(world):
    return services.create_campaign(actor=Actor(user=world.operator), year=2027, motto="Девиз 2027")


@pytest.fixture
def op(client, world):
    client.force_login(world.operator)
    return client


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_every_year_with_its_phase(op, c2027):
    services.create_campaign(actor=Actor.system(), year=2025, motto="Прошлый", phase="closed")
    html = page(op.get(reverse("campaign_manage")))
    assert "Девиз 2027" in html
    assert "Подготовка" in html
    assert "Завершена" in html
    assert html.index("2027") < html.index("2025")
    assert "8–14\u00a0ноября 2027\u00a0г." in html
    assert "15\u00a0декабря 2027\u00a0г." in html


def test_the_menu_links_the_operator_only(client, world):
    url = reverse("campaign_manage")
    client.force_login(world.operator)
    assert f'href="{url}"' in page(client.get("/"))
    for user in (world.editor, world.kirov_edu, world.school_rep):
        client.force_login(user)
        assert f'href="{url}"' not in page(client.get("/"))


def test_create_is_prefilled_with_next_year_by_the_rule(op, c2027):
    form = op.get(reverse("campaign_manage_create")).context["form"]
    assert form.initial["year"] == 2028
    assert form.initial["quality_day"] == D(2028, 11, 9)


def test_create_makes_a_draft_and_goes_to_its_page(op):
    response = op.post(reverse("campaign_manage_create"), {
        "year": "2027", "motto": "Качество — это мы", "week_start": "", "week_end": "", "quality_day": "",
        "report_deadline": "2027-12-17"})
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_manage_detail", args=[2027])
    c = Campaign.objects.get(year=2027)
    assert (c.phase, c.motto, c.quality_day, c.report_deadline) == ("draft", "Качество — это мы", D(2027, 11, 11),
                                                                    D(2027, 12, 17))
    assert AuditEntry.objects.filter(action="campaign.create", object_id=str(c.pk)).exists()
    assert "видна только оператору" in page(op.get(response["Location"]))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"year": "2027"}, "year", "Кампания 2027 года уже есть: измените её, а не создавайте заново."),
    ({"year": "две тысячи"}, "year", "Год — это число, например 2027."),
    ({"year": ""}, "year", "Укажите год кампании."),
    ({"year": "1812"}, "year", "Укажите год от 2000 до 2100."),
    ({"year": "2028", "quality_day": "2028-12-01"}, "quality_day",
     "День качества должен приходиться на Неделю качества."),
    ({"year": "2028", "week_start": "2028-11-20", "week_end": "2028-11-13"}, "week_end",
     "Неделя качества не может закончиться раньше, чем началась."),
    ({"year": "2028", "report_deadline": "32.13.2028"}, "report_deadline", "Введите дату, например 12.11.2026."),
])
def test_bad_input_on_create_is_shown_by_field_and_creates_nothing(op, c2027, data, field, message):
    response = op.post(reverse("campaign_manage_create"), data)
    html = page(response)
    assert response.context["form"].errors[field] == [message]
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert list(Campaign.objects.values_list("year", flat=True)) == [2027]


def test_edit_saves_motto_dates_and_the_closed_flag(op, c2027):
    response = op.post(reverse("campaign_manage_detail", args=[2027]), {
        "motto": "Новый девиз", "week_start": "2027-11-08", "week_end": "2027-11-14", "quality_day": "2027-11-11",
        "report_deadline": "2027-12-20", "submissions_closed": "on"})
    assert response.status_code == 302
    c2027.refresh_from_db()
    assert (c2027.motto, c2027.report_deadline, c2027.submissions_closed) == ("Новый девиз", D(2027, 12, 20), True)


def test_a_bad_edit_is_shown_by_field_and_changes_nothing(op, c2027):
    response = op.post(reverse("campaign_manage_detail", args=[2027]), {
        "motto": "Новый девиз", "week_start": "2027-11-08", "week_end": "2027-11-14", "quality_day": "2027-11-11",
        "report_deadline": "2027-11-01"})
    assert response.context["form"].errors["report_deadline"] == [
        "Срок отчётов не может быть раньше конца Недели качества."]
    assert "Новый девиз" in page(response)  # the operator's input is kept for correction
    c2027.refresh_from_db()
    assert (c2027.motto, c2027.report_deadline) == ("Девиз 2027", D(2027, 12, 15))
    response = op.post(reverse("campaign_manage_detail", args=[2027]), {"motto": "x"})
    assert response.context["form"].errors["week_start"] == ["Укажите дату."]


def test_the_detail_page_offers_the_allowed_moves_only(op, c2027):
    html = page(op.get(reverse("campaign_manage_detail", args=[2027])))
    assert "Перевести на этап «Объявлена»" in html
    assert "Вернуть на этап" not in html
    assert "Вернуть её в подготовку будет нельзя" in html
    services.move_phase(actor=Actor.system(), campaign=c2027, phase="announced")
    services.move_phase(actor=Actor.system(), campaign=c2027, phase="running")
    html = page(op.get(reverse("campaign_manage_detail", args=[2027])))
    assert "Перевести на этап «Сбор отчётов»" in html
    assert "Вернуть на этап «Объявлена»" in html


def test_the_phase_moves_from_the_page(op, c2027):
    response = op.post(reverse("campaign_manage_phase", args=[2027]), {"phase": "announced"})
    assert response.status_code == 302
    assert Campaign.objects.get().phase == "announced"
    assert "Этап кампании: «Объявлена»." in page(op.get(response["Location"]))


@pytest.mark.parametrize(("data", "message"), [
    ({"phase": "closed"}, "Из этапа «Подготовка» нельзя перейти к этапу «Завершена»."),
    ({"phase": "nonsense"}, "Выберите этап из списка."),
    ({}, "Обязательное поле."),
])
def test_a_refused_move_is_explained_and_changes_nothing(op, c2027, data, message):
    html = page(op.post(reverse("campaign_manage_phase", args=[2027]), data))
    assert message in html
    assert 'role="alert"' in html
    assert Campaign.objects.get().phase == "draft"


def test_a_window_is_added_edited_and_removed(op, c2027):
    kirov = Region.objects.get(code="43")
    url = reverse("campaign_manage_window", args=[2027])
    assert "Выберите регион" in page(op.get(url))
    response = op.post(url, {"region": kirov.pk, "deadline": "2027-12-22", "reason": "Письмо министерства"})
    assert response.status_code == 302
    window = RegionalWindow.objects.get()
    assert window.deadline == D(2027, 12, 22)
    detail = page(op.get(reverse("campaign_manage_detail", args=[2027])))
    assert "Кировская область" in detail
    assert "22\u00a0декабря 2027\u00a0г." in detail
    form = op.get(url + "?region=43").context["form"]
    assert form.initial["deadline"] == D(2027, 12, 22)
    assert list(form.fields["region"].queryset) == [kirov]
    op.post(url + "?region=43", {"region": kirov.pk, "starts_on": "2027-11-01", "ends_on": "2027-11-20",
                                 "deadline": "2027-12-22", "reason": "Письмо"})
    window.refresh_from_db()
    assert (window.starts_on, window.ends_on, RegionalWindow.objects.count()) == (D(2027, 11, 1), D(2027, 11, 20), 1)
    response = op.post(reverse("campaign_manage_window_delete", args=[2027, window.pk]))
    assert response.status_code == 302
    assert not RegionalWindow.objects.exists()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"deadline": "2027-12-22"}, "region", "Выберите регион."),
    ({"region": "99999", "deadline": "2027-12-22"}, "region", "Выберите регион из списка."),
    ({"region": "KIROV"}, "starts_on", "Укажите даты мероприятий в регионе или продлённый срок отчётов."),
    ({"region": "KIROV", "deadline": "2027-12-01"}, "deadline",
     "Продлить можно только на более поздний срок, чем 15\u00a0декабря 2027\u00a0г."),
    ({"region": "KIROV", "starts_on": "2027-11-20", "ends_on": "2027-11-01"}, "ends_on", "Окончание раньше начала."),
])
def test_a_bad_window_is_shown_by_field_and_saves_nothing(op, c2027, data, field, message):
    kirov = Region.objects.get(code="43")
    data = {k: (kirov.pk if v == "KIROV" else v) for k, v in data.items()}
    response = op.post(reverse("campaign_manage_window", args=[2027]), data)
    assert page(response)
    assert response.context["form"].errors[field] == [message]
    assert not RegionalWindow.objects.exists()


def test_an_unknown_region_or_year_is_a_404(op, c2027):
    assert op.get(reverse("campaign_manage_window", args=[2027]) + "?region=00").status_code == 404
    assert op.get(reverse("campaign_manage_detail", args=[2099])).status_code == 404
    assert op.post(reverse("campaign_manage_window_delete", args=[2027, 12345])).status_code == 404


def test_a_draft_is_a_404_for_others_and_an_announced_one_a_403(client, world, c2027):
    services.create_campaign(actor=Actor.system(), year=2026, phase="running")
    for user in (world.kirov_edu, world.school_rep):
        client.force_login(user)
        assert client.get(reverse("campaign_manage_detail", args=[2027])).status_code == 404
        assert client.post(reverse("campaign_manage_phase", args=[2027]), {"phase": "announced"}).status_code == 404
        assert client.get(reverse("campaign_manage_detail", args=[2026])).status_code == 403
    client.force_login(world.editor)  # the editor sees the draft but may not change it
    response = client.post(reverse("campaign_manage_detail", args=[2027]), {
        "motto": "Чужой", "week_start": "2027-11-08", "week_end": "2027-11-14", "quality_day": "2027-11-11",
        "report_deadline": "2027-12-15"})
    assert response.status_code == 403
    assert Campaign.objects.get(year=2027).motto == "Девиз 2027"


def test_the_admin_shows_campaigns_but_does_not_edit_them(op, c2027):
    url = f"/admin/campaigns/campaign/{c2027.pk}/change/"
    assert op.get(url).status_code == 200
    assert op.get("/admin/campaigns/campaign/add/").status_code == 403
    op.post(url, {"year": 2027, "motto": "Через админку"})
    c2027.refresh_from_db()
    assert c2027.motto == "Девиз 2027"


def test_the_public_campaign_page_links_the_operator_to_the_manage_page(op, c2027):
    html = page(op.get(reverse("campaign_detail", args=[2027])))
    assert f'href="{reverse("campaign_manage_detail", args=[2027])}"' in html
