"""Role x URL rows for the operator's campaign pages (see tests/test_url_matrix.py): only the
operator's administrator manages campaigns; everyone else signed in is refused (403)."""

from __future__ import annotations

from qualityweek.campaigns import services
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Region
from tests.matrix import Route, signed_in


def objects(world) -> dict:
    campaign = current_campaign()
    window = services.set_regional_window(actor=Actor.system(), campaign=campaign,
                                          region=Region.objects.get(code="41"),
                                          deadline=campaign.report_deadline.replace(day=25), reason="Письмо")
    return {"window": window}


def _year(o: dict) -> dict:
    return {"year": o["campaign"].year}


ADMIN_ONLY = signed_in(403, operator=200)
ROUTES: dict[str, Route] = {
    "campaign_manage": Route(expect=ADMIN_ONLY),
    "campaign_manage_create": Route(expect=ADMIN_ONLY),
    "campaign_manage_detail": Route(kwargs=_year, expect=ADMIN_ONLY),
    "campaign_manage_phase": Route(kwargs=_year, method="POST", data={"phase": "reporting"},
                                   expect=signed_in(403, operator=302)),
    "campaign_manage_window": Route(kwargs=_year, expect=ADMIN_ONLY),
    "campaign_manage_window_delete": Route(kwargs=lambda o: {"year": o["campaign"].year, "pk": o["window"].pk},
                                           method="POST", expect=signed_in(403, operator=302)),
}
