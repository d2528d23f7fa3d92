"""The quiz socket (``/ws/quiz/``): one route for players and hosts; the first frame says which.

Player: ``{"type": "join", "pin": "123456", "nickname": "…" | "", "token": "…"?}`` — with the
game-scoped token a reload returns as the same player, score and streak intact. Then ``answer``
frames ``{"answer_id", "question", "value"}``. Host: ``{"type": "host", "game": <id>}`` — the
session's user must be allowed to host that game (re-checked on every command), then ``next``,
``reveal``, ``skip``, ``pause``, ``resume``, ``end``, ``kick``. Every bad frame (over 4 KB, not JSON,
an unknown type, a host command from a player, a wrong PIN) gets an error frame; the socket loop
never dies of one. Wrong PINs are limited per address.
"""

from __future__ import annotations

import json
import re
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model

from qualityweek.core.permissions import can

from . import engine
from .engine import Refused
from .models import Game
from .runtime import STORE, LiveGame, encode

MAX_FRAME = 4096
PIN = re.compile(r"^\d{6}$")
HOST_COMMANDS = ("next", "reveal", "skip", "pause", "resume", "end", "kick")


def _hostable(user_pk: Any, game_id: int) -> Game | None:
    """The game, when the session's user — read afresh, as core/sockets.py asks — may host it now."""
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first() if user_pk is not None else None
    game = Game.objects.filter(pk=game_id).exclude(status=Game.Status.FINISHED).first()
    return game if game is not None and user is not None and can(user, "host", game) else None


class QuizConsumer(AsyncWebsocketConsumer):
    live: LiveGame | None = None
    player_id: int | None = None
    is_host = False

    async def connect(self) -> None:
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.live is not None:
            self.live.detach(self.player_id, self.send_text)
            if self.player_id is None:
                return
            await self.live.to_hosts({"type": "presence", "player": self.player_id,
                                      "online": self.player_id in self.live.sockets})

    async def send_text(self, text: str) -> None:
        """Write an already encoded frame straight to the ASGI server (the fan-out's one step per socket)."""
        await self.base_send({"type": "websocket.send", "text": text})

    async def error(self, message: str, code: str = "error", data: dict[str, Any] | None = None) -> None:
        await self.send_text(encode({**(data or {}), "type": "error", "code": code, "message": message}))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
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

    def address(self) -> str:
        client = self.scope.get("client") or ("unknown", 0)
        return str(client[0])

    async def join(self, frame: dict[str, Any]) -> None:
        if self.live is not None:
            raise Refused("Вы уже в игре.", "state")
        address = self.address()
        if STORE.blocked(address):
            raise Refused("Слишком много попыток ввести PIN. Подождите минуту.", "rate_limited")
        pin = frame.get("pin")
        live = await STORE.find(pin) if isinstance(pin, str) and PIN.match(pin) else None
        if live is None or live.closed:
            STORE.failed(address)
            raise Refused("Игра с таким PIN не найдена. Проверьте цифры.", "bad_pin")
        token, nickname, team = frame.get("token"), frame.get("nickname") or "", frame.get("team") or ""
        if not isinstance(nickname, str) or not isinstance(team, str):
            raise Refused("Имя не распознано.", "nickname")
        if isinstance(token, str) and token:
            player = live.engine.rejoin(token)
        else:
            player = live.join(nickname, team)
            live.notify_hosts("lobby")
        self.live, self.player_id = live, player.id
        live.attach(player.id, self.send_text)
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
        user = self.scope.get("user")
        pk = user.pk if user is not None and user.is_authenticated else None
        return await database_sync_to_async(_hostable)(pk, game_id)  # one hop to the database per command

    async def host(self, frame: dict[str, Any]) -> None:
        if self.player_id is not None:
            raise Refused("Команда только для ведущего.", "forbidden")
        game = await self._allowed(frame.get("game"))
        if game is None:
            raise Refused("Игра не найдена или вы не можете её вести.", "forbidden")
        self.live, self.is_host = STORE.load(game), True
        self.live.hosts.add(self.send_text)
        await self.send_text(encode(self.live.host_state()))

    async def command(self, kind: str, frame: dict[str, Any]) -> None:
        live = self.live
        if not self.is_host or live is None:
            raise Refused("Команда только для ведущего.", "forbidden")
        if await self._allowed(live.id) is None:  # the host's rights are read again for every command
            raise Refused("Вы больше не можете вести эту игру.", "forbidden")
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
