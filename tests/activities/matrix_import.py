"""Role x URL rows for the spreadsheet import and the activities export (see tests/test_url_matrix.py)."""

from __future__ import annotations

from qualityweek.activities.models import ImportBatch
from qualityweek.campaigns.selectors import current_campaign
from tests.matrix import Route, signed_in


def objects(world) -> dict:
    batch = ImportBatch.objects.create(
        campaign=current_campaign(), region=world.kirov_school.region, sector="education",
        uploaded_by=world.kirov_edu, file="private/imports/matrix.xlsx", file_name="отчёт.xlsx", sha256="0" * 64,
        status=ImportBatch.Status.PREVIEW, rows_total=2, rows_valid=1,
        errors=[{"row": 3, "column": "Дата начала", "cell": "E3", "message": "Не удалось распознать дату."}])
    return {"import_batch": batch}


def _batch(o: dict) -> dict:
    return {"pk": o["import_batch"].pk}


# Only the coordinator who uploaded a batch sees it; for everyone else it does not exist.
OWNER_ONLY = signed_in(404, kirov_edu=200)

ROUTES: dict[str, Route] = {
    "activity_import": Route(expect=signed_in(403, kirov_edu=200, kirov_business=200)),
    "activity_import_template": Route(expect=signed_in(200)),
    "activity_import_detail": Route(kwargs=_batch, expect=OWNER_ONLY),
    "activity_import_confirm": Route(kwargs=_batch, method="POST", expect=signed_in(404, kirov_edu=302)),
    "activity_import_cancel": Route(kwargs=_batch, method="POST", expect=signed_in(404, kirov_edu=302)),
    "activity_import_retry": Route(kwargs=_batch, method="POST", expect=signed_in(404, kirov_edu=302)),
    "activity_export": Route(expect=signed_in(200)),
}
