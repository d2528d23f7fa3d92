"""The kinds of notification: what each says in the list and whether its e-mail is ours to send."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # the person's settings page: «Присылать на почту: …»
    # False when the event is itself a letter already e-mailed (a delivered official letter goes to the
    # addressee's address with its acknowledgement link) or the causing service mails the same people
    # (the organisation's approval, the reply to a request): the notification is then in-app only.
    mailed_here: bool = True


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("report_returned", "отчёт о мероприятии возвращён на доработку"),
    Kind("report_approved", "отчёт о мероприятии принят"),
    Kind("organisation_approved", "организация подтверждена", mailed_here=False),
    Kind("organisation_rejected", "заявка организации отклонена", mailed_here=False),
    Kind("invitation_accepted", "приглашение принято"),
    Kind("letter_received", "получено новое письмо", mailed_here=False),
    Kind("regional_report_returned", "региональный отчёт возвращён"),
    Kind("deadline_7", "до срока отчёта 7 дней"),
    Kind("deadline_1", "до срока отчёта 1 день"),
    Kind("request_answered", "дан ответ на обращение", mailed_here=False),
)}

CHOICES = [(k.code, k.label) for k in KINDS.values()]
MAILED = [k.code for k in KINDS.values() if k.mailed_here]  # the kinds a person may switch e-mail on or off for
