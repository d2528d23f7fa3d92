"""Role x URL rows for the contest (see tests/test_url_matrix.py).

The contest of the current campaign is under regional review; world.juror judges its Kirov round.
A Moscow application is a 404 for the Kirov juror and the Kirov coordinators; an earlier contest is
open for applications (its draft belongs to the Kirov school)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.contest.models import ApplicantConflict, Application, Attachment, Contest, Score
from tests.matrix import Route, all_, signed_in

from . import helpers as h

S = Application.Status


def objects(world) -> dict:
    contest = h.contest(Contest.Phase.REGIONAL_REVIEW, close_in_days=-3, min_reviews=1)
    h.point_juror(world, contest)
    nomination = h.nomination(contest)
    kirov_app = h.application(nomination, world.kirov_school)
    moscow_app = h.application(nomination, world.moscow_school)
    Attachment.objects.create(application=kirov_app, key="report", name="отчёт.pdf", content_type="application/pdf",
                              size=9, file=ContentFile(b"%PDF-1.7\n", name="matrix.pdf"))
    Score.objects.create(application=kirov_app, juror=world.juror, round="regional", values={}, total=70)
    ApplicantConflict.objects.create(application=kirov_app, named="Иванов", reason="Конкурент")
    # An earlier year's contest still open for applications, with the Kirov school's draft in it.
    today = timezone.localdate()
    earlier = Campaign.objects.create(year=contest.year - 1, motto="Девиз", week_start=today, week_end=today,
                                      quality_day=today, report_deadline=today + dt.timedelta(days=30),
                                      phase="running")
    open_contest = Contest.objects.create(
        campaign=earlier, phase=Contest.Phase.OPEN, applications_open=today - dt.timedelta(days=5),
        applications_close=today + dt.timedelta(days=5), regional_review_until=today + dt.timedelta(days=10),
        regional_results_on=today + dt.timedelta(days=11), national_review_until=today + dt.timedelta(days=20),
        results_on=today + dt.timedelta(days=21))
    open_nomination = h.nomination(open_contest)
    draft = h.application(open_nomination, world.kirov_school, status=S.DRAFT)
    return {"contest": contest, "nomination": nomination, "kirov_app": kirov_app, "moscow_app": moscow_app,
            "open_nomination": open_nomination, "draft_app": draft,
            "applicant_conflict": ApplicantConflict.objects.get()}


def _pk(name: str):
    return lambda o: {"pk": o[name].pk}


def _year(o) -> dict:
    return {"year": o["contest"].year}


def _pool(o) -> dict:
    return {"year": o["contest"].year, "nomination": o["nomination"].pk, "round": "regional", "region": "43"}


NOBODY = {"operator": 404, "editor": 404, "kirov_edu": 404, "kirov_business": 404, "school_rep": 404, "teacher": 404,
          "juror": 404, "forum_staff": 404}
CHAIRS = {"operator": 200, "kirov_edu": 200, "kirov_business": 200}
APPLICANT_STEP = {**NOBODY, "school_rep": 302, "teacher": 403}

ROUTES: dict[str, Route] = {
    "contest_index": Route(expect=all_(302)),
    "contest_detail": Route(kwargs=_year, expect=all_(200)),
    "contest_winners": Route(kwargs=_year, expect=all_(200)),
    "contest_my": Route(expect=signed_in(200)),
    "contest_jury": Route(expect=signed_in(403, juror=200)),
    "contest_score": Route(kwargs=_pk("kirov_app"), expect=signed_in(404, juror=200)),
    "contest_declare_conflict": Route(kwargs=_pk("kirov_app"), method="POST", data={"reason": "Родственник"},
                                      expect=signed_in(404, juror=302)),
    "contest_apply": Route(kwargs=_pk("open_nomination"), expect=signed_in(403, school_rep=200)),
    # The Kirov juror and the Kirov coordinators get 404 for a Moscow application.
    "contest_application": Route(kwargs=_pk("moscow_app"), expect=signed_in(404, operator=200, editor=200)),
    "contest_application_edit": Route(kwargs=_pk("draft_app"), expect=signed_in(
        404, school_rep=200, teacher=403)),
    "contest_application_submit": Route(kwargs=_pk("draft_app"), method="POST",
                                        expect=signed_in(404, **APPLICANT_STEP)),
    "contest_application_withdraw": Route(kwargs=_pk("draft_app"), method="POST",
                                          expect=signed_in(404, **APPLICANT_STEP)),
    "contest_application_conflict": Route(kwargs=_pk("draft_app"), method="POST",
                                          data={"named": "Петров", "reason": "Конкурент"},
                                          expect=signed_in(404, **APPLICANT_STEP)),
    "contest_attachment": Route(kwargs=lambda o: {"pk": o["kirov_app"].pk, "key": "report"},
                                expect=signed_in(200, forum_staff=404)),
    "contest_conflict_decide": Route(kwargs=_pk("applicant_conflict"), method="POST", data={"decision": "reject"},
                                     expect=signed_in(404, operator=302)),
    "contest_chair": Route(kwargs=_year, expect=signed_in(403, **CHAIRS)),
    "contest_ranking": Route(kwargs=_pool, expect=signed_in(403, **CHAIRS)),
    "contest_confirm": Route(kwargs=_pool, method="POST", data={"advance": []},
                             expect=signed_in(403, operator=302, kirov_edu=302, kirov_business=302)),
    "contest_export": Route(kwargs=_year, method="POST", expect=signed_in(
        403, operator=302, editor=302, kirov_edu=302, kirov_business=302)),
    "contest_manage": Route(kwargs=_year, expect=signed_in(403, operator=200)),
    "contest_phase": Route(kwargs=_year, method="POST", data={"to": "regional_results"},
                           expect=signed_in(403, operator=302)),
    "contest_invite": Route(kwargs=_year, expect=signed_in(403, **CHAIRS)),
    "contest_create": Route(expect=signed_in(403, operator=200)),
    "contest_nomination_create": Route(kwargs=_year, expect=signed_in(403, operator=200)),
}
