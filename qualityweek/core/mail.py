"""Outgoing e-mail goes through a job, after the transaction commits, so an SMTP failure never
breaks the request that caused it and a rolled-back write sends nothing."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string


@task()
def send_email_task(*, to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, None, to, fail_silently=False)


def send_later(*, to: list[str], subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    transaction.on_commit(lambda: send_email_task.enqueue(to=to, subject=subject, body=body))
