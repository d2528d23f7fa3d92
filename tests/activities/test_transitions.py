"""Each transition table walked state by state: the steps a page offers (``actions_for``) are the
steps ``can`` allows, and exactly the steps the service accepts (it writes an audit entry); every
other step is refused by the service (a message or a refusal) and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qualityweek.activities import rules, services
from qualityweek.activities.imports import services as imports
from qualityweek.activities.models import Activity, ActivityType, ImportBatch, RegionalReport
from qualityweek.activities.regional import services as regional
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry, Job
from qualityweek.core.permissions import actions_for, can

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def accepted(call: Callable[[], Any]) -> bool:
    """True when the service did the step (wrote its audit entry); whatever it did is rolled back."""
    before = AuditEntry.objects.count()
    try:
        with transaction.atomic():
            call()
            done = AuditEntry.objects.count() > before
            raise _Rollback
    except _Rollback:
        return done
    except (ValidationError, PermissionDenied):
        assert AuditEntry.objects.count() == before
        return False


def offered(who: Any, obj: Any, steps: set[str]) -> set[str]:
    by_actions = set(actions_for(who, obj)) & steps
    by_can = {step for step in steps if can(who, step, obj)}
    assert by_actions == by_can
    return by_actions


# --- activities ----------------------------------------------------------------------------------

ORG_STEPS = {"edit", "submit", "cancel"}
COORDINATOR_STEPS = {"approve", "return", "reopen"}


def _activity_services(actor: Actor, activity: Activity) -> dict[str, Callable[[], Any]]:
    return {
        "edit": lambda: services.update_plan(actor=actor, activity=activity, title="Урок качества — 2"),
        "submit": lambda: services.submit(actor=actor, activity=activity),
        "cancel": lambda: services.cancel(actor=actor, activity=activity, reason="Карантин"),
        "approve": lambda: services.approve(actor=actor, activity=activity),
        "return": lambda: services.return_for_changes(actor=actor, activity=activity, comment="Добавьте фото."),
        "reopen": lambda: services.reopen(actor=actor, activity=activity, reason="Ошибка в числах"),
    }


@pytest.fixture
def activity_in(world, make_activity):
    def make(status: str) -> Activity:
        if status == Activity.Status.CANCELLED:
            activity = services.cancel(actor=Actor(user=world.school_rep), activity=make_activity())
        else:
            activity = make_activity(status=status)
        if status in {Activity.Status.PLANNED, Activity.Status.RETURNED, Activity.Status.CANCELLED}:
            # A report worth submitting, written past the service (submit would need it).
            Activity.objects.filter(pk=activity.pk).update(pupils_5_9=40, description="Провели урок.")
            activity.refresh_from_db()
        assert activity.status == status
        return activity

    return make


@pytest.mark.parametrize("status", Activity.Status.values)
def test_activity_table(world, activity_in, status):
    assert set(rules.ACTIVITY_ACTIONS) == set(Activity.Status.values)
    allowed = rules.ACTIVITY_ACTIONS[status]
    activity = activity_in(status)
    for user, steps in ((world.school_rep, ORG_STEPS), (world.teacher, ORG_STEPS),
                        (world.kirov_edu, COORDINATOR_STEPS)):
        assert offered(user, activity, ORG_STEPS | COORDINATOR_STEPS) == allowed & steps, user
        calls = _activity_services(Actor(user=user), activity)
        for step in ORG_STEPS | COORDINATOR_STEPS:
            assert accepted(calls[step]) == (step in allowed & steps), (user, step)
    # The organisation's company representative and a foreign coordinator get nothing.
    for user in (world.company_rep, world.moscow_edu):
        assert offered(user, activity, ORG_STEPS | COORDINATOR_STEPS) == set()
        assert not any(accepted(call) for call in _activity_services(Actor(user=user), activity).values())
    # The system (demo loader, jobs, commands) moves an activity exactly as the table allows.
    system = Actor.system()
    assert offered(system, activity, ORG_STEPS | COORDINATOR_STEPS) == allowed
    calls = _activity_services(system, activity)
    for step in ORG_STEPS | COORDINATOR_STEPS:
        assert accepted(calls[step]) == (step in allowed), ("system", step)
    # A visitor who is not signed in has no step at all.
    public = Actor.public("203.0.113.9")
    assert offered(public, activity, ORG_STEPS | COORDINATOR_STEPS) == set()
    assert not any(accepted(call) for call in _activity_services(public, activity).values())


def test_the_public_cannot_plan_and_the_system_can(world, campaign):
    data = {"type": ActivityType.objects.get(code="quality_lesson"), "title": "Урок качества",
            "starts_on": campaign.quality_day, "ends_on": campaign.quality_day, "format": "in_person"}
    with pytest.raises(PermissionDenied):
        services.plan_activity(actor=Actor.public("203.0.113.9"), campaign=campaign,
                               organisation=world.kirov_school, **data)
    with pytest.raises(PermissionDenied):  # a coordinator plans for nobody
        services.plan_activity(actor=Actor(user=world.kirov_edu), campaign=campaign,
                               organisation=world.kirov_school, **data)
    assert not Activity.objects.exists()
    services.plan_activity(actor=Actor.system(), campaign=campaign, organisation=world.kirov_school, **data)
    assert Activity.objects.count() == 1


def test_neither_the_public_nor_the_system_imports(world, campaign):
    for actor in (Actor.public("203.0.113.9"), Actor.system()):
        with pytest.raises(PermissionDenied):
            imports.start_import(actor=actor, region=world.kirov_school.region, sector="education",
                                 file_name="x.csv", data=b"a;b\n")
    assert not ImportBatch.objects.exists()


def test_the_public_moves_no_regional_report(world, campaign):
    public = Actor.public("203.0.113.9")
    report = _report_in(world, campaign, RegionalReport.Status.SUBMITTED)
    for step, call in _report_services(public, report).items():
        assert not accepted(call), step


# --- import batches ------------------------------------------------------------------------------

BATCH_STEPS = {"confirm", "cancel", "retry"}


@pytest.mark.parametrize("state", [*ImportBatch.Status.values, rules.STUCK])
def test_import_batch_table(world, campaign, state):
    assert set(rules.IMPORT_ACTIONS) == {*ImportBatch.Status.values, rules.STUCK}
    allowed = rules.IMPORT_ACTIONS[state]
    region = world.kirov_school.region
    job = None
    if state == rules.STUCK:  # validating, but its job was interrupted for good
        job = Job.objects.create(owner=world.kirov_edu, kind="activities.import_validate", title="Проверка",
                                 status=Job.Status.INTERRUPTED)
    batch = ImportBatch.objects.create(campaign=campaign, region=region, sector="education",
                                       uploaded_by=world.kirov_edu, file="private/imports/x.xlsx",
                                       file_name="x.xlsx", sha256="0" * 64, rows_total=1, rows_valid=1, job=job,
                                       status=ImportBatch.Status.VALIDATING if job else state)
    calls = {"confirm": lambda actor: imports.confirm_import(actor=actor, batch=batch),
             "cancel": lambda actor: imports.cancel_import(actor=actor, batch=batch),
             "retry": lambda actor: imports.retry_import(actor=actor, batch=batch)}
    assert offered(world.kirov_edu, batch, BATCH_STEPS) == allowed
    for step, call in calls.items():
        assert accepted(lambda call=call: call(Actor(user=world.kirov_edu))) == (step in allowed), step
    for user in (world.kirov_business, world.operator, world.school_rep):
        assert offered(user, batch, BATCH_STEPS) == set()
        assert not any(accepted(lambda call=call, user=user: call(Actor(user=user))) for call in calls.values())


# --- regional reports ----------------------------------------------------------------------------

COORDINATOR_REPORT_STEPS = {"start", "submit"}
OPERATOR_REPORT_STEPS = {"accept", "return"}
REPORT_STATES = [rules.NOT_STARTED, *RegionalReport.Status.values]


def _report_in(world, campaign, state: str) -> RegionalReport:
    region = world.kirov_school.region
    if state == rules.NOT_STARTED:
        return RegionalReport(campaign=campaign, region=region, sector="education")
    return RegionalReport.objects.create(campaign=campaign, region=region, sector="education", status=state,
                                         submitted_at=timezone.now() if state != "draft" else None,
                                         submitted_by=world.kirov_edu if state != "draft" else None)


def _report_services(actor: Actor, report: RegionalReport) -> dict[str, Callable[[], Any]]:
    where = {"campaign": report.campaign, "region": report.region, "sector": report.sector}
    return {
        "start": lambda: regional.start_report(actor=actor, **where),
        "submit": lambda: regional.submit_report(actor=actor, **where),
        "accept": lambda: regional.accept_report(actor=actor, report=report),
        "return": lambda: regional.return_report(actor=actor, report=report, comment="Уточните числа."),
    }


@pytest.mark.parametrize("state", REPORT_STATES)
def test_regional_report_table(world, campaign, state):
    assert set(rules.REPORT_ACTIONS) == set(REPORT_STATES)
    allowed = rules.REPORT_ACTIONS[state]
    report = _report_in(world, campaign, state)
    steps = COORDINATOR_REPORT_STEPS | OPERATOR_REPORT_STEPS
    for user, party in ((world.kirov_edu, COORDINATOR_REPORT_STEPS), (world.operator, OPERATOR_REPORT_STEPS)):
        assert offered(user, report, steps) == allowed & party, user
        calls = _report_services(Actor(user=user), report)
        for step in steps:
            assert accepted(calls[step]) == (step in allowed & party), (user, step)
    for user in (world.kirov_business, world.editor, world.school_rep):
        assert offered(user, report, steps) == set()
        assert not any(accepted(call) for call in _report_services(Actor(user=user), report).values())


def test_a_report_is_not_started_in_a_draft_campaign(world, campaign):
    campaign.phase = "draft"
    campaign.save(update_fields=["phase"])
    report = _report_in(world, campaign, rules.NOT_STARTED)
    assert "start" not in actions_for(world.kirov_edu, report)
    assert not accepted(_report_services(Actor(user=world.kirov_edu), report)["start"])
