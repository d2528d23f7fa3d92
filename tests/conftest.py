from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass

import pytest
import uvicorn
from django.conf import settings
from django.test import Client
from django.utils import timezone

from qualityweek.activities import services
from qualityweek.activities.models import Activity, ActivityType
from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Organisation, Role, User

from . import factories as f


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file rather than in memory: Django shares one in-memory connection
    between the live server's threads, and a browser loading two images at once then breaks it.
    A file gives every thread its own connection, as the embedded default does in real use."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pools(django_db_setup, django_db_blocker):
    """PostgreSQL's connection pool is shared by every thread (the test servers' too) and keeps its
    connections open: close it before the test database is dropped, or the drop finds them in use."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            # A server thread that a test left behind may still hold a session: end it as dropdb --force would.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            connection.close_pool()


@pytest.fixture(autouse=True)
def _close_files_of_responses(monkeypatch):
    """A file response the test reads only the status or headers of still holds its file open (a
    server would close it): close those files after the test. Only the file, not the response, whose
    close() would end the test's database transaction."""
    seen: list = []
    request = Client.request

    def recording(self, **kwargs):
        response = request(self, **kwargs)
        seen.append(response)
        return response

    monkeypatch.setattr(Client, "request", recording)
    yield
    for response in seen:
        # The test client replaces the streamed file by a wrapper, so the file is reached through
        # the closers the response registered for it.
        for close in getattr(response, "_resource_closers", ()):
            close()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    """Jobs run in-process unless a test asks for the real database worker; files go to a temp dir."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mail_writes_dates_and_numbers_in_russian():
    """Every e-mail a test makes a service send (notifications, letters, forum tickets, reminders) passes
    the page rules for dates and numbers (tests/text_check.py): «15 декабря 2026 г.», «327 723»."""
    yield
    from django.core import mail

    from .text_check import mail_problems

    problems = {m.subject: found for m in getattr(mail, "outbox", []) if (found := mail_problems(m))}
    assert not problems, problems


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    return


@dataclass
class World:
    """Two regions, two sectors, and a person for every role."""

    kirov_school: Organisation
    kirov_company: Organisation
    moscow_school: Organisation
    operator: User
    editor: User
    kirov_edu: User
    kirov_business: User
    moscow_edu: User
    school_rep: User
    teacher: User
    company_rep: User
    juror: User
    forum_staff: User

    def as_role(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(db) -> World:
    kirov_school = f.organisation("43", name="МБОУ СОШ № 1 г. Кирова")
    kirov_company = f.organisation("43", kind=Organisation.Kind.MANUFACTURER, sector="business",
                                   name="АО «Вятский хлебокомбинат»")
    moscow_school = f.organisation("77", name="ГБОУ Школа № 1535")
    return World(
        kirov_school=kirov_school, kirov_company=kirov_company, moscow_school=moscow_school,
        operator=f.user(Role.OPERATOR_ADMIN, email="operator@example.ru"),
        editor=f.user(Role.OPERATOR_EDITOR, email="editor@example.ru"),
        kirov_edu=f.user(Role.COORDINATOR, region_code="43", sector="education", email="kirov.edu@example.ru"),
        kirov_business=f.user(Role.COORDINATOR, region_code="43", sector="business", email="kirov.biz@example.ru"),
        moscow_edu=f.user(Role.COORDINATOR, region_code="77", sector="education", email="moscow.edu@example.ru"),
        school_rep=f.user(Role.ORG_REP, org=kirov_school, email="school@example.ru"),
        teacher=f.user(Role.TEACHER, org=kirov_school, email="teacher@example.ru"),
        company_rep=f.user(Role.ORG_REP, org=kirov_company, email="company@example.ru"),
        juror=f.user(Role.JUROR, contest_id=1, contest_round="regional", region_code="43", email="juror@example.ru"),
        forum_staff=f.user(Role.FORUM_STAFF, event_id=1, email="forum.staff@example.ru"),
    )


# A campaign whose Quality Week has just ended (so reports can be submitted whatever day the suite
# runs), and a helper to make activities in any state.
@pytest.fixture
def campaign(world):
    today = timezone.localdate()
    return campaign_services.create_campaign(
        actor=Actor(user=world.operator), year=today.year, motto="Россия — страна со Знаком качества",
        phase="reporting", week_start=today - dt.timedelta(days=10), week_end=today - dt.timedelta(days=4),
        quality_day=today - dt.timedelta(days=7), report_deadline=today + dt.timedelta(days=20),
    )


@pytest.fixture
def make_activity(world, campaign):
    def make(organisation=None, *, type_code: str = "quality_lesson", status: str = "planned",
             by=None, **counts) -> Activity:
        organisation = organisation or world.kirov_school
        rep = by or (world.school_rep if organisation == world.kirov_school else world.company_rep)
        actor = Actor(user=rep)
        activity = services.plan_activity(
            actor=actor, campaign=campaign, organisation=organisation,
            type=ActivityType.objects.get(code=type_code), title="Урок качества «Как выбрать товар»",
            starts_on=campaign.quality_day, ends_on=campaign.quality_day, format="in_person")
        if status == "planned":
            return activity
        fields = counts or {"pupils_5_9": 75}
        activity = services.save_report(actor=actor, activity=activity, description="Провели урок.",
                                        links=["https://school1.example.ru/news/1"], **fields)
        activity = services.submit(actor=actor, activity=activity)
        coordinator = Actor(user=world.kirov_edu if organisation.sector == "education" else world.kirov_business)
        if status == "approved":
            activity = services.approve(actor=coordinator, activity=activity)
        elif status == "returned":
            activity = services.return_for_changes(actor=coordinator, activity=activity, comment="Добавьте фото.")
        return activity

    return make


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The server's threads need committed rows; the regions the migrations loaded are restored after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def asgi_server():
    """The real ASGI application served by uvicorn in a thread (HTTP and WebSockets); the test
    needs ``django_db(transaction=True)`` so the server's threads see its rows."""
    from qualityweek.asgi import application

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off",
                                           ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)




def session_cookie(client, user) -> str:
    """The Cookie header of a session signed in as ``user`` (the test client logs in)."""
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
