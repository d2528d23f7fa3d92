"""The contest's services called directly: applications, windows by time zone, recusal, scores, results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qualityweek.contest import selectors, services
from qualityweek.contest.models import ApplicantConflict, Application, Contest, JurorConflict, RoundResult, Score
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory.models import Organisation, Region
from tests import factories as f

from . import helpers as h

S = Application.Status
ANSWERS = {"f_summary": "Неделя открытых дверей для жителей города", "f_people": "250", "f_scale": "Город"}


@pytest.fixture
def contest(world):
    c = h.contest()
    h.point_juror(world, c)
    return c


@pytest.fixture
def nomination(contest):
    return h.nomination(contest)


def _apply(world, nomination, **kw):
    return services.save_application(actor=Actor(user=world.company_rep), nomination=nomination,
                                     organisation=world.kirov_company, title="Дни открытых дверей",
                                     data=kw.pop("data", ANSWERS), **kw)


# --- Applications ------------------------------------------------------------------------------------

def test_apply_edit_submit_withdraw(world, nomination):
    app = _apply(world, nomination)
    assert app.status == S.DRAFT
    assert app.answers["people"] == 250
    app = services.save_application(actor=Actor(user=world.company_rep), nomination=nomination,
                                    organisation=world.kirov_company, title="Дни открытых дверей 2026",
                                    data={**ANSWERS, "f_people": "300"}, application=app)
    app = services.submit_application(actor=Actor(user=world.company_rep), application=app)
    assert app.status == S.SUBMITTED
    assert app.submitted_at
    assert services.submit_application(actor=Actor(user=world.company_rep), application=app).status == S.SUBMITTED
    app = services.withdraw_application(actor=Actor(user=world.company_rep), application=app)
    assert app.status == S.WITHDRAWN
    actions = list(AuditEntry.objects.filter(object_type="contest.Application").values_list("action", flat=True))
    assert actions.count("contest.application.save") == 2
    assert "contest.application.withdraw" in actions


def test_bad_answers_get_a_russian_message_by_field_and_nothing_changes(world, nomination):
    with pytest.raises(ValidationError) as exc:
        _apply(world, nomination, data={"f_summary": "Коротко", "f_people": "много", "f_scale": "Страна",
                                        "f_link": "ftp://x"})
    errors = exc.value.message_dict
    assert errors["f_summary"] == ["Не короче 10 знаков (сейчас 7)."]
    assert errors["f_people"] == ["Введите целое число."]
    assert errors["f_scale"] == ["Выберите вариант из списка."]
    assert "ссылку" in errors["f_link"][0]
    assert not Application.objects.exists()


def test_submitting_needs_every_required_answer(world, nomination):
    app = _apply(world, nomination, data={"f_summary": "Неделя открытых дверей"})
    with pytest.raises(ValidationError) as exc:
        services.submit_application(actor=Actor(user=world.company_rep), application=app)
    assert exc.value.message_dict["f_people"] == ["Заполните это поле."]
    app.refresh_from_db()
    assert app.status == S.DRAFT


def test_only_the_organisations_representative_applies(world, nomination):
    with pytest.raises(PermissionDenied):
        services.save_application(actor=Actor(user=world.school_rep), nomination=nomination,
                                  organisation=world.kirov_company, title="Чужая", data=ANSWERS)
    with pytest.raises(PermissionDenied):
        services.save_application(actor=Actor(user=world.teacher), nomination=nomination,
                                  organisation=world.kirov_school, title="Учитель", data=ANSWERS)


def test_a_nomination_admits_only_its_sectors(world, contest):
    only_schools = services.add_nomination(actor=Actor.system(), contest=contest, title="Школьная",
                                           sectors=["education"], fields=h.FIELDS, criteria=h.CRITERIA)
    with pytest.raises(ValidationError) as exc:
        _apply(world, only_schools)
    assert "не может участвовать" in exc.value.message_dict["nomination"][0]


def test_a_person_nomination_needs_the_nominees_consent(world, contest):
    person = h.nomination(contest, for_person=True)
    with pytest.raises(ValidationError) as exc:
        _apply(world, person, nominee_name="Петров Пётр Петрович")
    assert "согласен" in exc.value.message_dict["nominee_consent"][0]
    app = _apply(world, person, nominee_name="Петров Пётр Петрович", nominee_consent=True)
    assert app.nominee_consent_at is not None
    assert app.applicant == "Петров Пётр Петрович"


def test_attachments_are_checked_by_content_and_size(world, nomination):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        _apply(world, nomination, files={"f_report": fake})
    assert "по содержимому" in exc.value.message_dict["f_report"][0]
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1), content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        _apply(world, nomination, files={"f_report": big})
    assert exc.value.message_dict["f_report"] == ["Файл больше 1 МБ."]
    png = SimpleUploadedFile("slides.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, content_type="application/pdf")
    app = _apply(world, nomination, files={"f_report": png})
    attachment = app.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png")
    attachment.file.close()


def test_applications_close_at_the_end_of_the_day_in_the_applicants_region(world, contest, nomination):
    kamchatka = Organisation.objects.create(name="ООО «Камчатский краб»", kind="manufacturer", sector="business",
                                            region=Region.objects.get(code="41"), municipality="Петропавловск")
    rep = f.user("org_rep", org=kamchatka)
    close = contest.applications_close
    # 20:00 in Moscow on the closing day is already the next day in Kamchatka (UTC+12), not in Kirov.
    evening = dt.datetime.combine(close, dt.time(20, 0), tzinfo=Region.objects.get(code="77").zone)
    _apply(world, nomination, now=evening)
    with pytest.raises(ValidationError) as exc:
        services.save_application(actor=Actor(user=rep), nomination=nomination, organisation=kamchatka,
                                  title="Краб", data=ANSWERS, now=evening)
    assert "закончился" in exc.value.messages[0]
    assert not Application.objects.filter(organisation=kamchatka).exists()


def test_the_review_starts_only_when_every_region_has_closed(world, nomination):
    contest = nomination.contest
    app = services.submit_application(actor=Actor(user=world.company_rep), application=_apply(world, nomination))
    kaliningrad_end = Region.objects.get(code="39").end_of_day(contest.applications_close)
    with pytest.raises(ValidationError):
        services.move_phase(actor=Actor(user=world.operator), contest=contest, to="regional_review",
                            now=kaliningrad_end - dt.timedelta(minutes=1))
    services.move_phase(actor=Actor(user=world.operator), contest=contest, to="regional_review",
                        now=kaliningrad_end + dt.timedelta(seconds=1))
    app.refresh_from_db()
    assert app.status == S.REGIONAL_REVIEW
    with pytest.raises(PermissionDenied):
        services.move_phase(actor=Actor(user=world.kirov_business), contest=contest, to="regional_results")
    with pytest.raises(ValidationError):
        services.move_phase(actor=Actor(user=world.operator), contest=contest, to="results")


def test_the_operator_may_close_applications_early_with_a_reason(world, nomination):
    contest = nomination.contest
    app = services.submit_application(actor=Actor(user=world.company_rep), application=_apply(world, nomination))
    operator = Actor(user=world.operator)
    with pytest.raises(ValidationError) as exc:
        services.move_phase(actor=operator, contest=contest, to="regional_review", close_early=True)
    assert "reason" in exc.value.message_dict
    contest.refresh_from_db()
    assert contest.phase == "open"
    services.move_phase(actor=operator, contest=contest, to="regional_review", close_early=True,
                        reason="Все регионы подали заявки")
    contest.refresh_from_db()
    app.refresh_from_db()
    assert (contest.phase, app.status) == ("regional_review", S.REGIONAL_REVIEW)
    # The closing day is the last one already over in every region: after 22:00 UTC that is today's
    # UTC date (midnight has passed in Kaliningrad, the westernmost zone).
    assert contest.applications_close <= dt.datetime.now(dt.UTC).date()
    assert services.latest_close(contest) < dt.datetime.now(dt.UTC)
    entry = AuditEntry.objects.filter(action="contest.phase").latest("pk")
    assert entry.after["reason"] == "Все регионы подали заявки"
    with pytest.raises(PermissionDenied):  # nobody applies any more
        services.save_application(actor=Actor(user=world.company_rep), nomination=nomination,
                                  organisation=world.kirov_company, title="Поздно", data=ANSWERS)


def test_early_review_lets_the_regional_jury_score_while_applications_are_open(world, contest, nomination):
    app = services.submit_application(actor=Actor(user=world.company_rep), application=_apply(world, nomination))
    judge = Actor(user=world.juror)
    with pytest.raises(PermissionDenied):  # off by default: submitted applications wait for the review
        services.save_score(actor=judge, application=app, values=h.values(5, 5, nomination))
    assert not selectors.jury_queue(world.juror, contest, "regional").exists()
    services.update_settings(actor=Actor(user=world.operator), contest=contest, blind_review=False,
                             jurors_see_scores=False, release_comments=False, min_reviews=1, advance_top=3,
                             early_review=True)
    app.refresh_from_db()
    assert list(selectors.jury_queue(world.juror, contest, "regional")) == [app]
    services.save_score(actor=judge, application=app, values=h.values(7, 5, nomination))
    contest.refresh_from_db()
    assert [r.application.pk for r in selectors.ranking(contest, nomination, "regional", app.region_id)] == [app.pk]
    with pytest.raises(ValidationError):  # the chair confirms only once the regional review has begun
        services.confirm_regional(actor=Actor(user=world.kirov_business), contest=contest, nomination=nomination,
                                  region=app.region, advance=[app.pk])
    services.move_phase(actor=Actor(user=world.operator), contest=contest, to="regional_review", close_early=True,
                        reason="Экспертиза идёт досрочно")
    contest.refresh_from_db()
    services.confirm_regional(actor=Actor(user=world.kirov_business), contest=contest, nomination=nomination,
                              region=app.region, advance=[app.pk])
    app.refresh_from_db()
    assert app.status == S.ADVANCED
    assert app.scores.get().juror == world.juror  # the early score counted


# --- Recusal -----------------------------------------------------------------------------------------

@pytest.fixture
def review(world, contest, nomination):
    Contest.objects.filter(pk=contest.pk).update(phase=Contest.Phase.REGIONAL_REVIEW)
    contest.refresh_from_db()
    kirov = h.application(nomination, world.kirov_company)
    moscow = h.application(nomination, world.moscow_school)
    return kirov, moscow


def _visible(user, round_=None):
    return set(Application.objects.filter(selectors.juror_filter(user, round_)).values_list("pk", flat=True))


def test_a_kirov_juror_sees_kirov_applications_only(world, review):
    kirov, moscow = review
    assert _visible(world.juror) == {kirov.pk}
    assert not selectors.applications_for(world.juror).filter(pk=moscow.pk).exists()


def test_a_juror_is_recused_from_their_own_organisation_in_every_round(world, contest, nomination, review):
    kirov, _ = review
    colleague = h.juror(contest, "")  # both rounds
    assert _visible(colleague) == {kirov.pk}
    services.declare_conflict(actor=Actor(user=world.operator), contest=contest, juror=colleague,
                              organisation=world.kirov_company, reason="Работает на предприятии",
                              kind=JurorConflict.Kind.EMPLOYER)
    assert _visible(colleague) == set()
    Application.objects.filter(pk=kirov.pk).update(status=S.NATIONAL)
    assert _visible(colleague) == set()
    colleague.refresh_from_db()
    kirov.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.save_score(actor=Actor(user=colleague), application=kirov, values=h.values(5, 5, nomination))


def test_national_jurors_are_recused_from_their_own_region(world, contest, nomination, review):
    kirov, moscow = review
    Application.objects.filter(pk__in=[kirov.pk, moscow.pk]).update(status=S.NATIONAL)
    national = h.juror(contest, "national", None)
    services.declare_conflict(actor=Actor(user=world.operator), contest=contest, juror=national,
                              organisation=world.moscow_school, reason="Место работы",
                              kind=JurorConflict.Kind.EMPLOYER)
    # The Moscow school is their employer; any other Moscow application is their region's too.
    other_moscow = h.application(nomination, f.organisation("77", name="Школа № 57"), status=S.NATIONAL)
    assert _visible(national) == {kirov.pk}
    assert other_moscow.pk not in _visible(national)


def test_a_declared_conflict_removes_the_jurors_score(world, contest, nomination, review):
    kirov, _ = review
    services.save_score(actor=Actor(user=world.juror), application=kirov, values=h.values(6, 6, nomination))
    services.declare_conflict(actor=Actor(user=world.juror), contest=contest, juror=world.juror,
                              organisation=world.kirov_company, reason="Родственник работает там")
    assert not Score.objects.filter(juror=world.juror).exists()
    assert _visible(world.juror) == set()
    ranked = selectors.ranking(contest, nomination, "regional", kirov.region_id)
    assert [r.scores for r in ranked] == [[]]


def test_a_conflict_named_by_the_applicant_counts_once_the_operator_confirms_it(world, contest, nomination, review):
    kirov, _ = review
    Application.objects.filter(pk=kirov.pk).update(status=S.DRAFT)
    Contest.objects.filter(pk=contest.pk).update(phase=Contest.Phase.OPEN)
    kirov = Application.objects.get(pk=kirov.pk)
    conflict = services.name_conflict(actor=Actor(user=world.company_rep), application=kirov,
                                      named="Член жюри Иванов", reason="Бывший сотрудник конкурента")
    Application.objects.filter(pk=kirov.pk).update(status=S.REGIONAL_REVIEW)
    Contest.objects.filter(pk=contest.pk).update(phase=Contest.Phase.REGIONAL_REVIEW)
    assert _visible(world.juror) == {kirov.pk}
    with pytest.raises(PermissionDenied):
        services.decide_conflict(actor=Actor(user=world.kirov_business), conflict=conflict, juror=world.juror,
                                 confirm=True)
    services.decide_conflict(actor=Actor(user=world.operator), conflict=conflict, juror=world.juror, confirm=True)
    assert ApplicantConflict.objects.get().status == "confirmed"
    assert _visible(world.juror) == set()


# --- Scores and results -------------------------------------------------------------------------------

def test_a_score_at_the_end_of_the_scale_needs_a_comment(world, nomination, review):
    kirov, _ = review
    with pytest.raises(ValidationError) as exc:
        services.save_score(actor=Actor(user=world.juror), application=kirov, values=h.values(10, 5, nomination))
    assert exc.value.message_dict["comment"] == ["Для самой низкой или самой высокой оценки нужен комментарий."]
    with pytest.raises(ValidationError) as exc:
        services.save_score(actor=Actor(user=world.juror), application=kirov, values=h.values(11, 0, nomination))
    assert set(exc.value.message_dict) == {f"c_{c.pk}" for c in nomination.criteria.all()}
    score = services.save_score(actor=Actor(user=world.juror), application=kirov, values=h.values(10, 5, nomination),
                                comment="Лучшая практика региона")
    assert score.total == pytest.approx((2 * 100 + 100 * 4 / 9) / 3, abs=1e-3)
    again = services.save_score(actor=Actor(user=world.juror), application=kirov, values=h.values(5, 5, nomination))
    assert again.pk == score.pk
    assert Score.objects.count() == 1


def test_scores_are_refused_outside_the_review(world, contest, nomination, review):
    kirov, _ = review
    Contest.objects.filter(pk=contest.pk).update(phase=Contest.Phase.REGIONAL_RESULTS)
    kirov.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.save_score(actor=Actor(user=world.juror), application=kirov, values=h.values(5, 5, nomination))


def test_jurors_see_colleagues_scores_only_after_the_round_or_when_the_chair_allows(world, contest):
    assert not selectors.may_see_others(world.juror, contest, "regional", 1)
    contest.jurors_see_scores = True
    assert selectors.may_see_others(world.juror, contest, "regional", 1)
    contest.jurors_see_scores = False
    contest.phase = Contest.Phase.REGIONAL_RESULTS
    assert selectors.may_see_others(world.juror, contest, "regional", 1)
    assert not selectors.may_see_others(world.juror, contest, "national", 1)


def _score_both(nomination, apps, jurors, table):
    for juror, row in zip(jurors, table, strict=True):
        for app, (a, b) in zip(apps, row, strict=True):
            services.save_score(actor=Actor(user=juror), application=app, values=h.values(a, b, nomination),
                                comment="Обоснование оценки")


def test_the_regional_chair_confirms_the_top_and_a_change_needs_a_reason(world, contest, nomination, review):
    kirov, moscow = review
    moscow.delete()  # a region whose results are not confirmed would hold the national round back
    second = h.application(nomination, f.organisation("43", kind="service", sector="business", name="ООО «Сервис»"))
    other = h.juror(contest)
    _score_both(nomination, [kirov, second], [world.juror, other], [[(8, 8), (4, 4)], [(7, 7), (5, 5)]])
    ranked = selectors.ranking(contest, nomination, "regional", kirov.region_id)
    assert [r.application for r in ranked] == [kirov, second]
    with pytest.raises(PermissionDenied):
        services.confirm_regional(actor=Actor(user=world.moscow_edu), contest=contest, nomination=nomination,
                                  region=kirov.region, advance=[kirov.pk])
    with pytest.raises(ValidationError):
        services.confirm_regional(actor=Actor(user=world.kirov_edu), contest=contest, nomination=nomination,
                                  region=kirov.region, advance=[kirov.pk, second.pk, 999999])
    result = services.confirm_regional(actor=Actor(user=world.kirov_edu), contest=contest, nomination=nomination,
                                       region=kirov.region, advance=[kirov.pk])
    assert result.version == 1
    assert [r["outcome"] for r in result.ranking] == ["advanced", "not_advanced"]
    with pytest.raises(ValidationError) as exc:
        services.confirm_regional(actor=Actor(user=world.kirov_edu), contest=contest, nomination=nomination,
                                  region=kirov.region, advance=[second.pk])
    assert "причину" in exc.value.message_dict["reason"][0]
    services.confirm_regional(actor=Actor(user=world.kirov_edu), contest=contest, nomination=nomination,
                              region=kirov.region, advance=[kirov.pk, second.pk], reason="Квота увеличена")
    assert RoundResult.objects.get().version == 2
    assert AuditEntry.objects.filter(action="contest.result.change").exists()
    # The national round: advanced applications move on when the operator opens it.
    services.move_phase(actor=Actor(user=world.operator), contest=contest, to="regional_results")
    services.move_phase(actor=Actor(user=world.operator), contest=contest, to="national_review")
    kirov.refresh_from_db()
    assert kirov.status == S.NATIONAL


def test_confirming_needs_the_minimum_number_of_reviews(world, contest, nomination, review):
    kirov, _ = review
    services.save_score(actor=Actor(user=world.juror), application=kirov, values=h.values(5, 5, nomination))
    with pytest.raises(ValidationError) as exc:
        services.confirm_regional(actor=Actor(user=world.kirov_edu), contest=contest, nomination=nomination,
                                  region=kirov.region, advance=[kirov.pk])
    assert "2 оценки" in exc.value.messages[0]


def test_national_results_set_winners_and_places(world, contest, nomination):
    Contest.objects.filter(pk=contest.pk).update(phase=Contest.Phase.NATIONAL_REVIEW, min_reviews=1)
    contest.refresh_from_db()
    apps = [h.application(nomination, o, status=S.NATIONAL) for o in (world.kirov_company, world.moscow_school)]
    judge = h.juror(contest, "national", None)
    _score_both(nomination, apps, [judge], [[(9, 9), (6, 6)]])
    with pytest.raises(ValidationError):
        services.confirm_national(actor=Actor(user=world.operator), contest=contest, nomination=nomination,
                                  places={apps[1].pk: 2})
    services.confirm_national(actor=Actor(user=world.operator), contest=contest, nomination=nomination,
                              places={apps[0].pk: 1, apps[1].pk: 2})
    apps[0].refresh_from_db()
    apps[1].refresh_from_db()
    assert (apps[0].status, apps[0].place_label) == (S.WINNER, "Победитель")
    assert (apps[1].status, apps[1].place_label) == (S.PRIZE, "II место")
    assert list(selectors.winners(contest)) == apps


def test_jurors_are_invited_by_the_operator_or_their_regions_coordinator(world, contest):
    kirov = Region.objects.get(code="43")
    inv = services.invite_juror(actor=Actor(user=world.kirov_edu), contest=contest, email="j1@example.ru",
                                round_="regional", region=kirov)
    assert (inv.role, inv.contest_id, inv.contest_round, inv.region_id) == ("juror", contest.pk, "regional", kirov.pk)
    with pytest.raises(ValidationError):
        services.invite_juror(actor=Actor(user=world.kirov_edu), contest=contest, email="j2@example.ru",
                              round_="national", region=None)
    with pytest.raises(ValidationError):
        services.invite_juror(actor=Actor(user=world.kirov_edu), contest=contest, email="j3@example.ru",
                              round_="regional", region=Region.objects.get(code="77"))
    national = services.invite_juror(actor=Actor(user=world.operator), contest=contest, email="j4@example.ru",
                                     round_="national", region=None)
    assert national.contest_round == "national"
    with pytest.raises(PermissionDenied):
        services.invite_juror(actor=Actor(user=world.company_rep), contest=contest, email="j5@example.ru",
                              round_="regional", region=kirov)


def test_certificate_sources_list_winners_with_their_place(world, contest, nomination):
    from qualityweek.certificates.sources import Subject, get

    a = h.application(nomination, world.kirov_company, status=S.WINNER)
    h.application(nomination, world.moscow_school, status=S.NOT_ADVANCED)
    Application.objects.filter(pk=a.pk).update(place=1)
    winners = list(get("contest.winners").holders(Subject(subject_id=contest.pk)))
    assert [(w.name, w.place) for w in winners] == [(world.kirov_company.name, "Победитель")]
    participants = list(get("contest.participants").holders(Subject(subject_id=contest.pk, region_id=a.region_id)))
    assert [p.key for p in participants] == [f"application:{a.pk}"]
    assert get("contest.participants").kind == "contest_participant"


def test_an_unknown_phase_is_a_message(world, contest):
    with pytest.raises(ValidationError, match="Такого этапа"):
        services.move_phase(actor=Actor(user=world.operator), contest=contest, to="party")


def test_an_accepted_jury_invitation_gives_the_contest_scope(world, contest):
    from qualityweek.directory import services as directory_services
    from qualityweek.directory.access import principal
    from qualityweek.directory.models import Invitation

    kirov = Region.objects.get(code="43")
    inv = services.invite_juror(actor=Actor(user=world.kirov_business), contest=contest, email="new.juror@example.ru",
                                round_="regional", region=kirov)
    raw = "T" * 40  # the raw token is only in the e-mail: give the invitation a known one
    Invitation.objects.filter(pk=inv.pk).update(token_hash=directory_services._token_hash(raw))
    user = directory_services.accept_invitation(token=raw, last_name="Новикова", first_name="Анна", patronymic="",
                                                password="Kachestvo-2026!x", personal_data_consent=True)
    assert principal(user).judges(contest.pk, "regional", kirov.pk)
    assert not principal(user).judges(contest.pk, "national")
