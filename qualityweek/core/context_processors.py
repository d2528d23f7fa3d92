from django.http import HttpRequest

from qualityweek.core.permissions import can


def navigation(request: HttpRequest) -> dict:
    """Menu items the current user may open; computed lazily so anonymous pages cost nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from qualityweek.directory.access import principal
    from qualityweek.directory.models import Invitation

    p = principal(user)
    items = [("home", "Главная"), ("campaign_list", "Кампании"), ("organisation_list", "Организации")]
    if p.is_operator or p.is_coordinator:
        items.insert(2, ("region_list", "Регионы"))
    if can(user, "create", Invitation):
        items.append(("invitation_list", "Приглашения"))
    return {"nav_items": items, "principal": p}
