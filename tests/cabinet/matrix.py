"""Role x URL rows for «Мой кабинет» (see tests/test_url_matrix.py).

Every signed-in person has a cabinet. «Ознакомлен» on a letter sent to the Kirov school: its
representative and teacher confirm it (302 back to the cabinet); for everyone else the delivery is
not theirs to confirm (404)."""

from __future__ import annotations

from django.utils import timezone

from qualityweek.outreach.models import Delivery
from tests.matrix import Route, signed_in


def objects(world) -> dict:
    return {}


def _school_delivery(o: dict) -> dict:
    """A letter of the outreach rows (tests/outreach/matrix.py), also sent to the Kirov school."""
    letter = o["letter"]
    delivery, _ = Delivery.objects.get_or_create(
        letter=letter, organisation=o["org"],
        defaults={"email": "school1@example.ru", "addressee": "Директору", "salutation": "Уважаемый директор!",
                  "status": Delivery.Status.SENT, "sent_at": timezone.now()})
    return {"pk": delivery.pk}


ROUTES: dict[str, Route] = {
    "cabinet": Route(expect=signed_in(200)),
    "cabinet_acknowledge": Route(kwargs=_school_delivery, method="POST",
                                 expect=signed_in(404, school_rep=302, teacher=302)),
}
