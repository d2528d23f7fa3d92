from typing import Any

from qualityweek.core.permissions import rule
from qualityweek.directory.access import principal

from .models import Campaign, RegionalWindow


@rule(Campaign, "view")
def view_campaign(user: Any, campaign: Any) -> bool:
    return campaign.phase != Campaign.Phase.DRAFT or principal(user).is_operator


@rule(Campaign, "manage")
@rule(RegionalWindow, "manage")
def manage_campaign(user: Any, _: Any) -> bool:
    return principal(user).is_operator_admin
