from __future__ import annotations

import pytest
from django.utils import timezone

from qualityweek.campaigns import demo as campaigns_demo
from qualityweek.core.demo import DemoContext
from qualityweek.directory import demo as directory_demo
from qualityweek.forum import demo
from qualityweek.forum.models import Forum, Registration, Ticket, Venue

pytestmark = pytest.mark.django_db


def test_demo_forum_has_every_state_and_a_full_session():
    ctx = DemoContext(seed=3, organisations=200, today=timezone.localdate(), on_progress=lambda *a: None)
    directory_demo.build(ctx)
    campaigns_demo.build(ctx)
    counts = demo.build(ctx)
    forum = Forum.objects.get()
    assert forum.days.count() == 3
    assert forum.days.filter(is_regional=True).count() == 1
    assert Venue.objects.filter(kind="regional").count() == 20
    assert not Venue.objects.filter(kind="regional", region__code="43").exists()  # left for Kirov's coordinator
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Registration.Status}
    assert counts["регистраций на форум"] >= 200
    full = forum.sessions.get(capacity=20)
    assert full.taken == 20
    assert Registration.objects.filter(session=full, status="waitlisted").exists()
    assert Ticket.objects.filter(checked_in_at__isnull=False).exists()
    assert Registration.objects.filter(joined_at__isnull=False).exists()
    assert set(Registration.objects.values_list("kind", flat=True)) >= {"individual", "group"}
    last = forum.sessions.get(title=demo.LAST_SEAT_SESSION)  # one seat left, nobody waiting
    assert last.capacity is not None
    assert last.taken == last.capacity - 1
    assert not Registration.objects.filter(session=last, status__in=["waitlisted", "offered"]).exists()


def test_demo_wipe_removes_the_forum():
    ctx = DemoContext(seed=4, organisations=100, today=timezone.localdate(), on_progress=lambda *a: None)
    directory_demo.build(ctx)
    campaigns_demo.build(ctx)
    demo.build(ctx)
    demo.wipe()
    assert not Forum.objects.exists()
    assert not Venue.objects.exists()


def test_demo_teacher_staffs_the_forum_check_in(client):
    ctx = DemoContext(seed=5, organisations=100, today=timezone.localdate(), on_progress=lambda *a: None)
    directory_demo.build(ctx)
    campaigns_demo.build(ctx)
    demo.build(ctx)
    from qualityweek.directory.models import User

    client.force_login(User.objects.get(email=demo.STAFF_EMAIL))
    assert client.get(f"/forum/{Forum.objects.get().pk}/checkin/").status_code == 200
    assert [email for email, _ in demo.DEMO_LOGINS] == [demo.DESK_EMAIL]
    client.force_login(User.objects.get(email=demo.DESK_EMAIL))
    assert client.get(f"/forum/{Forum.objects.get().pk}/checkin/").status_code == 200
    assert client.get("/forum/my/").status_code == 200
