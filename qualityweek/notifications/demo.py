"""Demo data of this app (a step of qualityweek/demo/steps.py): a few notifications for the demo
people, made from what the other steps created, so a newcomer's header shows an unread count and the
cabinet a list. No letter is sent (``mail=False``)."""

from __future__ import annotations

from django.urls import reverse

from qualityweek.activities.models import Activity
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.demo import DemoContext
from qualityweek.core.text import date_ru
from qualityweek.directory.models import Role, RoleAssignment
from qualityweek.outreach.models import SECTOR_OF_AUTHORITY, Delivery

from . import services
from .models import Digest, Notification, Preference

DEMO_DOMAIN = "@demo.qualityweek.ru"


def build(ctx: DemoContext) -> dict[str, int]:
    created = 0
    people = list(RoleAssignment.objects.filter(user__email__endswith=DEMO_DOMAIN)
                  .select_related("user", "organisation", "region").order_by("user__email", "pk"))
    campaign = current_campaign(ctx.today)
    for n, ra in enumerate(people):
        ctx.on_progress(n, len(people), "Уведомления")
        user = ra.user
        if ra.role in (Role.ORG_REP, Role.TEACHER) and ra.organisation_id:
            for a in (Activity.objects.filter(organisation_id=ra.organisation_id, status=Activity.Status.RETURNED)
                      .order_by("-reviewed_at", "pk")[:2]):
                created += len(services.notify(
                    users=[user], kind="report_returned", key=f"demo:activity:{a.pk}:returned", mail=False,
                    title=f"Отчёт возвращён на доработку: {a.title}",
                    body=f"Комментарий координатора: {a.review_comment}",
                    url=reverse("activity_report", args=[a.pk])))
            for a in (Activity.objects.filter(organisation_id=ra.organisation_id, status=Activity.Status.APPROVED)
                      .order_by("-reviewed_at", "pk")[:2]):
                created += len(services.notify(
                    users=[user], kind="report_approved", key=f"demo:activity:{a.pk}:approved", mail=False,
                    title=f"Отчёт принят: {a.title}", url=reverse("activity_detail", args=[a.pk])))
        if ra.role == Role.COORDINATOR and ra.region_id:
            authority = [k for k, v in SECTOR_OF_AUTHORITY.items() if v == ra.sector]
            for d in (Delivery.objects.filter(organisation__region_id=ra.region_id,
                                              organisation__authority__in=authority)
                      .exclude(status=Delivery.Status.QUEUED).select_related("letter").order_by("-pk")[:2]):
                letter = d.letter
                created += len(services.notify(
                    users=[user], kind="letter_received", key=f"demo:delivery:{d.pk}:letter", mail=False,
                    title=f"Новое письмо № {letter.reg_number}", body=letter.title,
                    url=reverse("outreach_letter_detail", args=[letter.pk])))
        if campaign and ra.role in (Role.ORG_REP, Role.COORDINATOR):
            deadline = date_ru(campaign.report_deadline)
            created += len(services.notify(
                users=[user], kind="deadline_7", key=f"demo:deadline:{campaign.year}:{ra.pk}", mail=False,
                title=f"Срок отчётов — {deadline}",
                body="Отчёты о мероприятиях Недели качества принимаются до конца этого дня по времени региона.",
                url=reverse("cabinet")))
    return {"уведомлений": created}


def wipe() -> None:
    Notification.objects.all().delete()
    Digest.objects.all().delete()
    Preference.objects.all().delete()
