"""Role x URL rows for the notification centre (see tests/test_url_matrix.py).

Each person reads only their own notifications: the school representative's one is a 404 to
everybody else."""

from __future__ import annotations

from qualityweek.notifications import selectors, services
from qualityweek.notifications.models import Notification
from tests.matrix import Route, signed_in


def objects(world) -> dict:
    [pk] = services.notify(users=[world.school_rep], kind="report_approved", key="matrix:1",
                           title="Отчёт принят: Урок качества", url="/cabinet/")
    return {"notification": Notification.objects.get(pk=pk)}


ROUTES: dict[str, Route] = {
    "notification_list": Route(expect=signed_in(200)),
    "notification_badge": Route(expect=signed_in(200)),
    "notification_settings": Route(expect=signed_in(200)),
    "notification_read_all": Route(method="POST", expect=signed_in(302)),
    "notification_read": Route(kwargs=lambda o: {"pk": o["notification"].pk}, method="POST",
                               expect=signed_in(404, school_rep=302)),
}

SCOPED_READS = {Notification: lambda user, n: selectors.notifications_for(user).filter(pk=n.pk).exists()}
