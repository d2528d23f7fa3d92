"""The quiz socket (``/ws/quiz/``): one route for players and hosts; the first frame says which.

Player: ``{"type": "join", "pin": "123456", "nickname": "…" | "", "token": "…"?}`` — with the
game-scoped token a reload returns as the same player, score and streak intact. Then ``answer``
frames ``{"answer_id", "question", "value"}``. Host: ``{"type": "host", "game": <id>}`` — the
session's user must be allowed to host that game (read again before a command once the last check is
``HOST_RECHECK`` seconds old: 300 hosts each pressing «next» no longer queue 300 permission reads on
the one database thread, and a revoked host is refused within seconds), then ``next``,
``reveal``, ``skip``, ``pause``, ``resume``, ``end``, ``kick``. Every bad frame (over 4 KB, not JSON,
an unknown type, a host command from a player, a wrong PIN) gets an error frame; the socket loop
never dies of one. Wrong PINs are limited per address.

``Session`` is one socket's conversation, the same whether the socket is in this process or on
another node: with ``QUIZ_STORE=redis`` a socket whose game another node runs is relayed there
(``QuizConsumer.relay``), and that node's ``Session`` answers through the Redis channel of ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model

from qualityweek.core.permissions import can

from . import engine
from .engine import Refused
from .models import Game
from .runtime import MOVED, NODE, STORE, Elsewhere, LiveGame, RemoteSend, Send, encode

MAX_FRAME = 4096
PIN = re.compile(r"^\d{6}$")
HOST_RECHECK = 5.0  # seconds a host's right, once read, is trusted on this socket
HOST_COMMANDS = ("next", "reveal", "skip", "pause", "resume", "end", "kick")


def _hostable(user_pk: Any, game_id: int) -> Game | None:
    """The game, when the session's user — read afresh, as core/sockets.py asks — may host it now."""
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first() if user_pk is not None else None
    game = Game.objects.filter(pk=game_id, mode=Game.Mode.LIVE).exclude(status=Game.Status.FINISHED).first()
    return game if game is not None and user is not None and can(user, "host", game) else None


class Session:
    """One player's or host's conversation with a live game, whichever node holds their socket."""

    def __init__(self, send: Send, user_pk: Any, address: str) -> None:
        self.send_text, self.user_pk, self.address = send, user_pk, address
        self.live: LiveGame | None = None
        self.player_id: int | None = None
        self.is_host = False
        self.host_checked = 0.0  # monotonic time of the last read of the host's right
        self.lock = asyncio.Lock()  # a relayed socket's frames are handled in the order they came

    async def closed(self) -> None:
        if self.live is not None:
            self.live.detach(self.player_id, self.send_text)
            if self.player_id is not None:
                self.live.notify_hosts("lobby")  # who is on line, at most every quarter second

    async def error(self, message: str, code: str = "error", data: dict[str, Any] | None = None) -> None:
        await self.send_text(encode({**(data or {}), "type": "error", "code": code, "message": message}))

    async def receive(self, text_data: str | None) -> None:
        """Handle one frame; ``Elsewhere`` escapes when another node runs the game."""
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.error("Слишком длинное или двоичное сообщение.", "bad_frame")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            frame = None
        kind = frame.get("type") if isinstance(frame, dict) else None
        if not isinstance(kind, str) or not isinstance(frame, dict):
            await self.error("Неизвестная команда.", "bad_frame")
            return
        try:
            await self.dispatch_frame(kind, frame)
        except Refused as refused:
            await self.error(refused.message, refused.code, refused.data)

    async def dispatch_frame(self, kind: str, frame: dict[str, Any]) -> None:
        if self.live is not None and self.live.moved and kind != "ping":
            raise Refused(MOVED, "moved")  # the page reconnects, and its token finds the game's new node
        if kind == "ping":
            await self.send_text(encode({"type": "pong"}))
        elif kind == "join":
            await self.join(frame)
        elif kind == "host":
            await self.host(frame)
        elif kind == "answer":
            await self.answer(frame)
        elif kind == "state":
            await self.state()
        elif kind in HOST_COMMANDS:
            await self.command(kind, frame)
        else:
            await self.error("Неизвестная команда.", "bad_frame")

    # --- players -----------------------------------------------------------------------------------------

    async def join(self, frame: dict[str, Any]) -> None:
        if self.live is not None:
            raise Refused("Вы уже в игре.", "state")
        if STORE.blocked(self.address):
            raise Refused("Слишком много попыток ввести PIN. Подождите минуту.", "rate_limited")
        pin = frame.get("pin")
        live = await STORE.find(pin) if isinstance(pin, str) and PIN.match(pin) else None
        if live is None or live.closed:
            STORE.failed(self.address)
            raise Refused("Игра с таким PIN не найдена. Проверьте цифры.", "bad_pin")
        token, nickname, team = frame.get("token"), frame.get("nickname") or "", frame.get("team") or ""
        if not isinstance(nickname, str) or not isinstance(team, str):
            raise Refused("Имя не распознано.", "nickname")
        if isinstance(token, str) and token:
            player = live.engine.rejoin(token)
        else:
            player = live.join(nickname, team)
            await live.journal(player)
        self.live, self.player_id = live, player.id
        live.attach(player.id, self.send_text)
        live.notify_hosts("lobby")  # a new name, or one back on line
        await self.send_text(encode({"type": "joined", "token": player.token, "player": player.id,
                                     "nickname": player.nickname, "team": player.team, "pin": live.pin}))
        await self.send_text(encode(live.player_state(player)))

    async def answer(self, frame: dict[str, Any]) -> None:
        if self.live is None or self.player_id is None:
            raise Refused("Сначала войдите в игру по PIN.", "state")
        ack = await self.live.answer(self.player_id, frame)
        await self.send_text(encode(ack))

    async def state(self) -> None:
        if self.live is None:
            raise Refused("Сначала войдите в игру по PIN.", "state")
        if self.is_host:
            await self.send_text(encode(self.live.host_state()))
        elif self.player_id is not None:
            await self.send_text(encode(self.live.player_state(self.live.engine.players[self.player_id])))

    # --- the host ------------------------------------------------------------------------------------------

    async def _allowed(self, game_id: Any) -> Game | None:
        if isinstance(game_id, bool) or not isinstance(game_id, int):
            return None
        return await database_sync_to_async(_hostable)(self.user_pk, game_id)  # one hop to the database per command

    async def host(self, frame: dict[str, Any]) -> None:
        if self.player_id is not None:
            raise Refused("Команда только для ведущего.", "forbidden")
        game = await self._allowed(frame.get("game"))
        if game is None:
            raise Refused("Игра не найдена или вы не можете её вести.", "forbidden")
        self.live, self.is_host = await STORE.open(game), True
        self.host_checked = time.monotonic()
        self.live.hosts.add(self.send_text)
        await self.send_text(encode(self.live.host_state()))

    async def _recheck(self, game_id: int) -> None:
        """The host's right, read again once the last read is ``HOST_RECHECK`` seconds old."""
        if time.monotonic() - self.host_checked < HOST_RECHECK:
            return
        if await self._allowed(game_id) is None:
            raise Refused("Вы больше не можете вести эту игру.", "forbidden")
        self.host_checked = time.monotonic()

    async def command(self, kind: str, frame: dict[str, Any]) -> None:
        live = self.live
        if not self.is_host or live is None:
            raise Refused("Команда только для ведущего.", "forbidden")
        await self._recheck(live.id)
        if kind == "next":
            await live.next_question()
        elif kind == "reveal":
            await live.close_question()
        elif kind == "skip":
            await live.skip()
        elif kind == "pause":
            await live.pause()
        elif kind == "resume":
            await live.resume()
        elif kind == "end":
            await live.end()
        elif kind == "kick":
            player = frame.get("player")
            if isinstance(player, bool) or not isinstance(player, int):
                raise Refused("Такого игрока нет.", "bad_player")
            await live.kick(player)
        if live.engine.phase == engine.FINISHED:
            self.live = None


# Sockets of this node whose game another node runs (connection id -> consumer), and sessions this
# node runs for sockets held by other nodes ((node, connection id) -> session).
RELAYED: dict[str, QuizConsumer] = {}
REMOTE_SESSIONS: dict[tuple[str, str], Session] = {}


class QuizConsumer(AsyncWebsocketConsumer):
    session: Session
    owner: Elsewhere | None = None  # set when another node runs this socket's game
    conn = ""

    async def connect(self) -> None:
        user = self.scope.get("user")
        client = self.scope.get("client") or ("unknown", 0)
        self.session = Session(self.send_text, user.pk if user is not None and user.is_authenticated else None,
                               str(client[0]))
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.owner is not None:
            RELAYED.pop(self.conn, None)
            await STORE.deliver(self.owner.node, {"op": "closed", "node": NODE, "conn": self.conn})
            return
        await self.session.closed()

    async def send_text(self, text: str) -> None:
        """Write an already encoded frame straight to the ASGI server (the fan-out's one step per socket)."""
        await self.base_send({"type": "websocket.send", "text": text})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.owner is None:
            try:
                await self.session.receive(text_data)
                return
            except Elsewhere as owner:
                self.owner, self.conn = owner, secrets.token_hex(8)
                RELAYED[self.conn] = self
        await self.relay(text_data)

    async def relay(self, text_data: str | None) -> None:
        """Pass the frame to the node that runs the game. If no node hears it, that node stopped:
        its lease goes, and the socket closes so the page reconnects (with its token) to a node that
        takes the game over from Redis."""
        if self.owner is None:
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.session.error("Слишком длинное или двоичное сообщение.", "bad_frame")
            return
        heard = await STORE.deliver(self.owner.node, {"op": "frame", "node": NODE, "conn": self.conn,
                                                      "user": self.session.user_pk,
                                                      "address": self.session.address, "text": text_data})
        if not heard:
            await STORE.release(self.owner.game_id, self.owner.node)
            await self.session.error(MOVED, "moved")
            await self.close(code=4000)


async def on_node_message(message: dict[str, Any]) -> None:
    """What another node sent to this one: frames to write to our sockets, or a relayed socket's
    frames and closing for a game this node runs."""
    op = message.get("op")
    if op == "send":
        text = message["text"]
        for conn in message["conns"]:
            consumer = RELAYED.get(conn)
            if consumer is not None:
                await _quietly(consumer.send_text(text))
    elif op == "each":
        for conn, text in message["items"]:
            consumer = RELAYED.get(conn)
            if consumer is not None:
                await _quietly(consumer.send_text(text))
    elif op == "frame":
        key = (message["node"], message["conn"])
        session = REMOTE_SESSIONS.get(key)
        if session is None:
            session = REMOTE_SESSIONS[key] = Session(RemoteSend(*key), message["user"], message["address"])
        async with session.lock:
            try:
                await session.receive(message["text"])
            except Elsewhere:  # the game moved on from this node too
                await session.error(MOVED, "moved")
    elif op == "closed":
        session = REMOTE_SESSIONS.pop((message["node"], message["conn"]), None)
        if session is not None:
            async with session.lock:
                await session.closed()


async def _quietly(sending: Any) -> None:
    with contextlib.suppress(Exception):  # a socket closing mid-send never stops the others
        await sending


if hasattr(STORE, "handler"):
    STORE.handler = on_node_message
