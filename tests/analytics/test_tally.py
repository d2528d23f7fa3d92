"""The incremental aggregates always equal a recount from the raw activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from qualityweek.activities import services, tally
from qualityweek.activities.models import Activity, ActivityTally, ActivityType, Participation, RegionCount, RegionTally
from qualityweek.core.audit import Actor

from .conftest import representative, reviewer

S = Activity.Status
OPS = ["plan", "report", "submit", "submit_late", "approve", "return", "reopen", "cancel", "update_plan",
       "bulk", "bulk_approve"]
EDU_TYPES = ["quality_lesson", "quiz", "open_day"]
BIZ_TYPES = ["open_day", "special_offer", "fair"]


def test_a_transition_moves_the_counts(world, make_activity, campaign):
    activity = make_activity(status="submitted", pupils_5_9=30, teachers=2)
    row = RegionTally.objects.get(campaign=campaign, region=world.kirov_school.region, sector="education",
                                  status=S.SUBMITTED)
    assert (row.activities, row.pupils_5_9, row.teachers) == (1, 30, 2)
    services.approve(actor=Actor(user=world.kirov_edu), activity=activity)
    row.refresh_from_db()
    assert (row.activities, row.pupils_5_9) == (0, 0)
    approved = ActivityTally.objects.get(campaign=campaign, status=S.APPROVED)
    assert (approved.activities, approved.participants) == (1, 32)
    counts = RegionCount.objects.get(campaign=campaign, region=world.kirov_school.region, sector="education")
    assert (counts.organisations, counts.reported, counts.approved) == (1, 1, 1)
    assert tally.recount() == []


def test_organisation_counters_cross_zero_once(world, make_activity, campaign):
    first = make_activity(status="approved")
    make_activity(status="approved")
    counts = RegionCount.objects.get(campaign=campaign, region=world.kirov_school.region, sector="education")
    assert (counts.organisations, counts.approved) == (1, 1)
    services.reopen(actor=Actor(user=world.kirov_edu), activity=first, reason="Проверить числа")
    counts.refresh_from_db()
    assert (counts.organisations, counts.reported, counts.approved) == (1, 1, 1)
    assert Participation.objects.get(campaign=campaign, organisation=world.kirov_school).approved == 1


def test_a_write_that_bypasses_the_tally_is_reported_and_fixed(world, make_activity, campaign):
    make_activity(status="approved")
    Activity.objects.create(  # what a bulk insert without activities_created would leave behind
        campaign=campaign, organisation=world.kirov_school, region=world.kirov_school.region, sector="education",
        type=ActivityType.objects.get(code="quiz"), title="Квиз", starts_on=campaign.week_start,
        ends_on=campaign.week_start, status=S.SUBMITTED, pupils_1_4=12)
    diffs = tally.recount(campaign)
    assert diffs
    assert {d.table for d in diffs} >= {"activity_tally", "participation", "day_tally"}
    assert any(d.field == "pupils_1_4" and d.stored == 0 and d.expected == 12 for d in diffs)
    tally.rebuild(campaign)
    assert tally.recount() == []


def test_recount_command(world, make_activity, capsys):
    make_activity(status="approved")
    call_command("recount_aggregates")
    assert "расхождений нет" in capsys.readouterr().out
    ActivityTally.objects.update(pupils_5_9=1)
    with pytest.raises(SystemExit) as exit_:
        call_command("recount_aggregates")
    assert exit_.value.code == 1
    assert "pupils_5_9" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("recount_aggregates", fix=True)
    assert "расхождений после пересчёта: 0" in capsys.readouterr().out
    call_command("recount_aggregates")


def _bulk(world, campaign, draw_statuses: list[str], counts: int) -> None:
    """What the spreadsheet import and the demo do: bulk_create, then activities_created."""
    orgs = [world.kirov_school, world.moscow_school, world.kirov_company]
    fresh = []
    for i, status in enumerate(draw_statuses):
        org = orgs[i % 3]
        code = EDU_TYPES[i % 3] if org.sector == "education" else BIZ_TYPES[i % 3]
        reported = status in {S.SUBMITTED, S.APPROVED, S.RETURNED}
        fresh.append(Activity(
            campaign=campaign, organisation=org, region_id=org.region_id, sector=org.sector,
            type=ActivityType.objects.get(code=code), title="Импорт",
            starts_on=campaign.week_start + dt.timedelta(i % 3), ends_on=campaign.week_start + dt.timedelta(i % 3),
            status=status, is_late=reported and i % 2 == 0,
            submitted_at=timezone.now() if reported else None, source=Activity.Source.IMPORT,
            employees=counts if code == "fair" and reported else 0,
            pupils_1_4=counts if org.sector == "education" and reported else 0))
    tally.activities_created(Activity.objects.bulk_create(fresh))


class Runner:
    def __init__(self, world, campaign, moscow_rep):
        self.world, self.campaign, self.moscow_rep = world, campaign, moscow_rep
        self.orgs = [world.kirov_school, world.moscow_school, world.kirov_company]

    def rep(self, org):
        return Actor(user=self.moscow_rep if org == self.world.moscow_school else representative(self.world, org))

    def coordinator(self, org):
        return Actor(user=reviewer(self.world, org))

    def pick(self, data, status=None) -> Activity | None:
        qs = Activity.objects.filter(campaign=self.campaign).select_related("organisation__region")
        if status:
            qs = qs.filter(status=status)
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        if not ids:
            return None
        return qs.get(pk=data.draw(st.sampled_from(ids)))

    def step(self, data, op: str) -> None:
        if self.step_without_activity(data, op):
            return
        activity = self.pick(data)
        if activity is None:
            return
        self.step_on(data, op, activity)

    def step_without_activity(self, data, op: str) -> bool:
        """The operations that do not pick an activity; False if ``op`` is not one of them."""
        campaign = self.campaign
        if op == "plan":
            org = data.draw(st.sampled_from(self.orgs))
            code = data.draw(st.sampled_from(EDU_TYPES if org.sector == "education" else BIZ_TYPES))
            day = campaign.week_start + dt.timedelta(days=data.draw(st.integers(0, 6)))
            services.plan_activity(actor=self.rep(org), campaign=campaign, organisation=org,
                                   type=ActivityType.objects.get(code=code), title="Мероприятие", starts_on=day,
                                   ends_on=day)
            return True
        if op == "bulk":
            statuses = data.draw(st.lists(st.sampled_from(list(S.values)), min_size=1, max_size=6))
            _bulk(self.world, campaign, statuses, data.draw(st.integers(0, 50)))
            return True
        if op == "bulk_approve":
            for org in self.orgs:
                ids = list(Activity.objects.filter(organisation=org, status=S.SUBMITTED).values_list("pk", flat=True))
                services.bulk_approve(actor=self.coordinator(org), ids=ids)
            return True
        return False

    def step_on(self, data, op: str, activity: Activity) -> None:
        """An operation on one activity, picked before."""
        campaign = self.campaign
        org = activity.organisation
        if op == "report":
            allowed = activity.type.categories
            counts = {f: data.draw(st.integers(0, 40)) for f in allowed[:3]}
            services.save_report(actor=self.rep(org), activity=activity, description="Отчёт", **counts)
        elif op == "update_plan":
            codes = EDU_TYPES if org.sector == "education" else BIZ_TYPES
            day = campaign.week_start + dt.timedelta(days=data.draw(st.integers(0, 6)))
            services.update_plan(actor=self.rep(org), activity=activity, starts_on=day, ends_on=day,
                                 type=ActivityType.objects.get(code=data.draw(st.sampled_from(codes))))
        elif op in {"submit", "submit_late"}:
            late = timezone.now() + dt.timedelta(days=40) if op == "submit_late" else None
            services.submit(actor=self.rep(org), activity=activity, now=late)
        elif op == "approve":
            services.approve(actor=self.coordinator(org), activity=activity)
        elif op == "return":
            services.return_for_changes(actor=self.coordinator(org), activity=activity, comment="Исправьте")
        elif op == "reopen":
            services.reopen(actor=self.coordinator(org), activity=activity, reason="Перепроверить")
        elif op == "cancel":
            services.cancel(actor=self.rep(org), activity=activity, reason="Перенесли")


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_aggregates_equal_a_recount_after_any_sequence(world, campaign, moscow_rep, data):
    runner = Runner(world, campaign, moscow_rep)
    with transaction.atomic():
        for op in data.draw(st.lists(st.sampled_from(OPS), min_size=1, max_size=25)):
            try:
                with transaction.atomic():
                    runner.step(data, op)
            except (ValidationError, PermissionDenied):
                pass  # the service refused: nothing may have changed, the recount below checks that too
            assert tally.recount(campaign) == [], op
        statuses = set(Activity.objects.filter(campaign=campaign).values_list("status", flat=True))
        note(f"statuses reached: {sorted(statuses)}")
        transaction.set_rollback(True)
