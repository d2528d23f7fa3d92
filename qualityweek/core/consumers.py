"""The health socket: proves the WebSocket path (router, origin check, session, channel layer)."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .sockets import fresh_user_label


class HealthConsumer(AsyncJsonWebsocketConsumer):
    """Answers ``{"type": "ping"}`` with a pong naming who the session belongs to (re-read on every
    message, so a changed role shows at once), and echoes through the channel layer on ``echo``.
    Anything else gets an error frame; the socket stays open."""

    async def connect(self) -> None:
        self.group = f"health.{self.channel_name.replace('!', '_')}"[:90]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong", "user": await fresh_user_label(self.scope)})
        elif kind == "echo" and isinstance(content.get("text"), str) and len(content["text"]) <= 1000:
            await self.channel_layer.group_send(self.group, {"type": "echo.message", "text": content["text"]})
        else:
            await self.send_json({"type": "error", "message": "Неизвестная команда."})

    async def echo_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "echo", "text": event["text"]})

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None
