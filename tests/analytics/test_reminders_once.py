"""Reminders reach each organisation once per job, over real SMTP (tests/smtp.py): a run broken right
after a message left is retried and reminds only those never tried; a lost reply is «unknown»."""

from __future__ import annotations

import pytest

from qualityweek.analytics import denominators, services
from qualityweek.analytics.models import Reminder
from qualityweek.core import jobs
from qualityweek.core import mail as core_mail
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job
from tests import factories as f
from tests.smtp import SmtpServer

SILENT = ["kluchi@example.ru", "lipki@example.ru", "dubki@example.ru"]


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


@pytest.fixture
def silent(world, campaign):
    orgs = [f.organisation("43", name=f"Школа {email}", email=email) for email in SILENT]
    denominators.refresh_denominators()
    return orgs


def remind(world, campaign, capture) -> Job:
    with capture(execute=True):
        job, _ = services.send_reminders(actor=Actor(user=world.kirov_edu), campaign=campaign,
                                         region=world.kirov_school.region, sector="education",
                                         organisation_ids=[o.pk for o in silent_orgs(world)])
    assert job is not None
    job.refresh_from_db()
    return job


def silent_orgs(world):
    from qualityweek.directory.models import Organisation
    return Organisation.objects.filter(email__in=SILENT)


def test_a_broken_reminder_run_is_retried_and_reminds_each_once(world, campaign, silent, smtp, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    original = core_mail.Session.send
    calls = {"n": 0}

    def crash_after_first(self, msg):
        original(self, msg)
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("обработчик упал")

    monkeypatch.setattr(core_mail.Session, "send", crash_after_first)
    job = remind(world, campaign, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert list(Reminder.objects.values_list("status", flat=True)) == ["sending"]

    monkeypatch.setattr(core_mail.Session, "send", original)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.retry_job(actor=Actor(user=world.kirov_edu), job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert sorted(Reminder.objects.values_list("status", flat=True)) == ["sent", "sent", "unknown"]
    assert smtp.count_to() == dict.fromkeys(SILENT, 1)
    ids = {m["Message-ID"] for m in smtp.messages}
    assert len(ids) == 3
    assert all(str(job.pk) in i for i in ids)


def test_a_lost_reply_leaves_the_reminder_unknown(world, campaign, silent, smtp,
                                                 django_capture_on_commit_callbacks):
    smtp.drop_reply.add(SILENT[1])
    job = remind(world, campaign, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE
    statuses = dict(Reminder.objects.values_list("organisation__email", "status"))
    assert statuses == {SILENT[0]: "sent", SILENT[1]: "unknown", SILENT[2]: "sent"}
    assert smtp.count_to() == dict.fromkeys(SILENT, 1)
