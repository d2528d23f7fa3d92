"""Liveness, readiness, the protected /metrics, JSON logs with a request id that follows a request
into its job, and the figures the mail API, the jobs and the WebSockets count."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from django.core.management import call_command
from prometheus_client import REGISTRY
from websockets.sync.client import connect

from qualityweek.core import mail
from qualityweek.core.logs import ContextFilter, JsonFormatter, job_context
from qualityweek.core.models import Job
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def json_log():
    """The lines the project's logger writes, as the production handler formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("qualityweek")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_liveness_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readiness_checks_database_redis_and_storage(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"
    assert body["checks"]["redis"] == ("ok" if settings.REDIS_URL else "skipped")
    assert response["Cache-Control"] == "no-store"


def test_readiness_fails_when_storage_cannot_write(client, settings, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocker / "media")}}}
    with caplog.at_level(logging.ERROR, logger="qualityweek.core.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "failed", "checks": {"database": "ok", "storage": "failed",
                                                              "redis": "ok" if settings.REDIS_URL else "skipped"}}
    assert "not-a-folder" not in response.content.decode()  # the reason goes to the log only
    assert "Readiness check storage failed" in caplog.text


def test_readiness_fails_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "failed"


def test_metrics_are_refused_unless_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 404


def test_metrics_by_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-token").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_metrics_by_address_and_never_through_the_proxy(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "10.0.0.0/8"]
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    # Behind the proxy on the same host, a visitor arrives from 127.0.0.1 with the proxy's header.
    settings.BEHIND_PROXY = True
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1, 198.51.100.4").status_code == 404


def test_request_latency_by_view_and_queue_figures(client, settings, world):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    before = sample("qualityweek_http_request_duration_seconds_count", view="health", method="GET")
    client.get("/healthz")
    client.get("/healthz")
    assert sample("qualityweek_http_request_duration_seconds_count", view="health", method="GET") == before + 2
    assert sample("qualityweek_http_responses_total", view="health", method="GET", status="2xx") >= 2
    client.get("/no-such-page/")
    assert sample("qualityweek_http_responses_total", view="<unresolved>", method="GET", status="4xx") >= 1

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    mail.send_email_task.enqueue(to=["a@example.ru"], subject="x", body="y")
    mail.send_email_task.enqueue(to=["b@example.ru"], subject="x", body="y")
    Job.objects.create(owner=world.operator, kind="test", title="t", status=Job.Status.RUNNING)
    text = client.get("/metrics").content.decode()
    assert 'qualityweek_task_queue_depth{queue="default"} 2.0' in text
    assert 'qualityweek_jobs{status="running"} 1.0' in text
    age = next(line for line in text.splitlines()
               if line.startswith('qualityweek_task_queue_oldest_age_seconds{queue="default"}'))
    assert 0 <= float(age.split()[-1]) < 60


def test_request_id_comes_back_and_is_taken_from_the_proxy_only(client, settings):
    mine = client.get("/healthz")["X-Request-ID"]
    assert len(mine) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="planted-by-a-client")["X-Request-ID"] != "planted-by-a-client"
    settings.BEHIND_PROXY = True
    assert client.get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef")["X-Request-ID"] == "0123456789abcdef"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n{}")["X-Request-ID"] != "bad id\n{}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_request_id_follows_the_request_into_its_job(client, world, settings, monkeypatch, json_log):
    """The worker runs the job long after the request ended, in another process in production: the
    job's log line still names the request that started it, and the failure is counted."""
    from qualityweek.directory import tasks

    def boom(**kwargs):
        raise OSError("диск заполнен")

    monkeypatch.setattr(tasks, "write_organisations_xlsx", boom)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client.force_login(world.operator)
    request_id = client.post("/directory/organisations/export/")["X-Request-ID"]
    job = Job.objects.get()
    assert job.request_id == request_id
    failures = sample("qualityweek_job_failures_total", kind=job.kind)

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    failed = [line for line in json_log() if line["message"] == f"Job {job.pk} failed"]
    assert failed, json_log()
    assert failed[0]["request_id"] == request_id
    assert failed[0]["job_id"] == str(job.pk)
    assert failed[0]["level"] == "ERROR"
    assert "диск заполнен" in failed[0]["exc_info"]
    assert sample("qualityweek_job_failures_total", kind=job.kind) == failures + 1


def test_json_lines_carry_extra_fields_and_no_empty_ids(json_log):
    logger = logging.getLogger("qualityweek.test")
    logger.warning("вне запроса", extra={"region": "43"})
    with job_context(job_id="j-1", request_id="r-1"):
        logger.warning("в задаче")
    first, second = json_log()
    assert first["message"] == "вне запроса"
    assert first["region"] == "43"
    assert "request_id" not in first
    assert (second["request_id"], second["job_id"]) == ("r-1", "j-1")


def test_mail_outcomes_are_counted(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        server.inbox.refuse.add("bounce@example.ru")
        sent, refused = sample("qualityweek_mail_total", outcome="sent"), sample("qualityweek_mail_total",
                                                                                  outcome="refused")
        with mail.session() as session:
            session.send(mail.message(to=["a@example.ru"], subject="Тема", body="Текст"))
            with pytest.raises(mail.DeliveryError):
                session.send(mail.message(to=["bounce@example.ru"], subject="Тема", body="Текст"))
        assert sample("qualityweek_mail_total", outcome="sent") == sent + 1
        assert sample("qualityweek_mail_total", outcome="refused") == refused + 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_websocket_connections_are_counted(asgi_server):
    before = sample("qualityweek_websocket_connections", route="health")
    accepted = sample("qualityweek_websocket_connections_accepted_total", route="health")
    with connect(f"ws://{asgi_server}/ws/health/", additional_headers={"Origin": f"http://{asgi_server}"}) as ws:
        ws.send(json.dumps({"type": "echo", "text": "x"}))
        assert json.loads(ws.recv(timeout=5))["text"] == "x"
        assert sample("qualityweek_websocket_connections", route="health") == before + 1
    deadline = time.monotonic() + 5
    while sample("qualityweek_websocket_connections", route="health") != before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sample("qualityweek_websocket_connections", route="health") == before
    assert sample("qualityweek_websocket_connections_accepted_total", route="health") == accepted + 1
