"""Messages with attachments, sent from jobs: the ticket (PDF) and the reminders (iCal).

Each is claimed by a conditional UPDATE before it is sent (``emailed_at``, ``reminded_*_at``), so a
job run twice — or two workers — never mails the same message twice; a refused message gives the
claim back so that the next run tries again."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from qualityweek.core import mail

from .ical import calendar
from .models import Member, Registration, Ticket
from .pdf import ticket_pdf
from .services import display_code, personal_url

log = logging.getLogger(__name__)
S = Registration.Status


def send_ticket(*, registration_id: int) -> bool:
    now = timezone.now()
    if not Ticket.objects.filter(registration_id=registration_id, emailed_at__isnull=True,
                                 registration__status=S.CONFIRMED).update(emailed_at=now):
        return False
    registration = Registration.objects.select_related("forum", "session", "venue", "ticket").get(pk=registration_id)
    context = {"r": registration, "code": display_code(registration.ticket.code), "url": personal_url(registration)}
    msg = _ticket_message(registration, to=registration.email, code=registration.ticket.code,
                          body=render_to_string("forum/email/ticket.txt", context),
                          message_id=mail.stable_message_id("forum-ticket", registration.pk))
    try:
        mail.send_now(msg)
    except mail.DeliveryError as exc:
        if not exc.uncertain:
            Ticket.objects.filter(registration_id=registration_id).update(emailed_at=None)
        log.warning("Ticket of registration %s not sent: %s", registration_id, exc.reason)
        return False
    return True


def _ticket_message(registration: Registration, member: Member | None = None, *, to: str, code: str, body: str,
                    message_id: str):
    """A ticket letter: the PDF ticket (the member's own when given) and the session in a calendar file."""
    return mail.message(to=[to], subject=f"{registration.forum.title}: ваш билет", body=body,
                        attachments=[(f"bilet-{code}.pdf", ticket_pdf(registration, member), "application/pdf"),
                                     ("forum.ics", calendar([registration.session], name=registration.forum.title),
                                      "text/calendar")],
                        message_id=message_id)


def send_member_tickets(*, registration_id: int) -> int:
    """Each named member of a confirmed delegation with an address gets their own ticket, once."""
    sent = 0
    ids = Member.objects.filter(registration_id=registration_id, registration__status=S.CONFIRMED,
                                emailed_at__isnull=True).exclude(email="").values_list("pk", flat=True)
    for pk in list(ids):
        if not Member.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue  # another run took it
        member = Member.objects.select_related("registration__forum", "registration__session",
                                               "registration__venue").get(pk=pk)
        registration = member.registration
        context = {"r": registration, "m": member, "code": display_code(member.code)}
        msg = _ticket_message(registration, member, to=member.email, code=member.code,
                              body=render_to_string("forum/email/member_ticket.txt", context),
                              message_id=mail.stable_message_id("forum-member-ticket", member.pk))
        try:
            mail.send_now(msg)
        except mail.DeliveryError as exc:
            if not exc.uncertain:
                Member.objects.filter(pk=pk).update(emailed_at=None)
            log.warning("Ticket of delegation member %s not sent: %s", pk, exc.reason)
            continue
        sent += 1
    return sent


REMINDERS = (("reminded_day_at", dt.timedelta(days=1), "завтра"), ("reminded_hour_at", dt.timedelta(hours=1),
                                                                     "через час"))


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail confirmed registrants a day and an hour before their session, each reminder once."""
    now = now or timezone.now()
    sent = 0
    for field, ahead, when in REMINDERS:
        due = (Registration.objects.filter(status=S.CONFIRMED, session__starts_at__gt=now,
                                           session__starts_at__lte=now + ahead, **{f"{field}__isnull": True})
               .values_list("pk", flat=True)[:2000])
        for pk in list(due):
            if not Registration.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}):
                continue  # another run took it
            if field == "reminded_hour_at":  # an hour before makes the day-before reminder moot
                Registration.objects.filter(pk=pk, reminded_day_at__isnull=True).update(reminded_day_at=F(field))
            sent += _remind(pk, field, when)
    return sent


def _remind(pk: int, field: str, when: str) -> int:
    registration = Registration.objects.select_related("forum", "session", "venue").get(pk=pk)
    context = {"r": registration, "when": when, "url": personal_url(registration),
               "starts": timezone.localtime(registration.session.starts_at)}
    msg = mail.message(to=[registration.email], subject=f"{registration.forum.title}: {when} — "
                                                        f"{registration.session.title}",
                       body=render_to_string("forum/email/reminder.txt", context),
                       attachments=[("forum.ics", calendar([registration.session], name=registration.forum.title),
                                     "text/calendar")],
                       message_id=mail.stable_message_id("forum-reminder", field, registration.pk))
    try:
        mail.send_now(msg)
    except mail.DeliveryError as exc:
        if not exc.uncertain:
            Registration.objects.filter(pk=pk).update(**{field: None})
        log.warning("Reminder %s of registration %s not sent: %s", field, pk, exc.reason)
        return 0
    return 1
