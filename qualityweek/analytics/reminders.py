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
         on_progress: Callable[[int, int], None]) -> tuple[int, int]:
    campaign = Campaign.objects.get(pk=campaign_id)
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
            if to:
                _remind(session, campaign, org, to, sender, actor)
                sent += 1
            else:
                skipped += 1
            on_progress(done, len(orgs))
    return sent, skipped


def _remind(session: mail.Session, campaign: Campaign, org: Organisation, to: list[str], sender: User | None,
            actor: Actor) -> None:
    body = render_to_string("analytics/email/reminder.txt", {
        "organisation": org, "campaign": campaign, "deadline": campaign.deadline_for(org.region),
        "site_url": settings.SITE_URL, "sender": sender})
    # A refused message fails the job (DeliveryError) before the reminder is recorded.
    session.send(mail.message(to=to, subject=f"Напоминание: отчёт о Неделе качества {campaign.year}", body=body))
    reminder = Reminder.objects.create(campaign=campaign, organisation=org, sent_by=sender, recipients=to)
    audit.record(actor=actor, action="analytics.reminder_sent", obj=org,
                 after={"campaign": campaign.year, "recipients": to, "reminder": reminder.pk})
