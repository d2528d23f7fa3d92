#!/usr/bin/env python3
"""Sanity checks for federal_districts.csv and regions.csv (stdlib only).

Usage: python3 check_regions.py
Exits with a non-zero status (AssertionError) if any check fails and prints an
ASCII rendering of the tile-grid cartogram so the shape can be eyeballed.
"""
import csv
import re
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
DISTRICTS_CSV = HERE / "federal_districts.csv"
REGIONS_CSV = HERE / "regions.csv"

DISTRICT_COLUMNS = ["code", "name", "short_name"]
REGION_COLUMNS = [
    "code", "name", "short_name", "name_genitive", "iso_code",
    "district", "timezone", "tile_x", "tile_y", "cities",
]
# Subjects that have no ISO 3166-2:RU code.
NO_ISO = {"90", "91", "92", "93", "94", "95"}


def load(path, columns):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == columns, (path.name, reader.fieldnames)
        rows = list(reader)
    for row in rows:
        for key, value in row.items():
            assert value is not None, (path.name, row)
            assert value == value.strip(), (path.name, key, value)
    return rows


def main():
    districts = load(DISTRICTS_CSV, DISTRICT_COLUMNS)
    regions = load(REGIONS_CSV, REGION_COLUMNS)

    # --- federal districts -------------------------------------------------
    assert len(districts) == 8, f"expected 8 districts, got {len(districts)}"
    d_codes = [d["code"] for d in districts]
    assert len(set(d_codes)) == 8, f"duplicate district codes: {d_codes}"
    for d in districts:
        assert re.fullmatch(r"[A-Z]+", d["code"]), d
        assert d["name"].endswith("федеральный округ"), d
        assert d["short_name"], d

    # --- regions -----------------------------------------------------------
    assert len(regions) == 89, f"expected 89 regions, got {len(regions)}"

    codes = [r["code"] for r in regions]
    dup = [c for c, n in Counter(codes).items() if n > 1]
    assert not dup, f"duplicate region codes: {dup}"
    for r in regions:
        assert re.fullmatch(r"\d\d", r["code"]), f"bad code {r['code']!r}"
        for key in ("name", "short_name", "name_genitive"):
            assert r[key], (r["code"], key)

    names = [r["name"] for r in regions]
    assert len(set(names)) == 89, "duplicate region names"

    iso = [r["iso_code"] for r in regions if r["iso_code"]]
    assert len(iso) == 83, f"expected 83 ISO codes, got {len(iso)}"
    dup = [c for c, n in Counter(iso).items() if n > 1]
    assert not dup, f"duplicate ISO codes: {dup}"
    for r in regions:
        if r["code"] in NO_ISO:
            assert not r["iso_code"], f"{r['code']} should have no ISO code"
        else:
            assert re.fullmatch(r"RU-[A-Z]{2,3}", r["iso_code"]), (r["code"], r["iso_code"])

    for r in regions:
        try:
            ZoneInfo(r["timezone"])
        except Exception as exc:
            raise AssertionError(f"{r['code']}: bad timezone {r['timezone']!r}: {exc}") from exc

    known = set(d_codes)
    for r in regions:
        assert r["district"] in known, f"{r['code']}: unknown district {r['district']!r}"
    per_district = Counter(r["district"] for r in regions)
    assert set(per_district) == known, f"districts without regions: {known - set(per_district)}"

    cells: dict[tuple[int, int], str] = {}
    for r in regions:
        assert re.fullmatch(r"\d+", r["tile_x"]), r["code"]
        assert re.fullmatch(r"\d+", r["tile_y"]), r["code"]
        cell = (int(r["tile_x"]), int(r["tile_y"]))
        assert cell not in cells, f"tile {cell} used by {cells[cell]} and {r['code']}"
        cells[cell] = r["code"]

    for r in regions:
        cities = r["cities"].split(";")
        assert 3 <= len(cities) <= 5, f"{r['code']}: {len(cities)} cities"
        assert all(c and c == c.strip() for c in cities), (r["code"], cities)
        assert len(set(cities)) == len(cities), (r["code"], cities)

    # --- report ------------------------------------------------------------
    print(f"OK: {len(districts)} federal districts, {len(regions)} regions, "
          f"{len(iso)} ISO codes, {len({r['timezone'] for r in regions})} distinct time zones")
    short = {d["code"]: d["short_name"] for d in districts}
    print("regions per district: " + ", ".join(
        f"{short[c]}={per_district[c]}" for c in d_codes))

    max_x = max(x for x, _ in cells)
    max_y = max(y for _, y in cells)
    print(f"\ntile grid {max_x + 1} x {max_y + 1} (x grows east, y grows south):\n")
    print("    " + " ".join(f"{x:>2}" for x in range(max_x + 1)))
    for y in range(max_y + 1):
        line = " ".join(cells.get((x, y), " .") for x in range(max_x + 1))
        print(f"{y:>2}  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
