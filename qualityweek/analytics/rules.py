"""Who may do what with the figures. The dashboards read through ``selectors.scope_for`` (national
for the operator, one region and sector per coordinator assignment); reminders are checked against
that scope by ``services.send_reminders``; the hand-entered history belongs to the operator."""

from qualityweek.core.permissions import rule
from qualityweek.directory.access import principal

from .models import HistoricalTotal


@rule(HistoricalTotal, "manage")
def manage_history(user, _) -> bool:
    return principal(user).is_operator

