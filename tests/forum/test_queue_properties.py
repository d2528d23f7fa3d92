"""For any sequence of registrations, cancellations, acceptances and expiries: the seats held never
exceed the capacity, ``taken`` equals the seats of the registrations holding them, and the queue is
first come, first served — offers go out in queue order and nobody waits while a seat they fit is free."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualityweek.core.audit import Actor
from qualityweek.forum import services
from qualityweek.forum.models import HOLDING, Offer, Registration

from .conftest import make_forum, plenary, sign

S = Registration.Status
pytestmark = pytest.mark.django_db

steps = st.lists(st.one_of(
    st.tuples(st.just("register"), st.integers(0, 0)),
    st.tuples(st.just("group"), st.integers(1, 2)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("accept"), st.integers(0, 30)),
    st.tuples(st.just("expire"), st.integers(0, 0)),
), min_size=1, max_size=40)


def _check(session) -> None:
    session.refresh_from_db()
    holding = Registration.objects.filter(session=session, status__in=HOLDING)
    seats = sum(holding.values_list("seats", flat=True))
    assert seats == session.taken <= session.capacity
    waiting = list(Registration.objects.filter(session=session, status=S.WAITLISTED).order_by("queued_at", "pk"))
    if waiting:
        assert session.taken + waiting[0].seats > session.capacity, "a seat is free while the head waits"
    # Offers were made in the order people joined the queue.
    offered = [o.registration for o in Offer.objects.filter(registration__session=session)
               .select_related("registration").order_by("made_at", "pk")]
    keys = [(r.queued_at, r.pk) for r in offered]
    assert keys == sorted(keys)
    # Nobody still waiting joined the queue before anyone who was offered a seat.
    if offered and waiting:
        assert (waiting[0].queued_at, waiting[0].pk) > max(keys)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(steps)
def test_queue_invariants(world, ops):
    Registration.objects.all().delete()
    forum = make_forum(world.operator, capacity=3, year=2100 + Registration.objects.count()) \
        if not hasattr(world, "_qforum") else world._qforum
    world._qforum = forum
    session = plenary(forum)
    session.__class__.objects.filter(pk=session.pk).update(taken=0)
    Offer.objects.all().delete()
    now = timezone.now()
    made = 0
    for op, n in ops:
        regs = list(Registration.objects.filter(session=session).order_by("pk"))
        if op == "register":
            sign(forum, f"p{made}@example.ru")
            made += 1
        elif op == "group":
            sign(forum, f"g{made}@example.ru", actor=Actor.system(), kind="group", pupils=n, adults=1)
            made += 1
        elif op == "expire":
            now += dt.timedelta(hours=forum.offer_hours + 1)
            services.expire_offers(now=now)
        elif regs:
            r = regs[n % len(regs)]
            if op == "cancel" and r.status in {S.PENDING, S.CONFIRMED, S.WAITLISTED, S.OFFERED}:
                services.cancel(actor=Actor.system(), registration=r)
            elif op == "accept" and r.status == S.OFFERED and r.offer_expires_at > timezone.now():
                services.accept_offer(actor=Actor.system(), registration=r)
        _check(session)
