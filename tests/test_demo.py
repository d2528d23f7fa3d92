import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from qualityweek.campaigns.models import Campaign
from qualityweek.directory.demo import DEMO_PASSWORD, DEMO_USERS
from qualityweek.directory.models import Organisation, Region, User

pytestmark = pytest.mark.django_db


def snapshot():
    return list(Organisation.objects.order_by("name", "municipality").values_list(
        "name", "inn", "region__code", "kind", "size", "status"))


def test_demo_is_complete_and_deterministic(client):
    call_command("load_demo", seed=7, organisations=1200, verbosity=0)
    assert Region.objects.count() == 89
    for authority in ("education", "industry"):
        assert Organisation.objects.filter(authority=authority).count() == 89
    kirov_industry = Organisation.objects.get(region__code="43", authority="industry")
    assert kirov_industry.name == "Министерство промышленности, предпринимательства и торговли Кировской области"
    assert Organisation.objects.filter(region__code="43", sector="education").count() > 5
    assert set(Organisation.objects.values_list("status", flat=True)) >= {"active", "pending", "closed"}
    assert Campaign.objects.filter(year__gte=2018).count() >= 9
    for demo in DEMO_USERS:
        assert client.login(request=HttpRequest(), username=demo.email, password=DEMO_PASSWORD), demo.email
    first = snapshot()
    call_command("load_demo", seed=7, organisations=1200, reset=True, verbosity=0)
    assert snapshot() == first
    call_command("load_demo", seed=8, organisations=1200, reset=True, verbosity=0)
    assert snapshot() != first


def test_demo_refuses_to_overwrite_without_reset(db):
    call_command("load_demo", organisations=10, verbosity=0)
    users = User.objects.count()  # the directory's demo people and those other apps' demos add (jurors…)
    assert users >= len(DEMO_USERS)
    with pytest.raises(CommandError, match="--reset"):
        call_command("load_demo", organisations=10, verbosity=0)
    call_command("load_demo", organisations=10, if_empty=True, verbosity=0)
    assert User.objects.count() == users
