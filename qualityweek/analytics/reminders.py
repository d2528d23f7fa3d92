"""The reminder job's work: one e-mail per organisation (its own address and its representatives'),
a Reminder row and an audit entry for each."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string

from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit, mail
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Organisation, Role, RoleAssignment, User

from .models import Reminder


def recipients_of(organisation: Organisation, reps: dict[int, list[str]]) -> list[str]:
    emails = [organisation.email] if organisation.email else []
    return sorted({e.lower() for e in emails + reps.get(organisation.pk, []) if e})


def send(*, campaign_id: int, organisation_ids: list[int], sender_id: int | None,
         on_progress: Callable[[int, int], None], job_id: str = "") -> tuple[int, int]:
    """Remind each organisation once per job: one already tried by an earlier run of the same job (the
    reaper's restart, a retry) is skipped; one a dead run left «sending» becomes «unknown»."""
    campaign = Campaign.objects.get(pk=campaign_id)
    tried: set[int] = set()
    if job_id:
        Reminder.objects.filter(job_id=job_id, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.UNKNOWN, error="Отправка прервалась: напоминание могло уйти.")
        tried = set(Reminder.objects.filter(job_id=job_id).values_list("organisation_id", flat=True))
    sender = User.objects.filter(pk=sender_id).first() if sender_id is not None else None
    actor = Actor(user=sender) if sender is not None else Actor.system()
    orgs = list(Organisation.objects.filter(pk__in=organisation_ids).select_related("region").order_by("pk"))
    reps: dict[int, list[str]] = {}
    for org_id, email in (RoleAssignment.objects.filter(organisation_id__in=organisation_ids, role=Role.ORG_REP,
                                                        user__is_active=True)
                          .values_list("organisation_id", "user__email")):
        reps.setdefault(org_id, []).append(email)
    sent = skipped = 0
    with mail.session() as session:
        for done, org in enumerate(orgs, start=1):
            to = recipients_of(org, reps)
            if org.pk in tried:
                pass
            elif to:
                _remind(session, campaign, org, to, sender, actor, job_id)
                sent += 1
            else:
                skipped += 1
            on_progress(done, len(orgs))
    return sent, skipped


def _remind(session: mail.Session, campaign: Campaign, org: Organisation, to: list[str], sender: User | None,
            actor: Actor, job_id: str) -> None:
    body = render_to_string("analytics/email/reminder.txt", {
        "organisation": org, "campaign": campaign, "deadline": campaign.deadline_for(org.region),
        "site_url": settings.SITE_URL, "sender": sender})
    message = mail.message(to=to, subject=f"Напоминание: отчёт о Неделе качества {campaign.year}", body=body,
                           message_id=mail.stable_message_id("reminder", job_id or "once", org.pk) if job_id else "")
    # Recorded (committed) before the SMTP call, its outcome after.
    reminder = Reminder.objects.create(campaign=campaign, organisation=org, sent_by=sender, recipients=to,
                                       status=Reminder.Status.SENDING, job_id=job_id)
    try:
        session.send(message)
    except mail.DeliveryError as exc:
        status = Reminder.Status.UNKNOWN if exc.uncertain else Reminder.Status.FAILED
        Reminder.objects.filter(pk=reminder.pk).update(status=status, error=exc.reason[:500])
        if not exc.uncertain:
            raise  # a refused message fails the job, as before
        return
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.SENT)
    audit.record(actor=actor, action="analytics.reminder_sent", obj=org,
                 after={"campaign": campaign.year, "recipients": to, "reminder": reminder.pk})
