"""Role x URL rows for the regional report (see tests/test_url_matrix.py). The Kirov education report
of the current campaign has been submitted, so the operator admin can accept or return it and a repeated
submit by its coordinator changes nothing."""

from __future__ import annotations

from django.utils import timezone

from qualityweek.activities.models import RegionalReport
from qualityweek.campaigns.selectors import current_campaign
from tests.matrix import Route, signed_in


def objects(world) -> dict:
    report = RegionalReport.objects.create(campaign=current_campaign(), region=world.kirov_school.region,
                                           sector="education", status=RegionalReport.Status.SUBMITTED,
                                           submitted_at=timezone.now(), submitted_by=world.kirov_edu)
    return {"regional_report": report}


def _report(o: dict) -> dict:
    r = o["regional_report"]
    return {"year": r.campaign.year, "code": r.region.code, "sector": r.sector}


# A report of Kirov's education sector: foreign to the business coordinator and to organisations (404).
FOREIGN = {"kirov_business": 404, "school_rep": 404, "teacher": 404}
OPERATOR_ADMIN_ONLY = {**FOREIGN, "operator": 302, "editor": 403, "kirov_edu": 403}

ROUTES: dict[str, Route] = {
    "regional_report_list": Route(expect=signed_in(200, school_rep=403, teacher=403)),
    "regional_report_detail": Route(kwargs=_report, expect=signed_in(200, **FOREIGN)),
    "regional_report_xlsx": Route(kwargs=_report, expect=signed_in(200, **FOREIGN)),
    "regional_report_pdf": Route(kwargs=_report, expect=signed_in(200, **FOREIGN)),
    # The Kirov education report is already submitted: starting it again changes nothing.
    "regional_report_start": Route(kwargs=_report, method="POST",
                                   expect=signed_in(302, **FOREIGN, operator=403, editor=403)),
    "regional_report_submit": Route(kwargs=_report, method="POST",
                                    expect=signed_in(302, **FOREIGN, operator=403, editor=403)),
    "regional_report_accept": Route(kwargs=_report, method="POST", expect=signed_in(302, **OPERATOR_ADMIN_ONLY)),
    "regional_report_return": Route(kwargs=_report, method="POST", data={"comment": "Уточните число педагогов."},
                                    expect=signed_in(302, **OPERATOR_ADMIN_ONLY)),
}
