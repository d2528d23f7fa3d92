"""A real SMTP server (aiosmtpd) on loopback for tests that send e-mail over the wire."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


@dataclass
class Inbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    # Accept the message to these addresses, then drop the connection instead of replying.
    drop_reply: set[str] = field(default_factory=set)
    # Once this many messages are in, hold the reply to each further one until ``release`` is set.
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        if self.drop_reply & {a.lower() for a in envelope.rcpt_tos}:
            server.transport.abort()  # the message is in, the "250" never leaves
            return "250 Message accepted"
        while self.hold_after is not None and len(self.messages) > self.hold_after and not self.release.is_set():
            await asyncio.sleep(0.02)
        return "250 Message accepted"

    def count_to(self) -> dict[str, int]:
        """How many messages each address received."""
        counts: dict[str, int] = {}
        for m in self.messages:
            counts[str(m["To"])] = counts.get(str(m["To"]), 0) + 1
        return counts

    def bodies(self) -> list[str]:
        return [m.get_body(("plain",)).get_content() for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.loop = asyncio.new_event_loop()  # ours, so that it is closed after the server stops
        self.controller = Controller(self.inbox, loop=self.loop, hostname="127.0.0.1", port=self.port,
                                     decode_data=False, ready_timeout=10)
        assert SMTP  # the real protocol implementation, not a stub

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
        self.loop.close()
