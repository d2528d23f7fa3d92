"""The Redis store's lease renewal (quizzes/runtime.py ``_RENEW``), run by the real Redis: a node renews
its leases in one call, takes back one that expired while it was starved of CPU (nobody else can have
loaded the game), and lets go only of a lease another node took."""

from __future__ import annotations

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
