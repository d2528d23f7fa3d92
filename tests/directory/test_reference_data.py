"""The shipped region data: its own consistency check, and what the data migration loaded."""

import runpy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qualityweek.directory.models import FederalDistrict, Region

CHECK = Path(__file__).resolve().parents[2] / "qualityweek/directory/data/check_regions.py"


def test_data_files_pass_their_consistency_check(capsys):
    assert runpy.run_path(str(CHECK))["main"]() == 0
    assert "OK: 8 federal districts, 89 regions, 83 ISO codes" in capsys.readouterr().out


@pytest.mark.django_db
def test_migration_loaded_all_89_subjects():
    assert FederalDistrict.objects.count() == 8
    assert Region.objects.count() == 89
    kirov = Region.objects.get(code="43")
    assert (kirov.name, kirov.iso_code, kirov.timezone, kirov.district.short_name) == (
        "Кировская область", "RU-KIR", "Europe/Kirov", "ПФО")
    assert Region.objects.filter(iso_code="").count() == 6  # Crimea, Sevastopol, DNR, LNR, Zaporozhye, Kherson
    for region in Region.objects.all():
        ZoneInfo(region.timezone)
        assert 3 <= len(region.city_list) <= 5
