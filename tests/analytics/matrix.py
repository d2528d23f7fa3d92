"""Role x URL rows for the dashboards, drill-downs, open data and the API (see tests/test_url_matrix.py)."""

from __future__ import annotations

from qualityweek.campaigns.selectors import current_campaign
from tests.matrix import Route, all_, signed_in


def objects(world) -> dict:
    return {"year": current_campaign().year}


FIGURES = {"operator": 200, "editor": 200, "kirov_edu": 200, "kirov_business": 200, "school_rep": 403, "teacher": 403}

ROUTES: dict[str, Route] = {
    "analytics_dashboard": Route(expect=signed_in(200, school_rep=403, teacher=403)),
    "analytics_region": Route(kwargs=lambda o: {"code": "43"}, expect=signed_in(200, school_rep=403, teacher=403)),
    "analytics_remind": Route(kwargs=lambda o: {"code": "43"}, method="POST",
                              data={"sector": "education"},
                              expect=signed_in(302, kirov_business=404, school_rep=403, teacher=403)),
    "analytics_activities": Route(expect=signed_in(200, school_rep=403, teacher=403)),
    "analytics_history": Route(expect=signed_in(200, kirov_edu=403, kirov_business=403, school_rep=403,
                                                teacher=403)),
    "analytics_figures": Route(expect=all_(200)),
    "analytics_open_data": Route(kwargs=lambda o: {"year": o["year"], "fmt": "csv"}, expect=all_(200)),
    "analytics_open_data_excel": Route(kwargs=lambda o: {"year": o["year"]}, expect=all_(200)),
    "api_openapi": Route(expect=all_(200)),
    "api_campaigns": Route(expect=all_(200)),
    "api_regions": Route(expect=all_(200)),
    "api_aggregates": Route(kwargs=lambda o: {"year": o["year"]}, expect=all_(200)),
}
