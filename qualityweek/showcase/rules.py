"""Who may do what with best practices and problem reports (see qualityweek.core.permissions).

What may happen to a practice depends on its status: the transition table below says which steps
each status allows, and the rules consult it — so the page offers exactly the buttons the services
accept. The party checks are status-free: ``edit``'s people (the organisation and its coordinator)
and ``moderate`` (the operator's editors); a step the status does not allow is then a message."""

from collections.abc import Callable
from typing import Any

from qualityweek.activities.models import Activity
from qualityweek.core.permissions import rule
from qualityweek.directory.access import principal

from .models import BestPractice, ProblemReport

P = BestPractice.Status

# --- Transition tables ----------------------------------------------------------------------------

# An activity may be put forward as a best practice once its report is approved.
NOMINATION_ACTIONS: dict[str, frozenset[str]] = {Activity.Status.APPROVED: frozenset({"nominate"})}

PRACTICE_ACTIONS: dict[str, frozenset[str]] = {
    P.NOMINATED: frozenset({"edit", "publish", "changes", "reject"}),
    P.CHANGES: frozenset({"edit"}),
    P.PUBLISHED: frozenset({"changes", "reject"}),
    P.REJECTED: frozenset(),
}

# The editors' decisions: the action of each and the status it leads to.
MODERATION_MOVES: dict[str, str] = {"publish": P.PUBLISHED, "changes": P.CHANGES, "reject": P.REJECTED}


def practice_allows(practice: BestPractice, action: str) -> bool:
    return action in PRACTICE_ACTIONS.get(practice.status, frozenset())


# --- Signed-in users ------------------------------------------------------------------------------

@rule(Activity, "nominate")
def nominate(user: Any, activity: Any) -> bool:
    return ("nominate" in NOMINATION_ACTIONS.get(activity.status, frozenset())
            and principal(user).covers(activity.region_id, activity.sector))


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
    return practice_allows(practice, "edit") and (p.covers(a.region_id, a.sector) or p.represents(a.organisation_id))


@rule(BestPractice, "moderate")
@rule(ProblemReport, "moderate")
def moderate(user: Any, _: Any) -> bool:
    return principal(user).is_operator


def _moderation_step(action: str) -> Callable[[Any, Any], bool]:
    def check(user: Any, practice: Any) -> bool:
        return practice_allows(practice, action) and principal(user).is_operator

    check.__name__ = f"{action}_practice"
    return check


for _action in MODERATION_MOVES:
    rule(BestPractice, _action)(_moderation_step(_action))
