"""Exactly one letter per addressee over real SMTP (tests/smtp.py): a lost SMTP reply leaves the addressee
«unknown» (never «queued»), a dispatch broken midway is resumed with «Продолжить рассылку» and mails
only those never attempted, and a message sent again keeps its Message-ID."""

from __future__ import annotations

import pytest

from qualityweek.core import mail
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job
from qualityweek.directory.models import Organisation
from qualityweek.outreach import tasks
from qualityweek.outreach.models import Delivery, Dispatch

WITH_EMAIL = ["43", "16", "77", "78", "66"]
DROPPED = "edu77@authority.example.ru"


@pytest.fixture
def letter(world, authorities, make_letter):
    """Five education authorities with an e-mail, the rest without (they are not mailed at all)."""
    Organisation.objects.filter(authority="education").exclude(region__code__in=WITH_EMAIL).update(email="")
    return make_letter()


def dispatch_to_authorities(letter, user, capture) -> Dispatch:
    with capture(execute=True):
        return tasks.start_dispatch(actor=Actor(user=user), letter=letter,
                                    audience=Dispatch.Audience.EDUCATION_AUTHORITIES)


def statuses(dispatch: Dispatch) -> dict[str, str]:
    return dict(dispatch.deliveries.exclude(status=Delivery.Status.NO_EMAIL).values_list("email", "status"))


def test_a_lost_smtp_reply_leaves_the_addressee_unknown(client, world, letter, smtp,
                                                         django_capture_on_commit_callbacks):
    smtp.drop_reply.add(DROPPED)
    dispatch = dispatch_to_authorities(letter, world.operator, django_capture_on_commit_callbacks)

    assert statuses(dispatch) == {f"edu{c}@authority.example.ru": "sent" for c in WITH_EMAIL} | {DROPPED: "unknown"}
    assert set(smtp.count_to().values()) == {1}
    assert len(smtp.messages) == 5
    unknown = dispatch.deliveries.get(email=DROPPED)
    assert "могло уйти" in unknown.error
    assert unknown.attempts == 1
    dispatch.job.refresh_from_db()
    assert dispatch.job.status == Job.Status.DONE

    client.force_login(world.operator)
    page = client.get(f"/outreach/letters/{letter.pk}/tracking/").content.decode()
    assert "Не известно, ушло ли письмо: 1 адресат" in page
    assert "Отправить ещё раз" in page
    assert "Считать доставленным" in page
    assert "Продолжить рассылку" not in page  # nobody is left who was never attempted

    # «Отправить ещё раз»: the same message again, with the same Message-ID for the receiver to deduplicate.
    smtp.drop_reply.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/outreach/letters/{letter.pk}/dispatches/{dispatch.pk}/unknown/",
                               {"decision": "resend"})
    assert response.status_code == 302
    assert statuses(dispatch)[DROPPED] == "sent"
    copies = [m for m in smtp.messages if m["To"] == DROPPED]
    assert len(copies) == 2
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]
    others = {m["Message-ID"] for m in smtp.messages if m["To"] != DROPPED}
    assert len(others) == 4
    assert copies[0]["Message-ID"] not in others
    assert smtp.count_to() == {f"edu{c}@authority.example.ru": 1 for c in WITH_EMAIL} | {DROPPED: 2}


def test_an_unknown_addressee_may_be_counted_as_delivered(client, world, letter, smtp,
                                                          django_capture_on_commit_callbacks):
    smtp.drop_reply.add(DROPPED)
    dispatch = dispatch_to_authorities(letter, world.operator, django_capture_on_commit_callbacks)
    client.force_login(world.operator)
    client.post(f"/outreach/letters/{letter.pk}/dispatches/{dispatch.pk}/unknown/", {"decision": "delivered"})
    assert set(statuses(dispatch).values()) == {"sent"}
    assert smtp.count_to()[DROPPED] == 1
    # A bad decision changes nothing and says why, in Russian.
    response = client.post(f"/outreach/letters/{letter.pk}/dispatches/{dispatch.pk}/unknown/",
                           {"decision": "maybe"}, follow=True)
    assert "Выберите: отправить ещё раз или считать доставленным." in response.content.decode()


def test_a_dispatch_broken_midway_is_resumed_and_mails_everyone_once(client, world, letter, smtp, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    """The fault strikes right after the second message left: the worker dies before writing its outcome."""
    original = mail.Session.send
    calls = {"n": 0}

    def crash_after_two(self, msg):
        original(self, msg)
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("обработчик упал")

    monkeypatch.setattr(mail.Session, "send", crash_after_two)
    dispatch_to_authorities(letter, world.operator, django_capture_on_commit_callbacks)  # the task fails
    monkeypatch.setattr(mail.Session, "send", original)
    dispatch = Dispatch.objects.get(letter=letter)
    assert sorted(statuses(dispatch).values()) == ["queued", "queued", "queued", "sending", "sent"]
    assert dispatch.job.status == Job.Status.FAILED

    client.force_login(world.operator)
    page = client.get(f"/outreach/letters/{letter.pk}/tracking/").content.decode()
    assert "Продолжить рассылку" in page
    assert "Ещё не отправлено: 3 адресата" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/outreach/letters/{letter.pk}/dispatches/{dispatch.pk}/resume/")
    assert response.status_code == 302
    dispatch.job.refresh_from_db()
    assert dispatch.job.status == Job.Status.DONE
    assert dispatch.job.attempts == 2
    # The one whose fate the crash hid is «unknown», not mailed again; everyone else got exactly one.
    assert sorted(statuses(dispatch).values()) == ["sent", "sent", "sent", "sent", "unknown"]
    assert smtp.count_to() == {f"edu{c}@authority.example.ru": 1 for c in WITH_EMAIL}
    client.post(f"/outreach/letters/{letter.pk}/dispatches/{dispatch.pk}/unknown/", {"decision": "delivered"})
    assert set(statuses(dispatch).values()) == {"sent"}
    assert smtp.count_to() == {f"edu{c}@authority.example.ru": 1 for c in WITH_EMAIL}
    # Nothing is left to resume: saying so changes nothing.
    response = client.post(f"/outreach/letters/{letter.pk}/dispatches/{dispatch.pk}/resume/", follow=True)
    assert "не осталось адресатов" in response.content.decode()
    assert Job.objects.get(pk=dispatch.job.pk).attempts == 2


def test_a_reply_whose_smtp_answer_was_lost_is_unknown_and_never_sent_twice(client, world, smtp,
                                                                             django_capture_on_commit_callbacks):
    from qualityweek.core import jobs
    from qualityweek.outreach import services
    from qualityweek.outreach.models import RequestReply

    smtp.drop_reply.add("school27@example.ru")
    req = services.submit_request(name="Елена", email="school27@example.ru", topic="advice",
                                  message="Как провести урок качества?")
    client.force_login(world.operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/outreach/requests/{req.pk}/", {"body": "Вот так."})
    reply = RequestReply.objects.get()
    assert reply.status == RequestReply.Status.UNKNOWN
    assert "могло уйти" in reply.error
    assert len(smtp.messages) == 1
    # Running its job again (say the reaper restarted it) sends nothing more.
    job = Job.objects.get(kind="outreach.reply")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.INTERRUPTED)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.restart_job(job=job)
    assert len(smtp.messages) == 1
    assert RequestReply.objects.get().status == RequestReply.Status.UNKNOWN
