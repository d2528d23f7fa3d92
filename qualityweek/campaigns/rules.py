"""Who may see and run the campaign calendar.

A draft campaign is visible to the national operator only; from its announcement on it is public.
Only the operator's administrator creates and changes campaigns, moves their phase and sets the
regional windows; the system (the demo loader, jobs, commands) may do the same."""

from typing import Any

from qualityweek.core.permissions import allow, public_rule, rule, system_rule
from qualityweek.directory.access import principal

from .models import Campaign, RegionalWindow

P = Campaign.Phase

# phase -> the phases the operator may move a campaign to. Forward one step at a time; back one
# step to correct a mistake — but never back to a draft: once announced, the campaign is public.
PHASE_MOVES: dict[str, tuple[str, ...]] = {
    P.DRAFT: (P.ANNOUNCED,),
    P.ANNOUNCED: (P.RUNNING,),
    P.RUNNING: (P.REPORTING, P.ANNOUNCED),
    P.REPORTING: (P.CLOSED, P.RUNNING),
    P.CLOSED: (P.REPORTING,),
}


@rule(Campaign, "view")
def view_campaign(user: Any, campaign: Any) -> bool:
    return campaign.is_announced or principal(user).is_operator


@public_rule(Campaign, "view")
def public_view_campaign(_: Any, campaign: Any) -> bool:
    return bool(campaign.is_announced)


system_rule(Campaign, "view")(allow)


@rule(Campaign, "manage", "create", "change", "move")
@rule(RegionalWindow, "change", "delete")
def manage_campaign(user: Any, _: Any) -> bool:
    return principal(user).is_operator_admin


system_rule(Campaign, "create", "change", "move")(allow)
system_rule(RegionalWindow, "change", "delete")(allow)
