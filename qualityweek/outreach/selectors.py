"""Reads for outreach, always scoped to the user asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from qualityweek.campaigns.selectors import visible_campaigns
from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation, Region

from .models import (
    Delivery,
    Dispatch,
    Letter,
    LetterTemplate,
    Material,
    Register,
    Request,
    Sender,
)
from .scopes import AUTHORITY_OF_SECTOR, NOTHING, sender_filter

_NOTHING = NOTHING


def senders_for(user: Any) -> QuerySet[Sender]:
    return Sender.objects.filter(sender_filter(user)).select_related("organisation__region")


def authority_of(region_id: int, sector: str) -> Organisation | None:
    return Organisation.objects.filter(region_id=region_id, authority=AUTHORITY_OF_SECTOR.get(sector, "-")).first()


def authorities_for(user: Any) -> list[Organisation]:
    """The regional authorities a coordinator works for (their letters' senders)."""
    p = principal(user)
    q = _NOTHING
    for region_id, sector in sorted(p.regions):
        q |= Q(region_id=region_id, authority=AUTHORITY_OF_SECTOR[sector])
    return list(Organisation.objects.filter(q).select_related("region"))


def letters_for(user: Any) -> QuerySet[Letter]:
    """Letters a user may open: the ones they write and the ones their organisations received."""
    p = principal(user)
    qs = Letter.objects.select_related("sender__organisation__region", "campaign", "register", "parent")
    if p.is_operator:
        return qs
    q = sender_filter(user, "sender__")
    addressees = _NOTHING
    for region_id, sector in sorted(p.regions):
        addressees |= Q(organisation__region_id=region_id, organisation__authority=AUTHORITY_OF_SECTOR[sector])
    if p.organisations:
        addressees |= Q(organisation_id__in=sorted(p.organisations))
    if p.regions or p.organisations:
        received = Delivery.objects.filter(addressees).exclude(status=Delivery.Status.QUEUED)
        q |= Q(pk__in=received.values("letter_id"))
    return qs.filter(q)


def written_by(user: Any) -> QuerySet[Letter]:
    return letters_for(user).filter(sender_filter(user, "sender__"))


def with_delivery_counts(letters: QuerySet[Letter]) -> QuerySet[Letter]:
    """Each letter with how many addressees it was sent to, failed for and who acknowledged it (in the
    list's one query): ``n_sent`` counts the acknowledged too, since they were sent first."""
    s = Delivery.Status
    return letters.annotate(
        n_sent=Count("deliveries", filter=Q(deliveries__status__in=[s.SENT, s.ACKNOWLEDGED])),
        n_failed=Count("deliveries", filter=Q(deliveries__status=s.FAILED)),
        n_acknowledged=Count("deliveries", filter=Q(deliveries__status=s.ACKNOWLEDGED)),
        n_deliveries=Count("deliveries")).order_by("-created_at", "-id")


def received_by(user: Any) -> QuerySet[Letter]:
    p = principal(user)
    if not (p.regions or p.organisations):
        return Letter.objects.none()
    return letters_for(user).exclude(sender_filter(user, "sender__")).filter(status=Letter.Status.REGISTERED)


def to_acknowledge(user: Any) -> QuerySet[Delivery]:
    """Letters sent to the user's organisations (or to their authority) not yet acknowledged."""
    p = principal(user)
    q = _NOTHING
    for region_id, sector in sorted(p.regions):
        q |= Q(organisation__region_id=region_id, organisation__authority=AUTHORITY_OF_SECTOR[sector])
    if p.organisations:
        q |= Q(organisation_id__in=sorted(p.organisations))
    return (Delivery.objects.filter(q, letter__status=Letter.Status.REGISTERED,
                                    status__in=[Delivery.Status.SENT, Delivery.Status.UNKNOWN])
            .select_related("letter__sender__organisation", "organisation").order_by("-sent_at", "-pk"))


def not_cascaded(user: Any) -> QuerySet[Letter]:
    """Letters a coordinator's authority received that no registered letter of theirs forwards yet."""
    forwarded = Letter.objects.filter(sender_filter(user, "sender__"), parent__isnull=False,
                                      status=Letter.Status.REGISTERED).values("parent_id")
    return received_by(user).exclude(pk__in=forwarded).order_by("-reg_date", "-pk")


def registers_for(user: Any) -> QuerySet[Register]:
    return Register.objects.filter(sender_filter(user, "sender__")).select_related("sender").annotate(
        used=Count("letters"))


def templates_for(user: Any) -> QuerySet[LetterTemplate]:
    p = principal(user)
    if not (p.is_operator or p.is_coordinator):
        return LetterTemplate.objects.none()
    qs = LetterTemplate.objects.filter(is_active=True)
    if not p.is_operator:
        qs = qs.filter(audience__startswith="cascade_")
    return qs


@dataclass(frozen=True)
class DeliveryCounts:
    total: int
    queued: int
    sent: int
    failed: int
    no_email: int
    acknowledged: int
    sending: int = 0
    unknown: int = 0

    @property
    def delivered(self) -> int:
        return self.sent + self.acknowledged

    @property
    def not_acknowledged(self) -> int:
        return self.sent + self.failed + self.unknown


def delivery_counts(letter: Letter) -> DeliveryCounts:
    rows = dict(letter.deliveries.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return DeliveryCounts(
        total=sum(rows.values()), queued=rows.get("queued", 0), sent=rows.get("sent", 0),
        failed=rows.get("failed", 0), no_email=rows.get("no_email", 0), acknowledged=rows.get("acknowledged", 0),
        sending=rows.get("sending", 0), unknown=rows.get("unknown", 0),
    )


def deliveries_of(letter: Letter, status: str = "") -> QuerySet[Delivery]:
    qs = letter.deliveries.select_related("organisation__region")
    return qs.filter(status=status) if status else qs


def latest_dispatch(letter: Letter) -> Dispatch | None:
    return letter.dispatches.select_related("job").first()


@dataclass(frozen=True)
class DispatchState:
    """What the coordinator may do about a dispatch: resume it, decide on the «unknown» addressees."""

    waiting: int  # never attempted, and no job is sending them
    unknown: int

    @property
    def resumable(self) -> bool:
        return self.waiting > 0


def dispatch_state(dispatch: Dispatch | None) -> DispatchState:
    if dispatch is None:
        return DispatchState(0, 0)
    rows = dict(dispatch.deliveries.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.UNKNOWN])
                .values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    active = dispatch.job is not None and not dispatch.job.is_finished and not dispatch.job.is_stalled
    return DispatchState(waiting=0 if active else rows.get("queued", 0), unknown=rows.get("unknown", 0))


@dataclass(frozen=True)
class DispatchProgress:
    """One dispatch as its banner shows it: running (with how many are sent) or ended (the outcome)."""

    dispatch: Dispatch
    running: bool
    total: int
    sent: int
    failed: int
    no_email: int
    unknown: int

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.no_email + self.unknown


def dispatch_progress(dispatch: Dispatch) -> DispatchProgress:
    """How far one dispatch went (one query); ``sent`` counts the acknowledged ones too."""
    s = Delivery.Status
    rows = dict(dispatch.deliveries.order_by().values_list("status").annotate(n=Count("id"))
                .values_list("status", "n"))
    job = dispatch.job
    return DispatchProgress(
        dispatch=dispatch, running=job is not None and not job.is_finished and not job.is_stalled,
        total=sum(rows.values()), sent=rows.get(s.SENT, 0) + rows.get(s.ACKNOWLEDGED, 0),
        failed=rows.get(s.FAILED, 0), no_email=rows.get(s.NO_EMAIL, 0), unknown=rows.get(s.UNKNOWN, 0))


@dataclass
class FunnelRow:
    region: Region
    received: int = 0
    acknowledged: int = 0
    forwarded: int = 0
    organisations: int = 0
    organisations_acknowledged: int = 0


def funnel(letter: Letter) -> list[FunnelRow]:
    """Per region: the letter received → acknowledged → forwarded → organisations acknowledged.

    Four aggregate queries whatever the number of regions (no N+1)."""
    rows = {r.pk: FunnelRow(region=r) for r in Region.objects.order_by("code")}
    got = Q(status__in=[Delivery.Status.SENT, Delivery.Status.ACKNOWLEDGED])
    for region_id, received, acknowledged in (
        letter.deliveries.values("organisation__region_id").annotate(
            r=Count("id", filter=got), a=Count("id", filter=Q(status=Delivery.Status.ACKNOWLEDGED)))
        .values_list("organisation__region_id", "r", "a")
    ):
        rows[region_id].received += received
        rows[region_id].acknowledged += acknowledged
    children = Letter.objects.filter(parent=letter, status=Letter.Status.REGISTERED)
    forwarded = Delivery.objects.filter(letter__in=children).filter(got | Q(status=Delivery.Status.FAILED))
    for region_id, n in (forwarded.values("letter__sender__organisation__region_id")
                         .annotate(n=Count("letter_id", distinct=True))
                         .values_list("letter__sender__organisation__region_id", "n")):
        rows[region_id].forwarded += n
    for region_id, total, acknowledged in (
        Delivery.objects.filter(letter__in=children).values("letter__sender__organisation__region_id")
        .annotate(t=Count("id", filter=got), a=Count("id", filter=Q(status=Delivery.Status.ACKNOWLEDGED)))
        .values_list("letter__sender__organisation__region_id", "t", "a")
    ):
        rows[region_id].organisations += total
        rows[region_id].organisations_acknowledged += acknowledged
    return [row for row in rows.values() if row.received or row.forwarded or row.organisations]


def cascade_audience(user: Any, *, kind: str = "", municipality: str = "") -> QuerySet[Organisation]:
    """The organisations a coordinator (or the operator) may send letters to."""
    qs = Organisation.objects.visible_to(user).filter(status=Organisation.Status.ACTIVE, authority="")
    if kind:
        qs = qs.filter(kind=kind)
    if municipality:
        qs = qs.filter(municipality__iexact=municipality.strip())
    return qs.select_related("region", "head")


@dataclass(frozen=True)
class MaterialFilter:
    kind: str = ""
    audience: str = ""
    campaign: int | None = None

    def as_query(self) -> str:
        parts = [f"kind={self.kind}" if self.kind else "", f"audience={self.audience}" if self.audience else "",
                 f"campaign={self.campaign}" if self.campaign else ""]
        return "&".join(p for p in parts if p)


def materials_for(user: Any, flt: MaterialFilter | None = None) -> QuerySet[Material]:
    qs = Material.objects.select_related("campaign").prefetch_related("audiences")
    if not principal(user).is_operator:
        # A draft campaign's materials stay with the operator until it is announced.
        qs = qs.filter(Q(campaign__isnull=True) | Q(campaign__in=visible_campaigns(user)), is_published=True)
    if flt:
        if flt.kind:
            qs = qs.filter(kind=flt.kind)
        if flt.audience:
            qs = qs.filter(audiences__audience=flt.audience)
        if flt.campaign:
            qs = qs.filter(Q(campaign__year=flt.campaign) | Q(campaign__isnull=True))
    return qs


def requests_for(user: Any, status: str = "") -> QuerySet[Request]:
    if not principal(user).is_operator:
        return Request.objects.none()
    qs = Request.objects.select_related("region", "assignee").prefetch_related(
        Prefetch("replies", to_attr="reply_list"))
    return qs.filter(status=status) if status else qs


def national_funnel(campaign: Any) -> dict[str, int]:
    """The operator's letters of a campaign: registered, delivered, acknowledged, cascaded (three queries)."""
    national = Letter.objects.filter(campaign=campaign, parent__isnull=True, status=Letter.Status.REGISTERED)
    delivered = (Delivery.Status.SENT, Delivery.Status.ACKNOWLEDGED, Delivery.Status.UNKNOWN)
    counts = Delivery.objects.filter(letter__in=national).aggregate(
        delivered=Count("id", filter=Q(status__in=delivered)),
        acknowledged=Count("id", filter=Q(status=Delivery.Status.ACKNOWLEDGED)))
    cascades = Letter.objects.filter(campaign=campaign, parent__in=national, status=Letter.Status.REGISTERED).count()
    return {"letters": national.count(), **counts, "cascades": cascades}
