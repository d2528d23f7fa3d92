"""The WebSocket path through the real ASGI router served by uvicorn: origin check, session
authentication, a fresh scope on every message, error frames, and the channel layer (in-memory on
the embedded default, channels-redis when REDIS_URL is set)."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from qualityweek.directory.models import Role, RoleAssignment
from tests import factories as f
from tests.conftest import session_cookie

# The server's threads need committed rows; the regions the migrations loaded are restored after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _ask(ws, frame) -> dict:
    ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(ws.recv(timeout=5))


def test_session_user_is_known_and_reread_on_every_message(asgi_server, client):
    user = f.user(Role.COORDINATOR, region_code="43", sector="education", email="ws.kirov@example.ru")
    headers = {"Cookie": session_cookie(client, user), "Origin": f"http://{asgi_server}"}
    with connect(f"ws://{asgi_server}/ws/health/", additional_headers=headers) as ws:
        pong = _ask(ws, {"type": "ping"})
        assert pong["type"] == "pong"
        assert pong["user"]["email"] == "ws.kirov@example.ru"
        assert pong["user"]["role"] == "coordinator"
        # A role granted while the socket is open counts at the next message (nothing cached from connect).
        RoleAssignment.objects.create(user=user, role=Role.JUROR, contest_id=7)
        assert _ask(ws, {"type": "ping"})["user"]["role"] == "coordinator, juror"
        # A deactivated person is a visitor from the next message on.
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        assert _ask(ws, {"type": "ping"})["user"] is None


def test_visitor_bad_frames_and_the_channel_layer(asgi_server):
    with connect(f"ws://{asgi_server}/ws/health/", additional_headers={"Origin": f"http://{asgi_server}"}) as ws:
        assert _ask(ws, {"type": "ping"}) == {"type": "pong", "user": None}
        assert _ask(ws, "{not json") == {"type": "error", "message": "Неизвестная команда."}
        assert _ask(ws, {"type": "launch"})["type"] == "error"
        assert _ask(ws, {"type": "echo", "text": "Знак качества"}) == {"type": "echo", "text": "Знак качества"}
        assert _ask(ws, {"type": "ping"})["type"] == "pong"  # still open after the errors


def test_foreign_origin_and_unknown_route_are_refused(asgi_server):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://{asgi_server}/ws/health/", additional_headers={"Origin": "https://evil.example.com"})
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        connect(f"ws://{asgi_server}/ws/nowhere/", additional_headers={"Origin": f"http://{asgi_server}"})
