"""Every read of the contest, scoped at the source.

``applications_for(user)`` is the one scoped queryset of applications: an applicant's own
organisation's, a chair's (the operator: all submitted ones; a regional coordinator: their region's),
and a juror's (``juror_filter``: the applications of their round and region **minus every recusal**).
The detail page, the scoring form, the queue, the ranking and the export all read through it, so a
recused juror gets 404 and never sees, scores or appears on a conflicted application."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from qualityweek.certificates.models import Certificate
from qualityweek.certificates.selectors import valid_by_holder
from qualityweek.directory.access import Principal, principal
from qualityweek.directory.models import Organisation

from . import scoring
from .models import ApplicantConflict, Application, Contest, JurorConflict, Nomination, Round, Score

S = Application.Status
_NOTHING = Q(pk__in=[])

REGIONAL_STAGE = (S.REGIONAL_REVIEW, S.ADVANCED, S.NOT_ADVANCED, S.NATIONAL, S.WINNER, S.PRIZE, S.PARTICIPANT)
NATIONAL_STAGE = (S.NATIONAL, S.WINNER, S.PRIZE, S.PARTICIPANT)
STAGE: dict[str, tuple[str, ...]] = {Round.REGIONAL: REGIONAL_STAGE, Round.NATIONAL: NATIONAL_STAGE}
SUBMITTED = (S.SUBMITTED, *REGIONAL_STAGE)
# Early review: while applications are open, the regional jury already judges submitted ones.
EARLY = Q(status=S.SUBMITTED, contest__early_review=True, contest__phase=Contest.Phase.OPEN)


def public_contests() -> QuerySet[Contest]:
    return Contest.objects.exclude(phase=Contest.Phase.DRAFT).select_related("campaign")


def has_winners(campaign_id: int) -> bool:
    """Whether the campaign's contest has its final results (the archive links its winners page)."""
    return public_contests().filter(campaign_id=campaign_id, phase=Contest.Phase.RESULTS).exists()


def contests_for(user: Any) -> QuerySet[Contest]:
    if principal(user).is_operator:
        return Contest.objects.select_related("campaign")
    return public_contests()


def current_contest(user: Any = None) -> Contest | None:
    return contests_for(user).order_by("-campaign__year").first()


# --- Recusal ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recusal:
    """What one juror may not judge in one contest."""

    organisations: frozenset[int]  # their own organisations and declared conflicts
    regions: frozenset[int]  # their own regions (recused in the national round)
    applications: frozenset[int]  # conflicts applicants named and the operator confirmed


def recusal(user: Any, contest_id: int) -> Recusal:
    p = principal(user)
    conflicts = JurorConflict.objects.filter(contest_id=contest_id, juror_id=user.pk)
    orgs = set(p.organisations) | set(conflicts.values_list("organisation_id", flat=True))
    employers = set(p.organisations) | set(conflicts.filter(kind=JurorConflict.Kind.EMPLOYER)
                                           .values_list("organisation_id", flat=True))
    regions = set(Organisation.objects.filter(pk__in=employers).values_list("region_id", flat=True))
    regions |= {g for c, _, g in p.juries if c == contest_id and g is not None}
    named = ApplicantConflict.objects.filter(application__contest_id=contest_id, juror_id=user.pk,
                                             status=ApplicantConflict.Status.CONFIRMED)
    return Recusal(organisations=frozenset(orgs), regions=frozenset(regions),
                   applications=frozenset(named.values_list("application_id", flat=True)))


def _rounds(scope_round: str, round_: str | None) -> list[str]:
    wanted = [round_] if round_ else [Round.REGIONAL, Round.NATIONAL]
    return [r for r in wanted if not scope_round or scope_round == r]


def juror_filter(user: Any, round_: str | None = None, contest_id: int | None = None) -> Q:
    """The applications ``user`` judges (in ``round_``, or in any round), minus recusals."""
    p: Principal = principal(user)
    q = _NOTHING
    recusals: dict[int, Recusal] = {}
    for c, scope_round, g in sorted(p.juries, key=lambda j: (j[0], j[1], j[2] or 0)):
        if contest_id is not None and c != contest_id:
            continue
        if c not in recusals:
            recusals[c] = recusal(user, c)
        rec = recusals[c]
        for r in _rounds(scope_round, round_):
            stage = Q(status__in=STAGE[r])
            part = Q(contest_id=c) & ((stage | EARLY) if r == Round.REGIONAL else stage)
            if g is not None:
                part &= Q(region_id=g)
            if r == Round.NATIONAL:
                part &= ~Q(region_id__in=sorted(rec.regions))
            part &= ~Q(organisation_id__in=sorted(rec.organisations)) & ~Q(pk__in=sorted(rec.applications))
            q |= part
    return q


def chair_filter(p: Principal) -> Q:
    if p.is_operator:
        return Q(status__in=SUBMITTED)
    regions = sorted({r for r, _ in p.regions})
    return Q(status__in=SUBMITTED, region_id__in=regions) if regions else _NOTHING


def applicant_filter(p: Principal) -> Q:
    return Q(organisation_id__in=sorted(p.organisations)) if p.organisations else _NOTHING


def applications_for(user: Any) -> QuerySet[Application]:
    p = principal(user)
    if p is None or not (p.is_operator or p.regions or p.organisations or p.juries):
        return Application.objects.none()
    q = chair_filter(p) | applicant_filter(p) | juror_filter(user)
    return Application.objects.filter(q).select_related("nomination", "organisation", "region", "contest__campaign")


def my_applications(user: Any) -> QuerySet[Application]:
    p = principal(user)
    return Application.objects.filter(applicant_filter(p)).select_related(
        "nomination", "organisation", "contest__campaign").order_by("-contest__campaign__year", "-id")


def jury_queue(user: Any, contest: Contest, round_: str) -> QuerySet[Application]:
    return Application.objects.filter(juror_filter(user, round_, contest.pk)).select_related(
        "nomination", "organisation", "region").order_by("nomination__order", "id")


def jury_rounds(user: Any, contest: Contest) -> list[str]:
    """The rounds of ``contest`` the user sits on, in order."""
    scopes = {r for c, r, _ in principal(user).juries if c == contest.pk}
    return [r for r in (Round.REGIONAL, Round.NATIONAL) if r in scopes or "" in scopes]


# --- Chairs ---------------------------------------------------------------------------------------

def chairs(user: Any, round_: str, region_id: int | None) -> bool:
    """The operator chairs every round; a regional coordinator chairs their region's regional round."""
    p = principal(user)
    if p.is_operator_admin:
        return True
    return round_ == Round.REGIONAL and region_id is not None and any(r == region_id for r, _ in p.regions)


def chair_regions(user: Any) -> list[int] | None:
    """The regions whose regional round the user chairs (None: all)."""
    p = principal(user)
    if p.is_operator_admin:
        return None
    return sorted({r for r, _ in p.regions})


# --- Rankings -------------------------------------------------------------------------------------

@dataclass
class Ranked:
    application: Application
    row: scoring.Row
    scores: list[Score]
    place: int | None = None  # a confirmed national place, for the chair's form


def round_pool(contest: Contest, nomination: Nomination, round_: str, region_id: int | None) -> QuerySet[Application]:
    statuses = STAGE[round_]
    if round_ == Round.REGIONAL and contest.early_review and contest.phase == Contest.Phase.OPEN:
        statuses = (S.SUBMITTED, *statuses)  # the preliminary ranking of early review
    qs = Application.objects.filter(contest=contest, nomination=nomination, status__in=statuses)
    if round_ == Round.REGIONAL and region_id is not None:
        qs = qs.filter(region_id=region_id)
    return qs.select_related("organisation", "region")


def marks_of(scores: list[Score]) -> list[scoring.Mark]:
    return [scoring.Mark(juror=s.juror_id, application=s.application_id, total=s.total) for s in scores]


def ranking(contest: Contest, nomination: Nomination, round_: str, region_id: int | None) -> list[Ranked]:
    """The ranking of one nomination's pool: raw and normalised side by side. Jurors are calibrated
    over all their scores in this round of the contest (every nomination and region: a juror's
    harshness is measured on everything they scored, not only on one small pool)."""
    apps = {a.pk: a for a in round_pool(contest, nomination, round_, region_id)}
    scores = list(Score.objects.filter(application__contest=contest, round=round_).select_related("juror"))
    rows = {r.application: r for r in scoring.rank(marks_of(scores), apps)}
    by_app: dict[int, list[Score]] = {}
    for s in scores:
        by_app.setdefault(s.application_id, []).append(s)
    ordered = sorted((rows[a] for a in apps), key=lambda r: r.rank)
    out = []
    for place, row in enumerate(ordered, start=1):
        row.rank = place
        out.append(Ranked(application=apps[row.application], row=row, scores=by_app.get(row.application, [])))
    raw_order = sorted(out, key=lambda r: (-r.row.raw, r.application.pk))
    for place, item in enumerate(raw_order, start=1):
        item.row.raw_rank = place
    return out


def may_see_others(user: Any, contest: Contest, round_: str, region_id: int | None) -> bool:
    """A juror sees colleagues' scores after the round closes, or before if the chair allows it."""
    if chairs(user, round_, region_id) or principal(user).is_operator:
        return True
    closed = contest.phase in ((Contest.Phase.REGIONAL_RESULTS, Contest.Phase.NATIONAL_REVIEW, Contest.Phase.RESULTS)
                               if round_ == Round.REGIONAL else (Contest.Phase.RESULTS,))
    return closed or contest.jurors_see_scores


def winners(contest: Contest) -> QuerySet[Application]:
    return Application.objects.filter(contest=contest, status__in=(S.WINNER, S.PRIZE)).select_related(
        "nomination", "organisation", "region").order_by("nomination__order", "nomination_id", "place", "id")


def regional_winners(contest: Contest) -> QuerySet[Application]:
    return Application.objects.filter(contest=contest, status__in=(S.ADVANCED, *NATIONAL_STAGE)).select_related(
        "nomination", "organisation", "region").order_by("nomination__order", "nomination_id", "region__name", "id")


def diplomas(contest: Contest) -> dict[int, Certificate]:
    """The valid diplomas issued to the winners through «Certificates and diplomas», by application
    (the holder key of the ``contest.winners`` source is ``application:<id>``)."""
    issued = valid_by_holder("contest.winners", contest.pk)
    return {int(key.split(":", 1)[1]): c for key, c in issued.items() if key.startswith("application:")}
