"""Shared vocabulary of the role x URL matrix. Each app adds its routes in ``tests/<app>/matrix*.py``
with ``ROUTES: dict[str, Route]`` and ``objects(world) -> dict`` for the objects its URLs need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# juror (one contest, one region) and forum_staff (one forum event) hold scopes no current page covers.
ROLES = ["anonymous", "operator", "editor", "kirov_edu", "kirov_business", "school_rep", "teacher", "juror",
         "forum_staff"]
SCOPELESS = ("juror", "forum_staff")
LOGIN = "login"  # anonymous is sent to the login page


@dataclass
class Route:
    kwargs: Callable[[dict], dict] | None = None
    method: str = "GET"
    expect: dict[str, int | str] | None = None
    data: Any = None


def all_(code: int | str) -> dict[str, int | str]:
    return dict.fromkeys(ROLES, code)


def signed_in(code: int, **overrides: int) -> dict[str, int | str]:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], code), **overrides}


# A juror or forum staff member holds a scope on one contest or one forum event only, so on the
# pages of the first wave they are like a signed-in person with no region and no organisation:
# every object is foreign (404) and every role-gated page refuses (403). Routes not listed give
# them the route's default status for a signed-in person.
NO_SCOPE: dict[str, int] = {
    "activity_approve": 404,
    "activity_cancel": 404,
    "activity_detail": 404,
    "activity_edit": 404,
    "activity_hide": 404,
    "activity_reopen": 404,
    "activity_report": 404,
    "activity_return": 404,
    "activity_submit": 404,
    "analytics_activities": 403,
    "analytics_dashboard": 403,
    "analytics_history": 403,
    "analytics_region": 403,
    "analytics_remind": 403,
    "invitation_list": 403,
    "invitation_revoke": 404,
    "organisation_create": 403,
    "organisation_detail": 404,
    "organisation_edit": 404,
    "organisation_export": 403,
    "organisation_status": 404,
    "outreach_letter_cascade": 404,
    "outreach_letter_create": 403,
    "outreach_letter_delete": 404,
    "outreach_letter_detail": 404,
    "outreach_letter_dispatch": 404,
    "outreach_letter_docx": 404,
    "outreach_letter_edit": 404,
    "outreach_letter_pdf": 404,
    "outreach_letter_register": 404,
    "outreach_dispatch_status": 404,
    "outreach_dispatch_resume": 404,
    "outreach_dispatch_unknown": 404,
    "outreach_letter_render": 404,
    "outreach_letter_tracking": 404,
    "outreach_letter_tracking_table": 404,
    "outreach_letterhead": 403,
    "outreach_material_create": 403,
    "outreach_material_edit": 403,
    "outreach_registers": 403,
    "outreach_request_detail": 404,
    "outreach_request_move": 404,
    "outreach_requests": 403,
    "outreach_template_create": 403,
    "outreach_template_edit": 403,
    "outreach_templates": 403,
    "photo_delete": 404,
    "photo_file": 404,
    "photo_upload": 404,
    "practice_manage_detail": 404,
    "practice_moderate": 404,
    "practice_nominate": 404,
    "region_detail": 404,
    "regional_report_accept": 404,
    "regional_report_detail": 404,
    "regional_report_list": 403,
    "regional_report_pdf": 404,
    "regional_report_return": 404,
    "regional_report_start": 404,
    "regional_report_submit": 404,
    "regional_report_xlsx": 404,
}


def expected(route: Route, name: str, role: str) -> int | str:
    assert route.expect is not None
    if role in SCOPELESS and name in NO_SCOPE:
        return NO_SCOPE[name]
    return route.expect[role]
