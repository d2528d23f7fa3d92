"""Optional error reporting to a Sentry-compatible server (Sentry, GlitchTip, …): set ``SENTRY_DSN``.

Nothing personal is sent (``send_default_pii`` off); each event carries the request id of the request
or job it happened in, so it can be found in the logs."""

from __future__ import annotations

import os
from typing import Any

from .logs import current_job_id, current_request_id


def _tag_request_id(event: Any, hint: Any) -> Any:
    tags = event.setdefault("tags", {})
    if current_request_id():
        tags["request_id"] = current_request_id()
    if current_job_id():
        tags["job_id"] = current_job_id()
    return event


def init_error_reporting(dsn: str) -> bool:
    """Start the Sentry SDK when a DSN is given; True if it was started."""
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
        before_send=_tag_request_id,
    )
    return True
