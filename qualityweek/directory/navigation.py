"""The menu: which sections a person may open, from their scope (a context processor)."""

from django.http import HttpRequest

from qualityweek.core.permissions import can

from .access import principal
from .models import Invitation, Role

PUBLIC_ITEMS = [("event_list", "Афиша"), ("practice_list", "Лучшие практики"), ("outreach_materials", "Материалы"),
                ("forum_programme", "Форум"), ("contest_index", "Конкурс"), ("campaign_list", "Кампании")]


def navigation(request: HttpRequest) -> dict:
    """Menu items the current user may open: a short primary row for daily work and a secondary
    row for everything else. Computed per request from the user's scope (no queries for visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": PUBLIC_ITEMS, "nav_more": []}
    p = principal(user)
    primary = [("home", "Главная")]
    more = []
    if p.is_operator or p.is_coordinator:
        primary.append(("analytics_dashboard", "Дашборд"))
    if p.is_coordinator:
        primary.append(("activity_review", "Проверка отчётов"))
    primary.append(("activity_list", "Мероприятия"))
    if p.is_operator or p.is_coordinator:
        primary += [("regional_report_list", "Отчёты регионов"), ("outreach_letters", "Письма")]
        more += [("region_list", "Регионы")]
    else:
        more.append(("outreach_letters", "Письма"))
    primary.append(("practice_manage", "Практики"))
    if p.juries:
        primary.append(("contest_jury", "Жюри"))
    if p.is_operator or p.organisations:  # the quizzes app's pages (authors and the library's editors)
        primary.append(("quiz_list", "Квизы"))
    more += [("organisation_list", "Организации"), ("outreach_materials", "Материалы")]
    if p.is_operator or p.is_coordinator or any(Role.ORG_REP in r for r in p.organisations.values()):
        more.append(("certificate_list", "Сертификаты"))  # who may issue: certificates.rules.open_issue_form
    more.append(("certificate_mine", "Мои сертификаты"))
    if p.is_operator:
        more.append(("outreach_requests", "Обращения"))
    if p.is_operator_admin:  # campaigns sit above the directory: the rule is campaigns.rules.manage_campaign
        more.append(("campaign_manage", "Управление кампаниями"))
    if can(user, "create", Invitation):
        more.append(("invitation_list", "Приглашения"))
    more += [("event_list", "Афиша"), ("forum_programme", "Форум"), ("contest_index", "Конкурс"),
             ("campaign_list", "Кампании")]
    return {"nav_items": primary, "nav_more": more, "principal": p}
