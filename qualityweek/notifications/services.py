"""Every write of notifications: create them for an event (once per person and event), mark them
read, save a person's mail preferences, and the periodic deadline reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qualityweek.activities.models import Activity, RegionalReport
from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import can, require
from qualityweek.core.text import count_ru, date_ru
from qualityweek.directory.models import Organisation, Region, Role, RoleAssignment, User

from . import sending
from .kinds import KINDS
from .models import Notification, Preference

E = Notification.Email


def _email_state(user: User, kind: str, prefs: dict[int, Preference]) -> str:
    if not KINDS[kind].mailed_here or not user.email:
        return E.NONE
    pref = prefs.get(user.pk)
    if pref is not None and kind in pref.email_off:
        return E.OFF
    if pref is not None and pref.daily_digest:
        return E.DIGEST
    return E.QUEUED


@transaction.atomic
def notify(*, users: Sequence[User], kind: str, key: str, title: str, body: str = "", url: str = "",
           mail: bool = True) -> list[int]:
    """Tell each person about one event. The same ``key`` for the same person is the same event: told
    once, however often the caller runs (a rerun job, a retried request). Letters go out after commit
    (``sending.send_queued``); ``mail=False`` (the demo) writes no letter. Returns the ids created now."""
    if kind not in KINDS:
        raise LookupError(f"Unknown notification kind {kind!r}.")
    people = {u.pk: u for u in users if u is not None}
    if not people:
        return []
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(people))}
    known = set(Notification.objects.filter(user_id__in=list(people), key=key).values_list("user_id", flat=True))
    created: list[int] = []
    for pk, user in people.items():
        if pk in known:
            continue
        try:
            with transaction.atomic():  # a concurrent twin of this event: its row wins, ours is skipped
                email = _email_state(user, kind, prefs) if mail else E.NONE
                n = Notification.objects.create(user=user, kind=kind, key=key[:200], title=title[:300], body=body,
                                                url=url[:300], email=email)
        except IntegrityError:
            continue
        created.append(n.pk)
    to_mail = list(Notification.objects.filter(pk__in=created, email=E.QUEUED).values_list("pk", flat=True))
    if to_mail:
        transaction.on_commit(lambda: sending.send_notifications_task.enqueue(ids=to_mail))
    return created


def mark_read(*, actor: Actor, notification: Notification) -> Notification:
    require(actor, "read", notification)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, actor: Actor) -> int:
    return Notification.objects.filter(user_id=actor.user.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def save_preferences(*, actor: Actor, email_off: Iterable[str], daily_digest: bool) -> Preference:
    off = sorted(set(email_off))
    unknown = [k for k in off if k not in KINDS]
    if unknown:
        raise ValidationError({"email_off": "Неизвестный вид уведомлений."})
    pref, _ = Preference.objects.select_for_update().get_or_create(user=actor.user)
    require(actor, "change", pref)
    if daily_digest and not can(actor, "digest", pref):
        raise ValidationError({"daily_digest": "Ежедневная сводка доступна региональным координаторам."})
    before = audit.snapshot(pref, ["email_off", "daily_digest"])
    pref.email_off, pref.daily_digest = off, daily_digest
    pref.save()
    audit.record(actor=actor, action="notifications.preferences", obj=pref, before=before,
                 after=audit.snapshot(pref, ["email_off", "daily_digest"]))
    return pref


# --- Deadline reminders (a periodic job: once each, however often it runs) ---------------------------

REMIND_AT = {7: "deadline_7", 1: "deadline_1"}
OPEN = (Activity.Status.PLANNED, Activity.Status.RETURNED)


def remind_deadlines(*, now: dt.datetime | None = None) -> int:
    """Seven days and one day before a region's report deadline (the end of the day in the region's
    own time zone), tell the representatives of its organisations with reports still to send and the
    coordinators whose regional report is not sent. The event key carries the campaign and the day,
    so a second run (or a second worker) tells nobody twice. Returns how many were told now."""
    now = now or timezone.now()
    told = 0
    campaigns = Campaign.objects.filter(phase__in=[Campaign.Phase.RUNNING, Campaign.Phase.REPORTING],
                                        submissions_closed=False).prefetch_related("windows")
    regions = list(Region.objects.order_by("code"))
    for campaign in campaigns:
        for region in regions:
            days = (campaign.deadline_for(region) - now.astimezone(region.zone).date()).days
            if days in REMIND_AT:
                told += _remind_region(campaign, region, days)
    return told


def _remind_region(campaign: Campaign, region: Region, days: int) -> int:
    kind = REMIND_AT[days]
    deadline = date_ru(campaign.deadline_for(region))
    left = count_ru(days, "день", "дня", "дней")
    key = f"deadline:{campaign.year}:{days}"
    told = 0
    open_orgs = (Activity.objects.filter(campaign=campaign, region=region, status__in=OPEN)
                 .values_list("organisation_id", flat=True).distinct())
    reps = User.objects.filter(is_active=True, roles__role=Role.ORG_REP, roles__organisation_id__in=open_orgs,
                               roles__organisation__status=Organisation.Status.ACTIVE).distinct()
    told += len(notify(users=list(reps), kind=kind, key=key, url="/activities/?status=planned",
                       title=f"До срока отчёта {left}: {deadline}",
                       body=f"Отправьте отчёты о проведённых мероприятиях до конца дня {deadline} "
                            f"(по времени вашего региона). Неотправленные отчёты ждут в «Моём кабинете»."))
    sent = set(RegionalReport.objects.filter(campaign=campaign, region=region, status__in=[
        RegionalReport.Status.SUBMITTED, RegionalReport.Status.ACCEPTED]).values_list("sector", flat=True))
    for ra in (RoleAssignment.objects.filter(role=Role.COORDINATOR, region=region).exclude(sector__in=sent)
               .select_related("user")):
        told += len(notify(users=[ra.user], kind=kind, key=f"{key}:{ra.sector}", url="/reports/",
                           title=f"До срока регионального отчёта {left}: {deadline}",
                           body="Проверьте отчёты организаций и отправьте региональный отчёт оператору."))
    return told
