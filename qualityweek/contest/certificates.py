"""The contest's certificate sources: diplomas for winners and prize-winners, certificates for
every applicant whose application reached the jury (registered from ``ContestConfig.ready``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from qualityweek.certificates.sources import Holder, Source, Subject, register

from .models import Application, Contest

S = Application.Status
PARTICIPANTS = (S.REGIONAL_REVIEW, S.ADVANCED, S.NOT_ADVANCED, S.NATIONAL, S.WINNER, S.PRIZE, S.PARTICIPANT)


def _scoped(subject: Subject, statuses: Iterable[str]) -> Iterator[Application]:
    qs = Application.objects.filter(contest_id=subject.subject_id, status__in=list(statuses)).select_related(
        "organisation", "nomination", "contest__campaign").order_by("nomination__order", "place", "id")
    if subject.region_id is not None:
        qs = qs.filter(region_id=subject.region_id)
    if subject.sector:
        qs = qs.filter(sector=subject.sector)
    if subject.organisation_id is not None:
        qs = qs.filter(organisation_id=subject.organisation_id)
    return iter(qs)


def _holder(application: Application, reason: str, place: str = "") -> Holder:
    return Holder(
        key=f"application:{application.pk}", name=application.applicant, reason=reason,
        is_person=bool(application.nominee_name), email=application.organisation.email,
        region_id=application.region_id, sector=application.sector, organisation_id=application.organisation_id,
        user_id=application.created_by_id, place=place)


def winner_holders(subject: Subject) -> Iterator[Holder]:
    for a in _scoped(subject, (S.WINNER, S.PRIZE)):
        reason = (f"в номинации «{a.nomination.title}» Всероссийского конкурса «{a.contest.title}» "
                  f"{a.contest.year} г.")
        yield _holder(a, reason, a.place_label)


def participant_holders(subject: Subject) -> Iterator[Holder]:
    for a in _scoped(subject, PARTICIPANTS):
        reason = (f"за участие в номинации «{a.nomination.title}» Всероссийского конкурса «{a.contest.title}» "
                  f"{a.contest.year} г.")
        yield _holder(a, reason)


def contest_subjects() -> Iterator[tuple[int, str]]:
    for contest in Contest.objects.exclude(phase=Contest.Phase.DRAFT).select_related("campaign"):
        yield contest.pk, str(contest)


register(Source(code="contest.winners", kind="contest_diploma", label="Дипломы победителей и призёров конкурса",
                holders=winner_holders, subjects=contest_subjects))
register(Source(code="contest.participants", kind="contest_participant",
                label="Сертификаты участников конкурса", holders=participant_holders, subjects=contest_subjects))
