"""The activity-type catalogue shipped in data/activity_types.json (loaded by a data migration;
afterwards the operator edits it in the admin)."""

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "activity_types.json"


def load_types(ActivityType: Any) -> int:
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    for row in rows:
        ActivityType.objects.update_or_create(code=row["code"], defaults={
            "name": row["name"], "sectors": row["sectors"], "categories": row["categories"], "order": row["order"]})
    return len(rows)
