"""The regional report: figures from a mix of statuses, XLSX and PDF output, the submit / accept /
return workflow with its permissions, and the late flag in the region's own time zone."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from qualityweek.activities import services
from qualityweek.activities.models import Activity, RegionalReport
from qualityweek.activities.regional import selectors as regional_selectors
from qualityweek.activities.regional import services as regional
from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.core.text import MONTHS_GENITIVE
from qualityweek.directory.models import Organisation, Role
from tests import factories as f

NASTY = 'Урок #1: $100 *звёзды* _и_ [скобки] \\ "кавычки" <метка> @ссылка // #set page(width: 1cm)'
FORMULA = '=HYPERLINK("http://evil.example/","жми")'


def url(name: str, campaign, code: str = "43", sector: str = "education") -> str:
    return reverse(name, kwargs={"year": campaign.year, "code": code, "sector": sector})


def flat(text: str) -> str:
    return " ".join(text.split())


def squash(text: str) -> str:
    """Without any whitespace: a table cell may wrap a long word (a URL) where the text has no space."""
    return "".join(text.split())


@pytest.fixture
def mix(world, campaign, make_activity):
    """Kirov education: 2 approved at two schools, 1 submitted, 1 returned, 1 cancelled, 1 planned;
    plus a business report and a Moscow report that must not leak in."""
    second = f.organisation("43", name="МБОУ Гимназия № 2")
    f.user(Role.ORG_REP, org=second, email="gym2@example.ru")
    f.organisation("43", name="Закрытая школа", status=Organisation.Status.CLOSED)
    f.organisation("43", name="Школа на рассмотрении", status=Organisation.Status.PENDING)
    rep2 = second.people.get().user
    a1 = make_activity(status="approved", pupils_5_9=75, teachers=3)
    a2 = make_activity(second, by=rep2, type_code="class_hour", status="approved", pupils_1_4=40, parents=10)
    a3 = make_activity(status="submitted", pupils_10_11=20)
    make_activity(status="returned", pupils_5_9=1000)
    cancelled = make_activity()
    Activity.objects.filter(pk=cancelled.pk).update(status=Activity.Status.CANCELLED, pupils_5_9=500)
    make_activity()  # planned
    make_activity(world.kirov_company, type_code="open_day", status="approved", customers=300)
    moscow = make_activity(world.moscow_school, by=f.user(Role.ORG_REP, org=world.moscow_school),
                           status="submitted", pupils_5_9=999)
    services.approve(actor=Actor(user=world.moscow_edu), activity=moscow)
    Activity.objects.filter(pk=a2.pk).update(title=NASTY)
    Activity.objects.filter(pk=a1.pk).update(title=FORMULA)
    return {"approved": [a1, a2], "submitted": a3}


# --- figures ------------------------------------------------------------------------------------------

def test_totals_count_approved_and_show_submitted_separately(world, campaign, mix):
    s = regional_selectors.summary(campaign=campaign, region=world.kirov_school.region, sector="education")
    assert s.approved_count == 2
    assert s.submitted_count == 1
    assert s.approved_by_category == {"pupils_1_4": 40, "pupils_5_9": 75, "pupils_10_11": 0, "students": 0,
                                      "teachers": 3, "parents": 10, "employees": 0, "customers": 0}
    assert s.submitted_by_category["pupils_10_11"] == 20
    assert s.submitted_participants == 20
    assert s.approved_participants == 128  # returned (1000) and cancelled (500) are not counted
    by_type = {t.name: (t.approved, t.approved_participants, t.submitted, t.submitted_participants) for t in s.types}
    assert by_type == {"Урок качества": (1, 78, 1, 20), "Тематический классный час": (1, 50, 0, 0)}
    assert [a.pk for a in s.activities] == sorted([a.pk for a in mix["approved"]],
                                                  key=lambda pk: Activity.objects.get(pk=pk).organisation.name)


def test_organisations_taking_part_out_of_registered_active(world, campaign, mix):
    s = regional_selectors.summary(campaign=campaign, region=world.kirov_school.region, sector="education")
    # Kirov education: kirov_school, gymnasium 2 (active); the closed and the pending school do not count.
    assert s.organisations_registered == 2
    assert s.organisations_taking_part == 2
    assert s.organisations_pending == 0
    business = regional_selectors.summary(campaign=campaign, region=world.kirov_school.region, sector="business")
    assert (business.organisations_taking_part, business.organisations_registered) == (1, 1)
    assert business.approved_by_category["customers"] == 300


def test_organisation_with_only_a_submitted_report_is_pending_not_taking_part(world, campaign, make_activity):
    make_activity(status="submitted")
    s = regional_selectors.summary(campaign=campaign, region=world.kirov_school.region, sector="education")
    assert (s.organisations_taking_part, s.organisations_pending, s.organisations_registered) == (0, 1, 1)


def test_report_page_query_count_does_not_grow_with_activities(client, world, campaign, make_activity):
    client.force_login(world.kirov_edu)
    make_activity(status="approved")
    client.post(url("regional_report_start", campaign))  # the coordinator starts the draft
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("regional_report_detail", campaign)).status_code == 200
    for _ in range(6):
        make_activity(status="approved")
    make_activity(type_code="class_hour", status="submitted")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("regional_report_detail", campaign)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- pages --------------------------------------------------------------------------------------------

def test_detail_page_shows_totals_and_escapes_titles(client, world, campaign, mix):
    client.force_login(world.kirov_edu)
    response = client.get(url("regional_report_detail", campaign))
    html = response.content.decode()
    assert "Отчёт о проведении Недели качества и Дня качества в" in html
    assert "Образовательные организации Кировской области" in html
    assert "&lt;метка&gt;" in html
    assert "<метка>" not in html
    assert "Приняли участие <strong>2</strong> организации из 2" in html
    assert response.context["s"].approved_participants == 128
    assert not RegionalReport.objects.exists()  # reading the report starts nothing


def test_operator_board_lists_every_region_and_sector(client, world, campaign, mix):
    regional.submit_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=world.kirov_school.region,
                           sector="education")
    client.force_login(world.editor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("regional_report_list"), {"year": campaign.year})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 89 * 2
    kirov = {r.sector: r for r in rows if r.region.code == "43"}
    assert kirov["education"].state == "submitted"
    assert kirov["education"].approved == 2
    assert kirov["education"].submitted == 1
    assert kirov["education"].participants == 128
    assert (kirov["education"].taking_part, kirov["education"].registered) == (2, 2)
    assert kirov["business"].state == "not_started"
    assert kirov["business"].approved == 1
    assert len(queries) < 20
    submitted_only = client.get(reverse("regional_report_list"), {"year": campaign.year, "status": "submitted"})
    assert [(r.region.code, r.sector) for r in submitted_only.context["rows"]] == [("43", "education")]
    assert "Отчёты регионов" in response.content.decode()


def test_coordinator_board_shows_only_own_region_and_sector(client, world, campaign, mix):
    client.force_login(world.kirov_business)
    rows = client.get(reverse("regional_report_list")).context["rows"]
    assert [(r.region.code, r.sector) for r in rows] == [("43", "business")]


def test_organisation_rep_has_no_report_board(client, world, campaign):
    client.force_login(world.school_rep)
    assert client.get(reverse("regional_report_list")).status_code == 403
    assert client.get(url("regional_report_detail", campaign)).status_code == 404


@pytest.mark.parametrize("path", [("43", "government"), ("99", "education"), ("43", "nonsense")])
def test_unknown_region_or_sector_is_404(client, world, campaign, path):
    client.force_login(world.operator)
    assert client.get(url("regional_report_detail", campaign, *path)).status_code == 404


def test_foreign_report_is_404_for_coordinator(client, world, campaign, mix):
    client.force_login(world.moscow_edu)
    for name in ("regional_report_detail", "regional_report_xlsx", "regional_report_pdf"):
        assert client.get(url(name, campaign)).status_code == 404, name
    assert client.post(url("regional_report_submit", campaign)).status_code == 404
    assert not RegionalReport.objects.exists()
    with pytest.raises(Http404):
        regional_selectors.report_for(world.moscow_edu, year=campaign.year, region_code="43", sector="education")


# --- XLSX and PDF -------------------------------------------------------------------------------------

def test_xlsx_reopens_with_the_figures_and_text_stays_text(client, world, campaign, mix):
    client.force_login(world.kirov_edu)
    response = client.get(url("regional_report_xlsx", campaign))
    assert response.status_code == 200
    name = f"regional-report-{campaign.year}-43-education.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["Итоги", "По типам", "Мероприятия"]
    totals = book.get_sheet_by_name("Итоги").to_python()
    assert totals[0][0] == f"Отчёт о проведении Недели качества и Дня качества в {campaign.year} году"
    assert totals[1][0] == "Образовательные организации Кировской области"
    by_label = {row[0]: row[1:3] for row in totals[5:]}
    assert by_label["Учащиеся 5–9 классов"] == [75, 0]
    assert by_label["Учащиеся 10–11 классов"] == [0, 20]
    assert by_label["Всего участников"] == [128, 20]
    assert by_label["Мероприятий"] == [2, 1]
    assert by_label["Организаций приняли участие (с принятыми отчётами)"][0] == 2
    assert by_label["Зарегистрировано действующих организаций"][0] == 2
    types = book.get_sheet_by_name("По типам").to_python()
    assert ["Урок качества", 1, 78, 1, 20] in types
    rows = book.get_sheet_by_name("Мероприятия").to_python()
    assert len(rows) == 3
    titles = {r[4] for r in rows[1:]}
    assert titles == {NASTY, FORMULA}  # a formula-looking title is a plain string, not a formula
    lesson = next(r for r in rows[1:] if r[4] == FORMULA)
    assert lesson[1] == "МБОУ СОШ № 1 г. Кирова"
    assert lesson[5] == campaign.quality_day
    assert lesson[-2] == 78
    assert lesson[-1] == "https://school1.example.ru/news/1"


def test_pdf_has_title_region_totals_and_nasty_title(client, world, campaign, mix):
    client.force_login(world.operator)
    response = client.get(url("regional_report_pdf", campaign))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = flat("\n".join(page.extract_text() for page in reader.pages))
    assert f"Отчёт о проведении Недели качества и Дня качества в {campaign.year} году" in text
    assert "Образовательные организации Кировской области" in text
    assert "Регион: Кировская область (код 43)" in text
    assert "Всего участников 128 20" in text
    assert "Мероприятий 2 1" in text
    assert "Приняли участие 2 организации из 2 зарегистрированных действующих (100 %)" in text
    assert squash(NASTY) in squash(text)
    assert squash(FORMULA) in squash(text)
    assert "https://school1.example.ru/news/1" in squash(text)
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts, fonts
    assert all("LiberationSerif" in name for name in fonts), fonts


def test_pdf_date_uses_russian_month_and_nbsp(world, campaign, mix):
    from qualityweek.activities.regional.pdf import _data

    s = regional_selectors.summary(campaign=campaign, region=world.kirov_school.region, sector="education")
    facts = dict(_data(s, None)["facts"])
    d = campaign.report_deadline
    assert facts["Срок отчёта"] == f"{d.day}\u00a0{MONTHS_GENITIVE[d.month - 1]} {d.year}\u00a0г."
    assert facts["Статус"] == "не начат"


def test_pdf_of_an_empty_report(client, world, campaign):
    client.force_login(world.kirov_business)
    response = client.get(url("regional_report_pdf", campaign, sector="business"))
    text = flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages))
    assert "Принятых мероприятий пока нет." in text
    assert "Мероприятий 0 0" in text


# --- workflow -----------------------------------------------------------------------------------------

def test_coordinator_submits_with_a_snapshot_and_audit(client, world, campaign, mix):
    client.force_login(world.kirov_edu)
    response = client.post(url("regional_report_submit", campaign))
    assert response.status_code == 302
    report = RegionalReport.objects.get(region__code="43", sector="education")
    assert report.status == "submitted"
    assert report.submitted_by == world.kirov_edu
    assert not report.is_late
    assert report.totals["approved"]["participants"] == 128
    assert report.totals["submitted"]["activities"] == 1
    assert report.totals["organisations"] == {"taking_part": 2, "pending": 0, "registered": 2}
    entry = AuditEntry.objects.get(action="regional_report.submit")
    assert entry.actor == world.kirov_edu
    assert entry.after["status"] == "submitted"
    # A second click changes nothing.
    client.post(url("regional_report_submit", campaign))
    assert AuditEntry.objects.filter(action="regional_report.submit").count() == 1


def test_operator_accepts(client, world, campaign, mix):
    regional.submit_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=world.kirov_school.region,
                           sector="education")
    client.force_login(world.operator)
    page = client.get(url("regional_report_detail", campaign))
    assert page.context["may_accept"]
    assert not page.context["may_submit"]
    assert client.post(url("regional_report_accept", campaign)).status_code == 302
    report = RegionalReport.objects.get()
    assert report.status == "accepted"
    assert report.reviewed_at is not None
    assert AuditEntry.objects.filter(action="regional_report.accept", actor=world.operator).exists()
    with pytest.raises(ValidationError):
        regional.submit_report(actor=Actor(user=world.kirov_edu), campaign=campaign,
                               region=world.kirov_school.region, sector="education")


def test_return_needs_a_comment_then_coordinator_resubmits(client, world, campaign, mix):
    regional.submit_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=world.kirov_school.region,
                           sector="education")
    client.force_login(world.operator)
    response = client.post(url("regional_report_return", campaign), {"comment": "   "})
    assert response.status_code == 400
    assert "Напишите, что нужно исправить" in response.content.decode()
    assert RegionalReport.objects.get().status == "submitted"
    response = client.post(url("regional_report_return", campaign), {"comment": "Нет данных по колледжам."})
    assert response.status_code == 302
    report = RegionalReport.objects.get()
    assert report.status == "returned"
    assert report.comment == "Нет данных по колледжам."
    entry = AuditEntry.objects.get(action="regional_report.return")
    assert entry.before["status"] == "submitted"
    assert entry.after["comment"] == "Нет данных по колледжам."

    client.force_login(world.kirov_edu)
    page = client.get(url("regional_report_detail", campaign)).content.decode()
    assert "Нет данных по колледжам." in page
    assert "Отправить исправленный отчёт" in page
    client.post(url("regional_report_submit", campaign))
    assert RegionalReport.objects.get().status == "submitted"
    assert AuditEntry.objects.filter(action="regional_report.submit").count() == 2


def test_only_operator_admin_accepts_and_only_own_coordinator_submits(world, campaign, mix):
    region = world.kirov_school.region
    with pytest.raises(PermissionDenied):
        regional.submit_report(actor=Actor(user=world.operator), campaign=campaign, region=region, sector="education")
    with pytest.raises(PermissionDenied):
        regional.submit_report(actor=Actor(user=world.kirov_business), campaign=campaign, region=region,
                               sector="education")
    with pytest.raises(PermissionDenied):
        regional.submit_report(actor=Actor(user=world.school_rep), campaign=campaign, region=region,
                               sector="education")
    report = regional.submit_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=region,
                                    sector="education")
    for user in (world.editor, world.kirov_edu, world.moscow_edu):
        with pytest.raises(PermissionDenied):
            regional.accept_report(actor=Actor(user=user), report=report)
        with pytest.raises(PermissionDenied):
            regional.return_report(actor=Actor(user=user), report=report, comment="нет")
    assert RegionalReport.objects.get().status == "submitted"


def test_cannot_accept_a_draft_or_a_report_never_started(world, campaign):
    region = world.kirov_school.region
    unsaved = RegionalReport(campaign=campaign, region=region, sector="education")
    with pytest.raises(ValidationError):
        regional.accept_report(actor=Actor(user=world.operator), report=unsaved)
    draft = regional.start_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=region,
                                  sector="education")
    assert regional.start_report(actor=Actor(user=world.kirov_edu), campaign=campaign, region=region,
                                 sector="education").pk == draft.pk
    with pytest.raises(ValidationError, match="только отправленный"):
        regional.accept_report(actor=Actor(user=world.operator), report=draft)
    with pytest.raises(ValidationError, match="только отправленный"):
        regional.return_report(actor=Actor(user=world.operator), report=draft, comment="Почему?")
    assert AuditEntry.objects.filter(action="regional_report.start").count() == 1


def test_operator_opening_a_report_does_not_start_it(client, world, campaign):
    client.force_login(world.operator)
    assert client.get(url("regional_report_detail", campaign)).status_code == 200
    assert not RegionalReport.objects.exists()


def test_accept_of_a_draft_through_the_page_is_a_message_not_a_500(client, world, campaign):
    client.force_login(world.kirov_edu)
    client.post(url("regional_report_start", campaign))
    client.force_login(world.operator)
    response = client.post(url("regional_report_accept", campaign), follow=True)
    assert response.status_code == 200
    assert "Принять можно только отправленный отчёт" in response.content.decode()
    assert RegionalReport.objects.get().status == "draft"


# --- deadline in the region's own time zone -------------------------------------------------------------

@pytest.fixture
def kamchatka_edu(db):
    return f.user(Role.COORDINATOR, region_code="41", sector="education", email="kam.edu@example.ru")


@pytest.fixture
def kaliningrad_edu(db):
    return f.user(Role.COORDINATOR, region_code="39", sector="education", email="kgd.edu@example.ru")


def test_late_flag_uses_the_regions_time_zone(world, campaign, kamchatka_edu, kaliningrad_edu):
    deadline = campaign.report_deadline
    # 13:00 UTC on the deadline day is already 01:00 the next day in Kamchatka (UTC+12),
    # but still 15:00 in Kaliningrad (UTC+2).
    moment = dt.datetime.combine(deadline, dt.time(13, 0), tzinfo=dt.UTC)
    kam = regional.submit_report(actor=Actor(user=kamchatka_edu), campaign=campaign, region=f.region("41"),
                                 sector="education", now=moment)
    kgd = regional.submit_report(actor=Actor(user=kaliningrad_edu), campaign=campaign, region=f.region("39"),
                                 sector="education", now=moment)
    assert kam.is_late
    assert not kgd.is_late
    # One minute before midnight in Kamchatka is in time.
    in_time = dt.datetime.combine(deadline, dt.time(23, 59), tzinfo=ZoneInfo("Asia/Kamchatka"))
    RegionalReport.objects.filter(pk=kam.pk).update(status="returned")
    kam = regional.submit_report(actor=Actor(user=kamchatka_edu), campaign=campaign, region=f.region("41"),
                                 sector="education", now=in_time)
    assert not kam.is_late


def test_regional_extension_moves_the_deadline(world, campaign, kamchatka_edu):
    campaign_services.set_regional_window(actor=Actor(user=world.operator), campaign=campaign, region=f.region("41"),
                                          deadline=campaign.report_deadline + dt.timedelta(days=5),
                                          reason="Паводок")
    campaign.refresh_from_db()
    moment = dt.datetime.combine(campaign.report_deadline + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC)
    report = regional.submit_report(actor=Actor(user=kamchatka_edu), campaign=campaign, region=f.region("41"),
                                    sector="education", now=moment)
    assert not report.is_late


def test_late_submission_is_flagged_on_the_board(client, world, campaign, kamchatka_edu):
    moment = dt.datetime.combine(campaign.report_deadline, dt.time(13, 0), tzinfo=dt.UTC)
    regional.submit_report(actor=Actor(user=kamchatka_edu), campaign=campaign, region=f.region("41"),
                           sector="education", now=moment)
    client.force_login(world.operator)
    response = client.get(reverse("regional_report_list"))
    assert response.context["late"] == 1
    assert "с опозданием" in response.content.decode()


def test_nav_item_for_operators_and_coordinators_only(client, world, campaign):
    for user, shown in ((world.operator, True), (world.kirov_edu, True), (world.school_rep, False)):
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert ("Отчёты регионов" in html) is shown, user


# --- no writes on GET -----------------------------------------------------------------------------------

def test_opening_a_report_writes_nothing_starting_it_is_a_post(client, world, campaign):
    client.force_login(world.kirov_edu)
    audited = AuditEntry.objects.count()
    page = client.get(url("regional_report_detail", campaign))
    assert page.status_code == 200
    assert not RegionalReport.objects.exists()
    assert AuditEntry.objects.count() == audited
    html = page.content.decode()
    assert "Начать отчёт" in html
    assert url("regional_report_start", campaign) in html
    response = client.post(url("regional_report_start", campaign))
    assert response.status_code == 302
    assert response["Location"] == url("regional_report_detail", campaign)
    report = RegionalReport.objects.get()
    assert (report.status, report.region.code, report.sector) == ("draft", "43", "education")
    assert AuditEntry.objects.filter(action="regional_report.start").count() == 1
    assert "Начать отчёт" not in client.get(url("regional_report_detail", campaign)).content.decode()
    client.post(url("regional_report_start", campaign))  # a second click changes nothing
    assert RegionalReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="regional_report.start").count() == 1


def test_only_the_coordinator_starts_a_report(client, world, campaign):
    for user in (world.operator, world.kirov_business, world.school_rep):
        client.force_login(user)
        assert client.post(url("regional_report_start", campaign)).status_code in {403, 404}
        assert "Начать отчёт" not in client.get(url("regional_report_detail", campaign)).content.decode()
    assert not RegionalReport.objects.exists()


def test_pdf_strips_control_characters_from_titles(client, world, campaign, mix):
    # (no NUL here: PostgreSQL refuses it in text)
    Activity.objects.filter(pk=mix["approved"][0].pk).update(title="Урок\x01 качества\x0b\x1b для\x07 всех")
    client.force_login(world.operator)
    response = client.get(url("regional_report_pdf", campaign))
    assert response.status_code == 200
    text = flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages))
    assert "Урок качества для всех" in text
    assert not {chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} & set(text)
