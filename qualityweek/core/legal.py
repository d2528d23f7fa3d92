"""The operator of the platform and its personal-data documents (152-FZ «О персональных данных»).

The operator's contacts are those of its letters (seed 000: the outgoing letter № 2174-РСК). The
consent to personal-data processing is a separate document from the privacy policy, as 152-FZ
(art. 9, as amended by 156-FZ) requires; a person signing up ticks it, and the user row keeps when
and which edition they agreed to (``User.personal_data_consent_at`` / ``_version``). A new edition
gets a new ``CONSENT_VERSION``; the old texts stay in the repository's history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Operator:
    name: str
    short_name: str
    address: str
    phone: str
    phone_link: str
    email: str
    website: str
    materials: str


OPERATOR = Operator(
    name="Автономная некоммерческая организация «Российская система качества» (Роскачество)",
    short_name="Роскачество",
    address="119071, Россия, г. Москва, ул. Орджоникидзе, д. 12",
    phone="+7 (495) 777-43-12",
    phone_link="+74957774312",
    email="tabolova@roskachestvo.gov.ru",
    website="https://roskachestvo.gov.ru",
    materials="https://rskrf.ru/qualityday/",
)

# The edition of the consent text (templates core/personal_data_consent.html); stored with each consent.
CONSENT_VERSION = "2026-12-06"
CONSENT_DATE = "6 декабря 2026 г."
# How long the data are kept after the account is closed or the consent withdrawn (also in the texts).
RETENTION = "3 года после окончания последней кампании, в которой участвовал пользователь"

CONSENT_REQUIRED = ("Без согласия на обработку персональных данных зарегистрироваться нельзя: отметьте "
                    "согласие, прочитав его текст.")


def _context() -> dict:
    return {"operator": OPERATOR, "consent_version": CONSENT_VERSION, "consent_date": CONSENT_DATE,
            "retention": RETENTION}


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy policy (политика обработки персональных данных): public, no login."""
    return render(request, "core/privacy.html", _context())


def personal_data_consent(request: HttpRequest) -> HttpResponse:
    """The text of the consent a person gives when signing up or accepting an invitation."""
    return render(request, "core/personal_data_consent.html", _context())
