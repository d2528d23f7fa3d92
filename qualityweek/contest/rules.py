"""Who may do what in the contest (see qualityweek.core.permissions).

- the contest: who sees what is the scoped selectors' business (``selectors.contests_for``,
  ``selectors.applications_for``: a foreign or conflicted application is a 404, so there is no
  ``view`` rule to disagree with them); the operator admin manages it (phases, settings,
  the national jury, confirming conflicts named by applicants); the operator and regional
  coordinators export it;
- a nomination: an organisation's representative ``apply``s while applications are open;
- an application: its organisation's representative edits, submits and withdraws it as
  ``APPLICATION_ACTIONS`` allows; a juror whose scope covers it and who is not recused ``score``s it
  while its round is under review.

Phases move only along ``PHASE_MOVES``.
"""

from __future__ import annotations

from typing import Any

from qualityweek.core.permissions import allow, rule, system_rule
from qualityweek.directory.access import principal
from qualityweek.directory.models import Role

from . import selectors
from .models import Application, Contest, Nomination, Round

P = Contest.Phase
S = Application.Status

PHASE_MOVES: dict[str, tuple[str, ...]] = {
    P.DRAFT: (P.OPEN,),
    P.OPEN: (P.REGIONAL_REVIEW,),
    P.REGIONAL_REVIEW: (P.REGIONAL_RESULTS,),
    P.REGIONAL_RESULTS: (P.NATIONAL_REVIEW,),
    P.NATIONAL_REVIEW: (P.RESULTS,),
    P.RESULTS: (),
}

APPLICATION_ACTIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({"edit", "submit", "withdraw", "name_conflict"}),
    S.SUBMITTED: frozenset({"edit", "withdraw", "name_conflict", "score"}),  # score: early review only
    S.WITHDRAWN: frozenset(),
    S.REGIONAL_REVIEW: frozenset({"score"}),
    S.ADVANCED: frozenset(),
    S.NOT_ADVANCED: frozenset(),
    S.NATIONAL: frozenset({"score"}),
    S.WINNER: frozenset(),
    S.PRIZE: frozenset(),
    S.PARTICIPANT: frozenset(),
}

# The round an application is judged in, by its status, and the phase that round is open in.
# A submitted application is judged in the regional round only while applications are open and the
# contest has early review on (``review_open``).
ROUND_OF: dict[str, str] = {S.SUBMITTED: Round.REGIONAL, S.REGIONAL_REVIEW: Round.REGIONAL, S.NATIONAL: Round.NATIONAL}
REVIEW_PHASE: dict[str, str] = {Round.REGIONAL: P.REGIONAL_REVIEW, Round.NATIONAL: P.NATIONAL_REVIEW}


def early_review(contest: Contest) -> bool:
    """The regional jury scores submitted applications while applications are still open."""
    return contest.early_review and contest.phase == P.OPEN


def review_open(application: Application) -> bool:
    """Whether the application's round takes scores now."""
    round_ = ROUND_OF.get(application.status)
    if round_ is None:
        return False
    if application.status == S.SUBMITTED:
        return early_review(application.contest)
    return application.contest.phase == REVIEW_PHASE[round_]


def allows(application: Application, action: str) -> bool:
    return action in APPLICATION_ACTIONS.get(application.status, frozenset())


@rule(Contest, "manage")
def manage_contest(user: Any, _: Any) -> bool:
    return principal(user).is_operator_admin


@rule(Contest, "chair")
def chair_contest(user: Any, _: Any) -> bool:
    p = principal(user)
    return p.is_operator_admin or p.is_coordinator


@rule(Contest, "export")
def export_contest(user: Any, _: Any) -> bool:
    p = principal(user)
    return p.is_operator or p.is_coordinator


@rule(Contest, "invite")
def invite_jurors(user: Any, _: Any) -> bool:
    """The operator invites the national jury, a coordinator their region's jury."""
    p = principal(user)
    return p.is_operator_admin or p.is_coordinator


@rule(Nomination, "apply")
def apply_nomination(user: Any, nomination: Any) -> bool:
    p = principal(user)
    return nomination.contest.phase == P.OPEN and any(Role.ORG_REP in roles for roles in p.organisations.values())


def _applicant(user: Any, application: Any) -> bool:
    return principal(user).represents(application.organisation_id, Role.ORG_REP)


@rule(Application, "apply")
def applicant_party(user: Any, application: Any) -> bool:
    """The status-free right a service checks first: the organisation's representative."""
    return _applicant(user, application)


def _applicant_step(action: str) -> Any:
    def check(user: Any, application: Any) -> bool:
        return (allows(application, action) and _applicant(user, application)
                and application.contest.phase == P.OPEN)

    return check


for _action in ("edit", "submit", "withdraw", "name_conflict"):
    rule(Application, _action)(_applicant_step(_action))


@rule(Application, "score")
def score_application(user: Any, application: Any) -> bool:
    if not review_open(application):
        return False
    round_ = ROUND_OF[application.status]
    return Application.objects.filter(selectors.juror_filter(user, round_, application.contest_id),
                                      pk=application.pk).exists()


system_rule(Contest, "manage", "chair", "invite")(allow)
system_rule(Nomination, "apply")(allow)
system_rule(Application, "apply", "edit", "submit", "withdraw")(allow)
