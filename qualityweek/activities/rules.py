"""Who may do what with activities and regional reports."""

from typing import Any

from qualityweek.core.permissions import rule
from qualityweek.directory.access import principal
from qualityweek.directory.models import Role

from .models import Activity, ImportBatch, Photo, RegionalReport


def _coordinates(user: Any, obj: Any) -> bool:
    return principal(user).covers(obj.region_id, obj.sector)


@rule(Activity, "view")
def view_activity(user: Any, activity: Any) -> bool:
    p = principal(user)
    return p.is_operator or _coordinates(user, activity) or p.represents(activity.organisation_id)


@rule(Activity, "plan")
def plan_activity(user: Any, _: Any) -> bool:
    return any(Role.ORG_REP in roles or Role.TEACHER in roles for roles in principal(user).organisations.values())


@rule(Activity, "edit")
def edit_activity(user: Any, activity: Any) -> bool:
    """Plan and report are the organisation's to write while the coordinator does not hold them."""
    return (activity.status in {Activity.Status.PLANNED, Activity.Status.RETURNED}
            and principal(user).represents(activity.organisation_id))


@rule(Activity, "submit")
@rule(Activity, "cancel")
def submit_activity(user: Any, activity: Any) -> bool:
    return principal(user).represents(activity.organisation_id, Role.ORG_REP, Role.TEACHER)


@rule(Activity, "review")
def review_activity(user: Any, activity: Any) -> bool:
    return _coordinates(user, activity)


@rule(Activity, "hide")
def hide_activity(user: Any, activity: Any) -> bool:
    return _coordinates(user, activity) or principal(user).is_operator_admin


@rule(Photo, "view")
def view_photo(user: Any, photo: Any) -> bool:
    return view_activity(user, photo.activity)


@rule(Activity, "import")
@rule(ImportBatch, "import")
def import_activities(user: Any, _: Any) -> bool:
    return principal(user).is_coordinator


@rule(RegionalReport, "view")
def view_regional_report(user: Any, report: Any) -> bool:
    return principal(user).is_operator or _coordinates(user, report)


@rule(RegionalReport, "submit")
def submit_regional_report(user: Any, report: Any) -> bool:
    return _coordinates(user, report)


@rule(RegionalReport, "accept")
def accept_regional_report(user: Any, report: Any) -> bool:
    return principal(user).is_operator_admin
