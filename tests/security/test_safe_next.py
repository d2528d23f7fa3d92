"""A review transition follows its POST `next` only when it points to this site."""

import pytest

from qualityweek.activities.models import Activity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("foreign", ["https://evil.example/", "//evil.example", "///evil.example",
                                     "https:evil.example", "javascript:alert(1)"])
def test_foreign_next_falls_back_to_the_activity(client, world, make_activity, foreign):
    activity = make_activity(status="submitted")
    client.force_login(world.kirov_edu)
    response = client.post(f"/activities/{activity.pk}/approve/", {"next": foreign})
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    assert Activity.objects.get(pk=activity.pk).status == "approved"


def test_local_next_is_followed(client, world, make_activity):
    activity = make_activity(status="submitted")
    client.force_login(world.kirov_edu)
    response = client.post(f"/activities/{activity.pk}/approve/", {"next": "/activities/review/?page=2"})
    assert response["Location"] == "/activities/review/?page=2"
