"""Who may do what with the figures. The dashboards read through ``selectors.scope_for`` (national
for the operator, one region and sector per coordinator assignment); reminders are checked against
that scope by ``services.send_reminders``; the hand-entered history belongs to the operator."""

from dataclasses import dataclass
from typing import Any

from qualityweek.core.permissions import allow, rule, system_rule
from qualityweek.directory.access import principal
from qualityweek.directory.models import Region

from .models import HistoricalTotal


@dataclass(frozen=True)
class RegionSector:
    """One region's organisations of one sector: what a reminder goes to."""

    region: Region
    sector: str


@rule(RegionSector, "remind")
def remind(user: Any, target: RegionSector) -> bool:
    p = principal(user)
    return p.is_operator or p.covers(target.region.pk, target.sector)


system_rule(HistoricalTotal, "manage")(allow)


@rule(HistoricalTotal, "manage")
def manage_history(user: Any, _: Any) -> bool:
    return principal(user).is_operator

