import pytest
from django.core.management import call_command
from django.utils import timezone

from qualityweek.certificates.models import Certificate

pytestmark = pytest.mark.django_db


def test_demo_issues_the_previous_campaign_in_several_regions_with_one_revoked():
    call_command("load_demo", seed=7, organisations=1200, verbosity=0)
    certificates = Certificate.objects.all()
    assert certificates.values("region").distinct().count() >= 3
    last_year = timezone.localdate().year - 1
    # The campaign's certificates, and the previous contest's diplomas (issued by the contest demo).
    assert set(certificates.values_list("subject_label", flat=True)) == {f"Неделя качества {last_year}",
                                                                          f"Лидер качества {last_year}"}
    assert certificates.filter(status="revoked").count() == 1
    assert certificates.filter(kind="thanks").exists()
    letter = certificates.filter(kind="thanks").first()
    assert letter.holder_printed != letter.holder_name  # the dative
    # The current campaign's Kirov schools are left for the coordinator to issue.
    assert not certificates.filter(subject_label=f"Неделя качества {last_year + 1}").exists()
    call_command("load_demo", seed=7, organisations=1200, reset=True, verbosity=0)
    assert Certificate.objects.filter(status="revoked").count() == 1
