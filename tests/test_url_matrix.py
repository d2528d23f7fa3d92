"""Role x URL matrix: every named route, every role, the expected status. A route added without a
row here fails ``test_every_route_is_in_the_matrix``."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job
from qualityweek.directory import services as directory_services
from qualityweek.directory.models import Role

from .matrix import LOGIN, ROLES, Route, all_, expected, signed_in
from .text_check import text_problems

FOUNDATION: dict[str, Route] = {
    "home": Route(expect=all_(200)),
    "campaign_list": Route(expect=all_(200)),
    "campaign_detail": Route(kwargs=lambda o: {"year": o["campaign"].year}, expect=all_(200)),
    "region_list": Route(expect=signed_in(200)),
    "region_detail": Route(kwargs=lambda o: {"code": "43"}, expect=signed_in(200)),
    # A list of one row is no list: an organisation's person lands on their organisation's page.
    "organisation_list": Route(expect=signed_in(200, school_rep=302, teacher=302)),
    "organisation_create": Route(expect=signed_in(200, editor=403, school_rep=403, teacher=403)),
    "organisation_export": Route(method="POST", expect=signed_in(302, school_rep=403, teacher=403)),
    "organisation_detail": Route(kwargs=lambda o: {"pk": o["org"].pk}, expect=signed_in(200, kirov_business=404)),
    "organisation_edit": Route(kwargs=lambda o: {"pk": o["org"].pk},
                               expect=signed_in(200, editor=403, kirov_business=404, teacher=403)),
    "organisation_status": Route(kwargs=lambda o: {"pk": o["org"].pk, "action": "close"}, method="POST",
                                 expect=signed_in(302, editor=403, kirov_business=404, school_rep=403,
                                                  teacher=403)),
    "invitation_list": Route(expect=signed_in(200, editor=403, teacher=403)),
    "invitation_revoke": Route(kwargs=lambda o: {"pk": o["invitation"].pk}, method="POST",
                               expect=signed_in(302, editor=404, kirov_business=404, school_rep=403,
                                                teacher=404)),
    "login": Route(expect=all_(200)),
    "logout": Route(method="POST", expect=all_(302)),
    "otp_verify": Route(expect=all_(302)),  # without a pending password step: back to the login page
    "otp_setup": Route(expect=signed_in(200)),
    "sign_up": Route(expect={**all_(302), "anonymous": 200}),
    "profile": Route(expect=signed_in(200)),
    "accept_invitation": Route(kwargs=lambda o: {"token": o["token"]}, expect=all_(200)),
    "password_reset": Route(expect=all_(200)),
    "password_reset_done": Route(expect=all_(200)),
    "password_reset_confirm": Route(kwargs=lambda o: {"uidb64": "MQ", "token": "set-password"}, expect=all_(200)),
    "password_reset_complete": Route(expect=all_(200)),
    "job_detail": Route(kwargs=lambda o: {"pk": o["job"].pk}, expect=signed_in(404, kirov_edu=200)),
    "job_progress": Route(kwargs=lambda o: {"pk": o["job"].pk}, expect=signed_in(404, kirov_edu=200)),
    "job_download": Route(kwargs=lambda o: {"pk": o["job"].pk}, expect=signed_in(404, kirov_edu=200)),
    # Only the owner reaches the job; a finished job is neither retried nor cancelled (a message says so).
    "job_retry": Route(kwargs=lambda o: {"pk": o["job"].pk}, method="POST", expect=signed_in(404, kirov_edu=302)),
    "job_cancel": Route(kwargs=lambda o: {"pk": o["job"].pk}, method="POST", expect=signed_in(404, kirov_edu=302)),
    "health": Route(expect=all_(200)),
    "readiness": Route(expect=all_(200)),
    # Only a scraper with the token or from METRICS_ALLOWED_IPS (neither is set here): nobody else.
    "metrics": Route(expect=all_(404)),
}


APP_MATRICES = [importlib.import_module(f"tests.{p.parent.name}.{p.stem}")
                for p in sorted(Path(__file__).parent.glob("*/matrix*.py"))]
MATRIX: dict[str, Route] = FOUNDATION.copy()
for _module in APP_MATRICES:
    assert not set(_module.ROUTES) & set(MATRIX), f"{_module.__name__} repeats routes"
    MATRIX.update(_module.ROUTES)


def route_names(patterns=None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # the admin is checked as a whole below
            names |= route_names(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def test_every_route_is_in_the_matrix():
    missing = route_names() - set(MATRIX)
    assert not missing, f"Routes missing from the role x URL matrix: {sorted(missing)}"
    assert not set(MATRIX) - route_names(), "Matrix rows for routes that no longer exist"


@pytest.fixture
def objects(world, settings, tmp_path):
    campaign = campaign_services.create_campaign(actor=Actor(user=world.operator), year=timezone.localdate().year,
                                                 motto="Россия — страна со Знаком качества", phase="running")
    invitation, token = directory_services.invite(actor=Actor(user=world.kirov_edu), email="new@example.ru",
                                                  role=Role.ORG_REP, organisation=world.kirov_school)
    (tmp_path / "media" / "private").mkdir(parents=True)
    (tmp_path / "media" / "private" / "x.xlsx").write_bytes(b"PK")
    job = Job.objects.create(owner=world.kirov_edu, kind="test", title="Выгрузка", status=Job.Status.DONE,
                             result_file="private/x.xlsx", result_name="x.xlsx")
    objects = {"campaign": campaign, "invitation": invitation, "token": token, "org": world.kirov_school,
               "job": job}
    for module in APP_MATRICES:
        extra = module.objects(world)
        assert not set(extra) & set(objects), f"{module.__name__} reuses object names {set(extra) & set(objects)}"
        objects |= extra
    return objects


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_url_matrix(client, world, objects, name, role):
    route = MATRIX[name]
    user = world.as_role(role)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=route.kwargs(objects) if route.kwargs else None)
    response = client.post(url, route.data or {}) if route.method == "POST" else client.get(url)
    want = expected(route, name, role)
    if want == LOGIN:
        assert response.status_code == 302, (name, role, response.status_code)
        assert response["Location"].startswith(reverse("login")), (name, role, response["Location"])
    else:
        assert response.status_code == want, (name, role, response.status_code)
        if want == 200 and response["Content-Type"].startswith("text/html") and not response.streaming:
            # Russian only, no template syntax, no «2026 г..» (tests/text_check.py).
            problems = text_problems(response.content.decode())
            assert not problems, (name, role, problems)


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("operator", 200), ("editor", 302),
                                              ("kirov_edu", 302), ("school_rep", 302)])
def test_admin_is_for_the_operator_only(client, world, role, status):
    user = world.as_role(role)
    if user is not None:
        client.force_login(user)
    for url in ("/admin/", "/admin/directory/organisation/", "/admin/campaigns/campaign/", "/admin/core/auditentry/"):
        assert client.get(url).status_code == status, url


def test_operator_admin_pages_render(client, world):
    client.force_login(world.operator)
    for url in ("/admin/directory/organisation/add/", f"/admin/directory/organisation/{world.kirov_school.pk}/change/",
                "/admin/directory/user/", "/admin/campaigns/campaign/", "/admin/directory/region/"):
        assert client.get(url).status_code == 200, url


# --- WebSocket routes: each role connects through the real ASGI router (origin check, session) -----------

SOCKETS: dict[str, dict[str, int | str]] = {
    # The health socket is open to everyone; it only says whose session it is.
    "ws_health": all_("accept"),
}
for _module in APP_MATRICES:  # an app with socket routes adds SOCKETS beside its ROUTES
    assert not set(getattr(_module, "SOCKETS", {})) & set(SOCKETS), f"{_module.__name__} repeats socket routes"
    SOCKETS.update(getattr(_module, "SOCKETS", {}))


def test_every_socket_route_is_in_the_matrix():
    from qualityweek.routing import websocket_urlpatterns

    assert {p.name for p in websocket_urlpatterns} == set(SOCKETS)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_role_socket_matrix(client, world, asgi_server):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    from qualityweek.routing import websocket_urlpatterns

    from .conftest import session_cookie

    for pattern in websocket_urlpatterns:
        for role in ROLES:
            client.logout()
            user = world.as_role(role)
            headers = {"Origin": f"http://{asgi_server}"}
            if user is not None:
                headers["Cookie"] = session_cookie(client, user)
            try:
                with connect(f"ws://{asgi_server}/{pattern.pattern}", additional_headers=headers) as ws:
                    ws.send(json.dumps({"type": "ping"}))
                    answer = json.loads(ws.recv(timeout=5))
                    connected = True
            except InvalidStatus:
                connected = False
            assert connected == (SOCKETS[pattern.name][role] == "accept"), (pattern.name, role)
            if connected and pattern.name == "ws_health":
                assert (answer["user"] or {}).get("email") == (user.email if user else None), (role, answer)


# --- can(view) agrees with the scoped reads, for every model that has a view rule ----------------------

def _scoped_reads() -> dict[type, Callable[[Any, Any], bool]]:
    from django.http import Http404

    from qualityweek.activities import selectors as activity_selectors
    from qualityweek.activities.models import Activity, Photo, RegionalReport
    from qualityweek.activities.regional import selectors as regional
    from qualityweek.campaigns.models import Campaign
    from qualityweek.campaigns.selectors import campaigns_for
    from qualityweek.directory import selectors as directory_selectors
    from qualityweek.directory.models import Organisation, Region
    from qualityweek.outreach import selectors as outreach_selectors
    from qualityweek.outreach.models import LetterTemplate, Material, Request
    from qualityweek.showcase.models import BestPractice
    from qualityweek.showcase.selectors import practices_for

    def in_(selector: Callable[[Any], Any]) -> Callable[[Any, Any], bool]:
        return lambda user, obj: selector(user).filter(pk=obj.pk).exists()

    def report_visible(user: Any, report: Any) -> bool:
        try:
            regional.report_for(user, year=report.campaign.year, region_code=report.region.code, sector=report.sector)
        except Http404:
            return False
        return True

    reads = {
        Region: in_(directory_selectors.regions_for),
        Organisation: in_(directory_selectors.organisations_for),
        Activity: in_(activity_selectors.activities_for),
        Photo: lambda user, photo: activity_selectors.activities_for(user).filter(pk=photo.activity_id).exists(),
        RegionalReport: report_visible,
        Campaign: in_(campaigns_for),
        BestPractice: in_(practices_for),
        LetterTemplate: in_(outreach_selectors.templates_for),
        Material: in_(outreach_selectors.materials_for),
        Request: in_(outreach_selectors.requests_for),
    }
    for module in APP_MATRICES:  # an app's matrix module may add SCOPED_READS beside its ROUTES
        reads.update(getattr(module, "SCOPED_READS", {}))
    return reads


def test_every_model_with_a_view_rule_has_a_scoped_read():
    from qualityweek.core.permissions import USER, _rules

    viewable = {model for (kind, model, action) in _rules if kind == USER and action == "view"}
    assert viewable == set(_scoped_reads()), "Add the model's scoped read to _scoped_reads()"


def test_can_view_agrees_with_the_scoped_reads(world, objects):
    from qualityweek.core.permissions import can

    checked = 0
    for model, visible in _scoped_reads().items():
        rows = list(model._default_manager.all()[:200])
        for role in ROLES:
            user = world.as_role(role)
            if user is None:
                continue
            for obj in rows:
                assert can(user, "view", obj) == visible(user, obj), (model.__name__, obj.pk, role)
                checked += 1
    assert checked > 100
