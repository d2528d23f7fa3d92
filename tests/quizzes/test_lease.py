"""The Redis store's lease renewal (quizzes/runtime.py ``_RENEW``), run by the real Redis: a node renews
its leases in one call, takes back one that expired while it was starved of CPU (nobody else can have
loaded the game), and lets go only of a lease another node took."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from django.conf import settings

from qualityweek.quizzes import runtime

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


def test_renewal_keeps_takes_back_and_lets_go():
    r = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    prefix = f"quiz:lease:test-{uuid.uuid4().hex}"
    ours, expired, theirs = f"{prefix}-ours", f"{prefix}-expired", f"{prefix}-theirs"
    try:
        r.set(ours, "node-a", px=1_000)
        r.set(theirs, "node-b", px=10_000)
        lost = r.eval(runtime._RENEW, 3, ours, expired, theirs, "node-a", 10_000)
        assert lost == [theirs]
        assert r.get(ours) == "node-a"
        assert r.pttl(ours) > 5_000  # renewed for the whole term
        assert r.get(expired) == "node-a"  # taken back
        assert r.pttl(expired) > 5_000
        assert r.get(theirs) == "node-b"  # never taken from the node that holds it
        assert r.eval(runtime._RENEW, 1, ours, "node-b", 10_000) == [ours]
    finally:
        r.delete(ours, expired, theirs)


def test_state_is_written_only_by_the_lease_holder():
    r = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    prefix = f"quiz:test-{uuid.uuid4().hex}"
    lease, journal, state = f"{prefix}:lease", f"{prefix}:journal", f"{prefix}:state"
    try:
        r.set(lease, "node-a", px=10_000)
        assert r.eval(runtime._JOURNAL, 2, lease, journal, "node-a", 10_000, "one", 60) is None
        assert r.eval(runtime._JOURNAL, 2, lease, journal, "node-b", 10_000, "two", 60) == "node-a"
        assert r.lrange(journal, 0, -1) == ["one"]  # the other node's change is not kept
        assert r.eval(runtime._SNAPSHOT, 3, lease, state, journal, "node-b", 10_000, "theirs", 60) == "node-a"
        assert r.get(state) is None
        assert r.llen(journal) == 1

        r.delete(lease)  # lapsed while node A was starved, and nobody took it: A takes it back
        assert r.eval(runtime._SNAPSHOT, 3, lease, state, journal, "node-a", 10_000, "ours", 60) is None
        assert (r.get(state), r.llen(journal), r.get(lease)) == ("ours", 0, "node-a")
        assert r.pttl(lease) > 5_000
    finally:
        r.delete(lease, journal, state)


@pytest.mark.django_db
def test_sockets_arriving_together_open_one_copy_of_the_game(world, school_quiz):
    """Two sockets of one node open the same game at once (a join storm): both get the one live game,
    so every player joined is in the game that sends the questions."""
    from qualityweek.core.audit import Actor
    from qualityweek.quizzes import services

    game = services.start_game(actor=Actor(user=world.teacher), quiz=school_quiz)
    store = runtime.RedisStore(settings.REDIS_URL)
    restore = store._restore

    async def slow_restore(live):  # reading the game's state from a busy Redis
        await asyncio.sleep(0.3)
        await restore(live)

    store._restore = slow_restore

    async def both():
        try:
            first, second = await asyncio.gather(store.open(game), store.open(game))
            await store.forget(first)
        finally:
            await store.close()
        return first, second

    try:
        first, second = asyncio.run(both())
    finally:
        redis.Redis.from_url(settings.REDIS_URL).delete(*(f"quiz:{k}:{game.pk}" for k in ("lease", "state", "journal")))
    assert first is second
