from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail as django_mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qualityweek.core.audit import Actor
from qualityweek.forum import sending, services
from qualityweek.forum.models import Consent, Offer, Registration, Ticket, Venue
from qualityweek.forum.services import Applicant
from tests import factories as f

from .conftest import hall, plenary, regional_session, sign

S = Registration.Status
pytestmark = pytest.mark.django_db


def test_registration_confirms_holds_a_seat_issues_a_ticket_and_records_consent(forum,
                                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = sign(forum, "anna@example.ru")
    assert r.status == S.CONFIRMED
    assert plenary(forum).taken == 1
    ticket = Ticket.objects.get(registration=r)
    assert len(ticket.code) == 12
    consent = Consent.objects.get(registration=r)
    assert consent.kind == "personal_data"
    assert consent.ip == "10.0.0.1"
    assert consent.text_sha256 == services.consent_hash(forum.consent_text)
    assert not Consent.objects.filter(kind="partners").exists()
    # The ticket e-mail went out with its PDF and the iCal file.
    sent = [m for m in django_mail.outbox if "билет" in m.subject]
    assert sent
    assert sent[0].to == ["anna@example.ru"]
    names = [a[0] for a in sent[0].attachments]
    assert any(n.endswith(".pdf") for n in names)
    assert "forum.ics" in names
    assert sent[0].attachments[0][1][:4] == b"%PDF"


@pytest.mark.parametrize(("email", "consent", "field"), [("не почта", True, "email"), ("a@example.ru", False,
                                                                                         "consent")])
def test_bad_input_is_a_russian_message_and_changes_nothing(forum, email, consent, field):
    with pytest.raises(ValidationError) as exc:
        services.register(actor=Actor.public(None), forum=forum, session=plenary(forum), venue=hall(forum),
                          applicant=Applicant(name="Петрова Анна", email=email), consent=consent)
    assert field in exc.value.message_dict
    assert not Registration.objects.exists()
    assert plenary(forum).taken == 0


def test_double_registration_is_refused(forum):
    sign(forum, "anna@example.ru")
    with pytest.raises(ValidationError) as exc:
        sign(forum, "ANNA@example.ru")
    assert "уже зарегистрирован" in exc.value.message_dict["email"][0]
    assert Registration.objects.count() == 1


def test_full_session_waitlists_and_a_cancellation_makes_an_offer(world, django_capture_on_commit_callbacks):
    from .conftest import make_forum

    forum = make_forum(world.operator, capacity=2)
    a, b = sign(forum, "a@example.ru"), sign(forum, "b@example.ru")
    with pytest.raises(ValidationError) as exc:
        sign(forum, "x@example.ru", waitlist_ok=False)
    assert "Мест на эту сессию нет" in exc.value.message_dict["session"][0]
    c = sign(forum, "c@example.ru")
    d = sign(forum, "d@example.ru")
    assert (c.status, d.status) == (S.WAITLISTED, S.WAITLISTED)
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(actor=Actor.public(None), registration=a)
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == S.OFFERED
    assert d.status == S.WAITLISTED
    assert any("освободилось место" in m.subject and m.to == ["c@example.ru"] for m in django_mail.outbox)
    assert plenary(forum).taken == 2
    # The offer lapses: the periodic job moves it on to d, and running it again changes nothing.
    later = timezone.now() + dt.timedelta(hours=forum.offer_hours, minutes=1)
    assert services.expire_offers(now=later) == 1
    assert services.expire_offers(now=later) == 0
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == S.EXPIRED
    assert d.status == S.OFFERED
    services.accept_offer(actor=Actor.public(None), registration=d)
    d.refresh_from_db()
    assert d.status == S.CONFIRMED
    assert Ticket.objects.filter(registration=d).exists()
    assert list(Offer.objects.values_list("registration__email", "outcome")) == [("c@example.ru", "expired"),
                                                                                   ("d@example.ru", "accepted")]
    assert plenary(forum).taken == 2
    b.refresh_from_db()
    assert b.status == S.CONFIRMED


def test_approval_by_the_registrants_coordinator_and_decline_with_reason(world):
    from .conftest import make_forum

    forum = make_forum(world.operator, approval=True)
    kirov = f.region("43")
    r = sign(forum, "a@example.ru", region=kirov)
    assert r.status == S.PENDING
    assert plenary(forum).taken == 1
    with pytest.raises(PermissionDenied):
        services.approve(actor=Actor(user=world.moscow_edu), registration=r)
    services.approve(actor=Actor(user=world.kirov_edu), registration=r)
    r.refresh_from_db()
    assert r.status == S.CONFIRMED
    # An edit after approval goes back to approval.
    services.edit(actor=Actor.public(None), registration=r, name="Петрова Анна", region=kirov, organisation=None,
                  answers={})
    r.refresh_from_db()
    assert r.status == S.PENDING
    with pytest.raises(ValidationError):
        services.decline(actor=Actor(user=world.operator), registration=r, reason=" ")
    services.decline(actor=Actor(user=world.operator), registration=r, reason="Нет мест для вашей организации.")
    r.refresh_from_db()
    assert r.status == S.DECLINED
    assert plenary(forum).taken == 0


def test_coordinator_registers_the_venue_and_a_delegation_of_twelve(world, forum):
    kirov = f.region("43")
    coordinator = Actor(user=world.kirov_edu)
    venue = services.register_regional_venue(actor=coordinator, forum=forum, region=kirov, name="Кировская площадка",
                                             address="Киров, ул. Ленина, 1", capacity=40,
                                             contact="Иванова И. И., +7 8332 00-00-00",
                                             connection="Трансляция на экран в актовом зале")
    with pytest.raises(PermissionDenied):
        services.register_regional_venue(actor=Actor(user=world.moscow_edu), forum=forum, region=kirov, name="x",
                                         address="x", capacity=1, contact="x", connection="x")
    r = sign(forum, "kirov.edu@example.ru", session=regional_session(forum), venue=venue, actor=coordinator,
             kind="delegation", adults=12, region=kirov)
    assert r.status == S.CONFIRMED
    assert r.seats == 12
    venue.refresh_from_db()
    assert venue.taken == 12
    assert regional_session(forum).taken == 0  # the hall's quota is not touched
    with pytest.raises(PermissionDenied):
        sign(forum, "p@example.ru", kind="delegation", adults=3)  # a visitor cannot register a delegation


def test_check_in_once_then_refused_with_the_time_of_the_first(world, forum):
    r = sign(forum, "a@example.ru")
    code = services.display_code(r.ticket.code).lower()
    world.forum_staff.roles.update(event_id=forum.pk + 1000)  # staff of another forum
    staff = Actor(user=world.forum_staff)
    with pytest.raises(PermissionDenied):
        services.check_in(actor=staff, forum=forum, code=code)  # staff of event 1, not this forum
    world.forum_staff.roles.update(event_id=forum.pk)
    del world.forum_staff._principal
    first = services.check_in(actor=staff, forum=forum, code=code)
    assert first.ok
    second = services.check_in(actor=staff, forum=forum, code=code)
    assert not second.ok
    assert "уже отмечен" in second.message
    assert second.first_at == first.first_at
    forged = services.check_in(actor=staff, forum=forum, code="ABCD-EFGH-JKLM")
    assert not forged.ok
    assert "не найден" in forged.message
    counts = services.sync_offline(actor=staff, forum=forum, entries=[{"code": r.ticket.code, "at": "x"},
                                                                       {"code": "zzz"}])
    assert counts == {"accepted": 0, "duplicate": 1, "refused": 1}


def test_offline_sync_accepts_each_code_once(world, forum):
    world.forum_staff.roles.update(event_id=forum.pk)
    staff = Actor(user=world.forum_staff)
    regs = [sign(forum, f"p{i}@example.ru") for i in range(3)]
    at = timezone.now().isoformat()
    batch = [{"code": r.ticket.code, "at": at} for r in regs] * 2
    assert services.sync_offline(actor=staff, forum=forum, entries=batch) == {"accepted": 3, "duplicate": 3,
                                                                                "refused": 0}
    assert Ticket.objects.filter(check_in_source="offline").count() == 3


def test_online_join_link_records_entry(forum):
    online = forum.venues.get(kind=Venue.Kind.ONLINE)
    r = sign(forum, "a@example.ru", session=regional_session(forum), venue=online)
    assert services.record_join(token=r.join_token).pk == r.pk
    r.refresh_from_db()
    assert r.joined_at is not None
    assert services.record_join(token="forged") is None


def test_reminders_go_once_with_ical(forum):
    r = sign(forum, "a@example.ru")
    django_mail.outbox.clear()
    starts = plenary(forum).starts_at
    day_before = starts - dt.timedelta(hours=20)
    assert sending.send_reminders(now=day_before) == 1
    assert sending.send_reminders(now=day_before) == 0
    assert sending.send_reminders(now=starts - dt.timedelta(minutes=30)) == 1
    assert sending.send_reminders(now=starts - dt.timedelta(minutes=10)) == 0
    assert len(django_mail.outbox) == 2
    assert django_mail.outbox[0].attachments[0][0] == "forum.ics"
    r.refresh_from_db()
    assert r.reminded_day_at
    assert r.reminded_hour_at


def test_certificate_source_yields_the_checked_in_and_the_online(world, forum):
    from qualityweek.certificates.sources import Subject, get

    source = get("forum.attendance")
    assert source.kind == "forum_attendance"
    assert (forum.pk, f"{forum.title} ({services.date_ru(forum.starts_on)})") in list(source.subjects())
    came = sign(forum, "came@example.ru")
    sign(forum, "absent@example.ru")
    online = sign(forum, "online@example.ru", session=regional_session(forum),
                  venue=forum.venues.get(kind=Venue.Kind.ONLINE))
    world.forum_staff.roles.update(event_id=forum.pk)
    services.check_in(actor=Actor(user=world.forum_staff), forum=forum, code=came.ticket.code)
    services.record_join(token=online.join_token)
    holders = list(source.holders(Subject(subject_id=forum.pk)))
    assert [h.key for h in holders] == [f"registration:{came.pk}", f"registration:{online.pk}"]
    assert holders[0].is_person
    assert holders[0].email == "came@example.ru"
    assert "форуме" in holders[0].reason


def test_forum_tick_command_expires_offers_and_is_idempotent(world):
    from io import StringIO

    from django.core.management import call_command

    from .conftest import make_forum

    forum = make_forum(world.operator, capacity=1)
    first = sign(forum, "a@example.ru")
    second = sign(forum, "b@example.ru")
    services.cancel(actor=Actor.public(None), registration=first)
    Registration.objects.filter(pk=second.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    Offer.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    out = StringIO()
    call_command("forum_tick", "--now", stdout=out)
    assert "expired=1" in out.getvalue()
    second.refresh_from_db()
    assert second.status == S.EXPIRED
    assert plenary(forum).taken == 0
    out = StringIO()
    call_command("forum_tick", "--now", stdout=out)
    assert "expired=0" in out.getvalue()
