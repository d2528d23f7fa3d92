"""The notification letters, through the one mail API (``core.mail``), each exactly once.

A letter is claimed («sending», committed on its own, with the time of the attempt) before the SMTP
call and its outcome written after; a rerun sends only what was never attempted, and a claim a dead
worker left behind becomes «unknown» for a person to judge (decision 0015). Every letter has a stable
Message-ID. Coordinators who chose the daily digest get one letter a day with what arrived since the
last one: the day's ``Digest`` row is the claim."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from qualityweek.core import mail
from qualityweek.core.text import date_ru

from .models import Digest, Notification

E = Notification.Email
LOST_AFTER = dt.timedelta(minutes=15)  # a claim older than this belongs to a worker that died


def _link(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def mark_lost(now: dt.datetime | None = None) -> int:
    """Letters claimed long ago and never finished: they may have gone out («unknown»)."""
    now = now or timezone.now()
    return Notification.objects.filter(email=E.SENDING, emailed_at__lt=now - LOST_AFTER).update(
        email=E.UNKNOWN, email_error=mail.UNCERTAIN_REASON)


def send_queued(ids: Sequence[int] | None = None) -> tuple[int, int]:
    """Send the queued letters (those named, or all); returns (sent, failed) of this run."""
    qs = Notification.objects.filter(email=E.QUEUED).select_related("user").order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    sent = failed = 0
    pending = list(qs[:1000])
    if not pending:
        return 0, 0
    settings_url = settings.SITE_URL + reverse("notification_settings")
    with mail.session() as session:
        for n in pending:
            message = mail.message(
                to=[n.user.email], subject=f"{n.title} — Неделя качества",
                body=render_to_string("notifications/email/notification.txt", {
                    "n": n, "link": _link(n.url) if n.url else "", "settings_url": settings_url}),
                message_id=mail.stable_message_id("notification", n.pk))
            if not Notification.objects.filter(pk=n.pk, email=E.QUEUED).update(email=E.SENDING,
                                                                              emailed_at=timezone.now()):
                continue  # another run claimed it
            changes: dict[str, object]
            try:
                session.send(message)
            except mail.DeliveryError as exc:
                changes = {"email": E.UNKNOWN if exc.uncertain else E.FAILED, "email_error": exc.reason}
                failed += 1
            else:
                changes = {"email": E.SENT, "email_error": "", "emailed_at": timezone.now()}
                sent += 1
            Notification.objects.filter(pk=n.pk, email=E.SENDING).update(**changes)
    return sent, failed


@task()
def send_notifications_task(*, ids: list[int]) -> list[int]:
    return list(send_queued(ids))


def send_digests(*, now: dt.datetime | None = None) -> int:
    """One summary letter per person and day with their «digest» notifications not yet summarised."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    users = (Notification.objects.filter(email=E.DIGEST, digest__isnull=True)
             .values_list("user_id", flat=True).distinct())
    settings_url = settings.SITE_URL + reverse("notification_settings")
    sent = 0
    for user_id in sorted(set(users)):
        try:
            with transaction.atomic():
                digest = Digest.objects.create(user_id=user_id, day=day)  # the claim, committed before SMTP
                Notification.objects.filter(user_id=user_id, email=E.DIGEST, digest__isnull=True).update(
                    digest=digest)
        except IntegrityError:
            continue  # today's letter is already claimed: what arrived since waits for tomorrow's
        items = list(digest.items.select_related("user").order_by("created_at", "pk"))
        if not items:
            continue
        user = items[0].user
        message = mail.message(
            to=[user.email], subject=f"Сводка уведомлений за {date_ru(day)} — Неделя качества",
            body=render_to_string("notifications/email/digest.txt", {
                "items": [(n, _link(n.url) if n.url else "") for n in items], "settings_url": settings_url}),
            message_id=mail.stable_message_id("digest", digest.pk))
        try:
            with mail.session() as session:
                session.send(message)
        except mail.DeliveryError as exc:
            Digest.objects.filter(pk=digest.pk).update(
                status=Digest.Status.UNKNOWN if exc.uncertain else Digest.Status.FAILED, error=exc.reason)
        else:
            Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.SENT)
            sent += 1
    return sent
