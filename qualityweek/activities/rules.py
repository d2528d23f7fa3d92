"""Who may do what with activities, import batches and regional reports (see
qualityweek.core.permissions).

What may happen to an object depends on its status: the transition tables below say which steps
each status allows, and the rules consult them — so a page offers exactly the buttons the services
accept (templates ask ``actions_for``). Each step also has a status-free right, the *party* check a
service makes before it looks at the status: a step the status does not allow is then a message
(ValidationError), not a refusal.

- an activity: the organisation's people ``edit`` (plan, report, photos) while it is planned or
  returned (party: ``write``); its representatives and teachers ``submit`` or ``cancel`` it (party: ``report``); the
  coordinator of its region and sector ``approve``s or ``return``s a submitted report and
  ``reopen``s an approved one (party: ``review``);
- an import batch: its uploader ``confirm``s or ``cancel``s a previewed batch (party: ``import``);
- a regional report: the coordinator ``start``s and ``submit``s it (party: ``prepare``), the
  operator admin ``accept``s or ``return``s a submitted one (party: ``decide``).

The system (the demo loader, jobs, commands) plans, reports and moves activities as the tables
allow. No step here is open to the public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qualityweek.core.permissions import allow, rule, system_rule
from qualityweek.core.rules import RETRYABLE
from qualityweek.directory.access import principal
from qualityweek.directory.models import Role

from .models import Activity, ImportBatch, Photo, RegionalReport

A = Activity.Status
B = ImportBatch.Status
R = RegionalReport.Status

# --- Transition tables ----------------------------------------------------------------------------

ACTIVITY_ACTIONS: dict[str, frozenset[str]] = {
    A.PLANNED: frozenset({"edit", "submit", "cancel"}),
    A.SUBMITTED: frozenset({"approve", "return"}),
    A.APPROVED: frozenset({"reopen"}),
    A.RETURNED: frozenset({"edit", "submit", "cancel"}),
    A.CANCELLED: frozenset(),
}

STUCK = "stuck"  # validating or importing, but its job died (killed worker, retries used up) or was cancelled

IMPORT_ACTIONS: dict[str, frozenset[str]] = {
    B.VALIDATING: frozenset(),
    B.PREVIEW: frozenset({"confirm", "cancel"}),
    B.IMPORTING: frozenset(),
    B.DONE: frozenset(),
    B.FAILED: frozenset({"cancel"}),
    B.CANCELLED: frozenset(),
    STUCK: frozenset({"retry", "cancel"}),
}

NOT_STARTED = "not_started"  # a regional report nobody has opened yet (no row)

REPORT_ACTIONS: dict[str, frozenset[str]] = {
    NOT_STARTED: frozenset({"start", "submit"}),
    R.DRAFT: frozenset({"submit"}),
    R.SUBMITTED: frozenset({"accept", "return"}),
    R.ACCEPTED: frozenset(),
    R.RETURNED: frozenset({"submit"}),
}


def activity_allows(activity: Activity, action: str) -> bool:
    return action in ACTIVITY_ACTIONS.get(activity.status, frozenset())


def batch_state(batch: ImportBatch) -> str:
    """The batch's status, or ``STUCK`` when it waits on a job that will never finish it."""
    if batch.status in {B.VALIDATING, B.IMPORTING} and batch.job is not None and batch.job.status in RETRYABLE:
        return STUCK
    return batch.status


def batch_allows(batch: ImportBatch, action: str) -> bool:
    return action in IMPORT_ACTIONS.get(batch_state(batch), frozenset())


def report_state(report: RegionalReport | None) -> str:
    return report.status if report is not None and report.pk else NOT_STARTED


def report_allows(report: RegionalReport, action: str) -> bool:
    return action in REPORT_ACTIONS.get(report_state(report), frozenset())


# --- Signed-in users: who the object is for (status-free) -----------------------------------------

def _coordinates(user: Any, obj: Any) -> bool:
    return principal(user).covers(obj.region_id, obj.sector)


def _writes_for(user: Any, activity: Any) -> bool:
    return principal(user).represents(activity.organisation_id)


def _reports_for(user: Any, activity: Any) -> bool:
    return principal(user).represents(activity.organisation_id, Role.ORG_REP, Role.TEACHER)


def _owns_batch(user: Any, batch: Any) -> bool:
    return (principal(user).is_coordinator and batch.uploaded_by_id == user.pk
            and principal(user).covers(batch.region_id, batch.sector))


@rule(Activity, "view")
def view_activity(user: Any, activity: Any) -> bool:
    p = principal(user)
    return p.is_operator or _coordinates(user, activity) or p.represents(activity.organisation_id)


@rule(Activity, "plan")
def plan_activity(user: Any, activity: Any) -> bool:
    """Planning is for organisation representatives and teachers — for an unsaved activity, of its
    organisation (which they must be able to see)."""
    p = principal(user)
    if isinstance(activity, type):
        return any(Role.ORG_REP in roles or Role.TEACHER in roles for roles in p.organisations.values())
    return _reports_for(user, activity)


@rule(Activity, "write")
def write_activity(user: Any, activity: Any) -> bool:
    """The party check of edit: the organisation's people (a locked activity is then a message)."""
    return _writes_for(user, activity)


@rule(Activity, "report")
def report_activity(user: Any, activity: Any) -> bool:
    """The party check of submit and cancel: the organisation's representative or teacher."""
    return _reports_for(user, activity)


@rule(Activity, "review")
def review_activity(user: Any, activity: Any) -> bool:
    """The party check of approve, return and reopen: the coordinator of its region and sector;
    asked of the class: whether the person has a review queue at all."""
    if isinstance(activity, type):
        return principal(user).is_coordinator
    return _coordinates(user, activity)


@rule(Activity, "hide")
def hide_activity(user: Any, activity: Any) -> bool:
    return _coordinates(user, activity) or principal(user).is_operator_admin


def _activity_step(action: str, party: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(user: Any, activity: Any) -> bool:
        return activity_allows(activity, action) and party(user, activity)

    check.__name__ = f"{action}_activity"
    return check


# Plan and report are the organisation's to write while the coordinator does not hold them.
rule(Activity, "edit")(_activity_step("edit", _writes_for))
for _action in ("submit", "cancel"):
    rule(Activity, _action)(_activity_step(_action, _reports_for))
for _action in ("approve", "return", "reopen"):
    rule(Activity, _action)(_activity_step(_action, _coordinates))


@rule(Photo, "view")
def view_photo(user: Any, photo: Any) -> bool:
    return view_activity(user, photo.activity)


@rule(Activity, "import")
@rule(ImportBatch, "import")
def import_activities(user: Any, batch: Any) -> bool:
    """The party check of an import: a coordinator; for a batch, its uploader within their scope."""
    if isinstance(batch, type) or not isinstance(batch, ImportBatch):
        return principal(user).is_coordinator
    return _owns_batch(user, batch)


def _batch_step(action: str) -> Callable[[Any, Any], bool]:
    def check(user: Any, batch: Any) -> bool:
        return batch_allows(batch, action) and _owns_batch(user, batch)

    check.__name__ = f"{action}_import"
    return check


for _action in ("confirm", "cancel", "retry"):
    rule(ImportBatch, _action)(_batch_step(_action))


@rule(RegionalReport, "view")
def view_regional_report(user: Any, report: Any) -> bool:
    return principal(user).is_operator or _coordinates(user, report)


@rule(RegionalReport, "prepare")
def prepare_regional_report(user: Any, report: Any) -> bool:
    """The party check of start and submit: the coordinator of the region and sector."""
    return _coordinates(user, report)


@rule(RegionalReport, "decide")
def decide_regional_report(user: Any, _: Any) -> bool:
    """The party check of accept and return: the operator admin."""
    return principal(user).is_operator_admin


@rule(RegionalReport, "start")
def start_regional_report(user: Any, report: Any) -> bool:
    """A report is started once the campaign is announced."""
    return (report_allows(report, "start") and report.campaign.phase != report.campaign.Phase.DRAFT
            and _coordinates(user, report))


@rule(RegionalReport, "submit")
def submit_regional_report(user: Any, report: Any) -> bool:
    return report_allows(report, "submit") and _coordinates(user, report)


def _report_decision(action: str) -> Callable[[Any, Any], bool]:
    def check(user: Any, report: Any) -> bool:
        return report_allows(report, action) and principal(user).is_operator_admin

    check.__name__ = f"{action}_regional_report"
    return check


for _action in ("accept", "return"):
    rule(RegionalReport, _action)(_report_decision(_action))


# --- The system: the demo loader, jobs and commands -----------------------------------------------

system_rule(Activity, "view", "plan", "write", "report", "review", "hide")(allow)


def _system_step(action: str) -> Callable[[Any, Any], bool]:
    def check(_actor: Any, activity: Any) -> bool:
        return activity_allows(activity, action)

    check.__name__ = f"system_{action}_activity"
    return check


for _action in ("edit", "submit", "cancel", "approve", "return", "reopen"):
    system_rule(Activity, _action)(_system_step(_action))
