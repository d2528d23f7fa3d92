import pytest
from django.core.management import call_command
from django.urls import reverse

from qualityweek.directory.models import User
from qualityweek.notifications import selectors
from qualityweek.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_people_find_unread_notifications_and_no_letter_is_queued(client):
    call_command("load_demo", seed=7, organisations=300, verbosity=0)
    for email in ("school@demo.qualityweek.ru", "kirov.edu@demo.qualityweek.ru"):
        user = User.objects.get(email=email)
        assert selectors.unread_count(user) > 0, email
        client.force_login(user)
        assert "badge pending" in client.get(reverse("notification_badge")).content.decode()
    assert set(Notification.objects.values_list("email", flat=True)) == {Notification.Email.NONE}
    count = Notification.objects.count()
    call_command("load_demo", seed=7, organisations=300, reset=True, verbosity=0)
    assert Notification.objects.count() == count  # wiped and made again, the same
