"""Prometheus metrics (the official ``prometheus-client``; docs/decisions/0020-observability.md).

Counted in the process where things happen:

- ``qualityweek_http_request_duration_seconds{view,method}`` and ``qualityweek_http_responses_total
  {view,method,status}`` — every request, by the URL pattern's name (``MetricsMiddleware``);
- ``qualityweek_websocket_connections{route}`` (open now) and ``..._total`` — ``WebSocketMetrics``;
- ``qualityweek_mail_total{outcome}`` — every message the mail API tried (sent, refused, uncertain);
- ``qualityweek_job_failures_total{kind}`` and ``qualityweek_job_interruptions_total{kind}`` — in the worker.

Read from the database when ``/metrics`` is scraped (``QueueCollector``), so every node gives the same
cluster-wide figures: ``qualityweek_task_queue_depth{queue}``, ``qualityweek_task_queue_oldest_age_seconds
{queue}`` (tasks waiting for a worker) and ``qualityweek_jobs{status}`` (jobs queued, running, interrupted).

An app node serves its figures at ``/metrics`` (``metrics_allowed``); a job worker started with
``WORKER_METRICS_PORT`` serves its own on that port (``run_worker``). With ``PROMETHEUS_MULTIPROC_DIR``
set, the figures of all processes of a node that share the folder are added up.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .http import client_ip
from .models import Job

REQUEST_LATENCY = Histogram(
    "qualityweek_http_request_duration_seconds", "Time to answer a request, by view.", ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPONSES = Counter("qualityweek_http_responses", "Responses, by view and status class.", ["view", "method", "status"])
WEBSOCKETS_OPEN = Gauge("qualityweek_websocket_connections", "WebSocket connections open now.", ["route"],
                        multiprocess_mode="livesum")
WEBSOCKETS = Counter("qualityweek_websocket_connections_accepted", "WebSocket connections accepted.", ["route"])
MAIL = Counter("qualityweek_mail", "Messages the mail API tried to send, by outcome.", ["outcome"])
JOB_FAILURES = Counter("qualityweek_job_failures", "Job runs that ended in an error.", ["kind"])
JOB_INTERRUPTIONS = Counter("qualityweek_job_interruptions", "Jobs the reaper took over after their lease expired.",
                            ["kind", "outcome"])

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_ROUTE = re.compile(r"^[a-z0-9_-]{1,32}$")


class MetricsMiddleware:
    """Times every request; the view label is the URL pattern's name (bounded), never the raw path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "<unnamed>") if match is not None else "<unresolved>"
        method = request.method if request.method in _METHODS else "other"
        REQUEST_LATENCY.labels(view=view, method=method).observe(time.perf_counter() - start)
        RESPONSES.labels(view=view, method=method, status=f"{response.status_code // 100}xx").inc()
        return response


def websocket_route(path: str) -> str:
    """``/ws/quiz/ABC123/`` → ``quiz``: the socket's kind, never its ids."""
    parts = [p for p in path.split("/") if p]
    name = parts[1] if len(parts) > 1 and parts[0] == "ws" else (parts[0] if parts else "")
    return name if _ROUTE.match(name) else "other"


ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class WebSocketMetrics:
    """ASGI middleware: counts a WebSocket from its accept until its consumer ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope.get("type") != "websocket":
            await self.app(scope, receive, send)
            return
        route = websocket_route(scope.get("path", ""))
        accepted = False

        async def counting_send(message: Any) -> None:
            nonlocal accepted
            if not accepted and message.get("type") == "websocket.accept":
                accepted = True
                WEBSOCKETS_OPEN.labels(route=route).inc()
                WEBSOCKETS.labels(route=route).inc()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                WEBSOCKETS_OPEN.labels(route=route).dec()


class QueueCollector(Collector):
    """Queue depth and age, and jobs by status, read from the database at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult  # its app is installed, its models loaded by now

        now = timezone.now()
        depth = GaugeMetricFamily("qualityweek_task_queue_depth", "Tasks waiting for a worker.", labels=["queue"])
        age = GaugeMetricFamily("qualityweek_task_queue_oldest_age_seconds",
                                "Seconds the oldest waiting task has waited.", labels=["queue"])
        waiting = (DBTaskResult.objects.filter(status="READY").values("queue_name")
                   .annotate(n=Count("id"), oldest=Min("enqueued_at")).order_by())
        seen = set()
        for row in waiting:
            seen.add(row["queue_name"])
            depth.add_metric([row["queue_name"]], row["n"])
            age.add_metric([row["queue_name"]], max((now - row["oldest"]).total_seconds(), 0.0))
        for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
            if queue not in seen:
                depth.add_metric([queue], 0)
                age.add_metric([queue], 0)
        yield depth
        yield age
        jobs = GaugeMetricFamily("qualityweek_jobs", "Jobs not finished, by status.", labels=["status"])
        active = (Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.INTERRUPTED)
        counts = dict(Job.objects.filter(status__in=active).values_list("status").annotate(n=Count("pk"))
                      .order_by())
        for status in active:
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs


_DATABASE_REGISTRY = CollectorRegistry(auto_describe=False)
_DATABASE_REGISTRY.register(QueueCollector())


def exposition() -> bytes:
    """This node's figures (all its processes' under ``PROMETHEUS_MULTIPROC_DIR``) and the queue's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        own = generate_latest(REGISTRY)
    return own + generate_latest(_DATABASE_REGISTRY)


def _in(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics_allowed(request: HttpRequest) -> bool:
    """A scraper shows ``METRICS_TOKEN`` as a bearer token, or comes from ``METRICS_ALLOWED_IPS``: both the
    connecting address and (behind the proxy) the client's address must be listed, so a visitor coming
    through the proxy on the same host is not taken for a local scraper."""
    token = getattr(settings, "METRICS_TOKEN", "")
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    networks = list(getattr(settings, "METRICS_ALLOWED_IPS", []))
    remote = request.META.get("REMOTE_ADDR", "")
    return bool(networks) and _in(remote, networks) and _in(client_ip(request), networks)


def metrics_response() -> HttpResponse:
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
