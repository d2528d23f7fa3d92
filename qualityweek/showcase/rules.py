from typing import Any

from qualityweek.activities.models import Activity
from qualityweek.core.permissions import rule
from qualityweek.directory.access import principal

from .models import BestPractice, ProblemReport


@rule(Activity, "nominate")
def nominate(user: Any, activity: Any) -> bool:
    return activity.status == Activity.Status.APPROVED and principal(user).covers(activity.region_id,
                                                                                   activity.sector)


@rule(BestPractice, "view")
def view_practice(user: Any, practice: Any) -> bool:
    p = principal(user)
    a = practice.activity
    return p.is_operator or p.covers(a.region_id, a.sector) or p.represents(a.organisation_id)


@rule(BestPractice, "edit")
def edit_practice(user: Any, practice: Any) -> bool:
    """The story is the organisation's and its coordinator's to improve while editors wait for it."""
    a = practice.activity
    p = principal(user)
    return practice.status in {BestPractice.Status.NOMINATED, BestPractice.Status.CHANGES} and (
        p.covers(a.region_id, a.sector) or p.represents(a.organisation_id))


@rule(BestPractice, "moderate")
@rule(ProblemReport, "moderate")
def moderate(user: Any, _: Any) -> bool:
    return principal(user).is_operator
