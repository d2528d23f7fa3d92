"""The one mail API.

- ``send_later`` renders a message now and sends it from a job after the surrounding transaction
  commits, so an SMTP failure never breaks the request that caused it and a rolled-back write sends
  nothing.
- ``session`` is for jobs that send many messages and record each one's fate (letters, reminders,
  replies): one SMTP connection, and ``send`` either returns or raises ``DeliveryError`` with a
  Russian reason to store next to the addressee. ``DeliveryError.uncertain`` is True when the
  message may have been accepted all the same (the connection broke or timed out while the message
  was on the wire, so the server's reply was lost): such an addressee is «unknown», never «queued»,
  and is not mailed again without a person's decision.

Exactly once per addressee: a sender records «sending» on the addressee's row in its own committed
write before ``send``, and the outcome after; a rerun sends only to rows never attempted. Each message
carries a stable ``Message-ID`` (``stable_message_id``) so that a receiver can drop a duplicate of a
message sent again after an «unknown».
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string

from .metrics import MAIL


class DeliveryError(Exception):
    """The message was not accepted; ``reason`` says why, in Russian. ``uncertain``: it may have been."""

    def __init__(self, reason: str, *, uncertain: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.uncertain = uncertain


def reason(exc: Exception) -> str:
    """What a person reads about a failed delivery."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                 for code, msg in exc.recipients.values()]
        return "Адрес отклонён сервером: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"Ошибка SMTP {exc.smtp_code}: {msg}"
    return f"Не удалось отправить: {exc}"[:500]


UNCERTAIN_REASON = ("Связь с почтовым сервером оборвалась во время отправки: письмо могло уйти, "
                    "а могло и не уйти. Решите, отправить ли его ещё раз.")


def stable_message_id(*parts: object) -> str:
    """The same ``Message-ID`` every time the same message (named by ``parts``) is sent."""
    host = urlsplit(settings.SITE_URL).hostname or "qualityweek.local"
    return "<" + ".".join(str(p) for p in parts) + f"@{host}>"


def message(*, to: Sequence[str], subject: str, body: str, reply_to: Sequence[str] | None = None,
            attachments: Sequence[tuple[str, bytes, str]] = (), message_id: str = "") -> EmailMessage:
    headers = {"Message-ID": message_id} if message_id else None
    msg = EmailMessage(subject=subject, body=body, to=list(to), reply_to=list(reply_to) if reply_to else None,
                       headers=headers)
    for name, content, mimetype in attachments:
        msg.attach(name, content, mimetype)
    return msg


class Session:
    def __init__(self, mailer: Any) -> None:
        self._mailer = mailer

    def send(self, msg: EmailMessage) -> None:
        """Send one message; ``DeliveryError`` (``uncertain`` when it may have gone out)."""
        try:
            self._mailer.open()  # (again, after a broken connection): nothing is on the wire yet
        except (smtplib.SMTPException, OSError) as exc:
            MAIL.labels(outcome="refused").inc()
            raise DeliveryError(reason(exc)) from exc
        try:
            self._mailer.send_messages([msg])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
            MAIL.labels(outcome="refused").inc()
            raise DeliveryError(reason(exc)) from exc  # the server answered: not accepted
        except (smtplib.SMTPException, OSError) as exc:
            self._reset()
            MAIL.labels(outcome="uncertain").inc()
            raise DeliveryError(UNCERTAIN_REASON, uncertain=True) from exc
        MAIL.labels(outcome="sent").inc()

    def _reset(self) -> None:
        with suppress(smtplib.SMTPException, OSError):
            self._mailer.close()
        if hasattr(self._mailer, "connection"):
            self._mailer.connection = None


@contextmanager
def session() -> Iterator[Session]:
    """One connection for many messages, each accepted or refused on its own."""
    mailer = mailers.default
    with mailer:
        yield Session(mailer)


def send_now(msg: EmailMessage) -> None:
    """Send one message from inside a job; raises ``DeliveryError``."""
    with session() as s:
        s.send(msg)


@task()
def send_email_task(*, to: list[str], subject: str, body: str) -> int:
    send_now(message(to=to, subject=subject, body=body))
    return len(to)


def send_later(*, to: Sequence[str], subject: str, template: str, context: dict[str, Any]) -> None:
    """Render the message now, send it from a job once the transaction commits."""
    body = render_to_string(template, context)
    recipients = list(to)
    transaction.on_commit(lambda: send_email_task.enqueue(to=recipients, subject=subject, body=body))
