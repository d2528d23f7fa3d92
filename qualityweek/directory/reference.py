"""The reference data shipped in data/: federal districts and the 89 federal subjects."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_regions(FederalDistrict: Any, Region: Any) -> int:
    """Create or update districts and regions from the data files (model classes are passed in so a
    data migration can call this with its historical models). Returns the number of regions."""
    districts = {}
    for row in read_csv("federal_districts.csv"):
        districts[row["code"]], _ = FederalDistrict.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "short_name": row["short_name"]})
    rows = read_csv("regions.csv")
    for row in rows:
        Region.objects.update_or_create(code=row["code"], defaults={
            "name": row["name"], "short_name": row["short_name"], "name_genitive": row["name_genitive"],
            "iso_code": row["iso_code"], "district": districts[row["district"]], "timezone": row["timezone"],
            "tile_x": int(row["tile_x"]), "tile_y": int(row["tile_y"]), "cities": row["cities"],
        })
    return len(rows)
