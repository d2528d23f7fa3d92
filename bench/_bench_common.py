"""Shared bits of the activity benchmarks: a throw-away PostgreSQL database configured like
production (DEBUG off, static files collected), the base demo data, and percentiles."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

# The demo steps the activity benchmarks need (organisations, demo users, campaigns, activities, tallies).
DEMO_STEPS = ["qualityweek.directory.demo", "qualityweek.campaigns.demo", "qualityweek.activities.demo",
              "qualityweek.analytics.demo"]  # the last rebuilds the tallies, as load_demo does


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def throwaway_database(prefix: str) -> Iterator[dict[str, str]]:
    """Create ``<prefix>_<pid>`` on the server named by DATABASE_URL, point this process's
    environment at it, and drop it afterwards. Yields the environment for child processes."""
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(server)
    name = f"{prefix}_{os.getpid()}"
    admin = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    subprocess.run(["createdb", *admin, name], check=True)
    os.environ.update({
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")), "DEBUG": "0",
        "SECRET_KEY": "bench-not-a-secret-" + "x" * 40, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "LOG_LEVEL": "WARNING",
        "VAR_DIR": tempfile.mkdtemp(prefix=f"{prefix}_"),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "qualityweek.settings"),
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    })
    try:
        yield dict(os.environ)
    finally:
        with contextlib.suppress(Exception):  # Django may not be set up when creation failed
            from django.db import connections

            connections.close_all()
        subprocess.run(["dropdb", *admin, "--if-exists", "--force", name], check=True)


def prepare(organisations: int = 3000) -> None:
    """Migrate, collect static files (DEBUG is off, as in production) and load the base demo."""
    import importlib

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from qualityweek.core.demo import DemoContext

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    ctx = DemoContext(seed=2026, organisations=organisations, today=timezone.localdate(),
                      on_progress=lambda done, total, label: None)
    with transaction.atomic():
        for step in DEMO_STEPS:
            importlib.import_module(step).build(ctx)
