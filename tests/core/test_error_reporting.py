"""Error reporting (``SENTRY_DSN``, core/errors.py) end to end: a real Sentry SDK in a separate
process sends an unhandled view error to a real HTTP server standing in for Sentry/GlitchTip; the
event carries the request id and nothing personal."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import sys
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

def boom(request):
    request.session["secret"] = "never sent"
    raise RuntimeError("boom for the error reporter")

urlpatterns = [path("boom/", boom)]
sys.modules["boom_urls"] = sys.modules[__name__]
signed = "django.contrib.sessions.backends.signed_cookies"  # no session table in this bare process
with override_settings(ROOT_URLCONF="boom_urls", BEHIND_PROXY=True, SESSION_ENGINE=signed):
    response = Client(raise_request_exception=False).get(
        "/boom/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef",
        HTTP_COOKIE="sessionid=secret-session", HTTP_USER_AGENT="test")
    print(response.status_code)
import sentry_sdk
sentry_sdk.flush(10)
'''


class _Receiver(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # the SDK prefers brotli when the module is installed
            import brotli

            body = brotli.decompress(body)
        type(self).envelopes.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        return


def test_an_unhandled_error_reaches_the_error_server_with_its_request_id_and_no_personal_data(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")} | {
            "DJANGO_SETTINGS_MODULE": "qualityweek.settings", "VAR_DIR": str(tmp_path),
            "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/7", "SENTRY_ENVIRONMENT": "test"}
        done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120, check=False)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "500"
    events = [json.loads(line) for body in _Receiver.envelopes for line in body.splitlines()[1:]
              if line.startswith(b"{") and b'"exception"' in line]
    assert len(events) == 1, _Receiver.envelopes
    event = events[0]
    assert event["exception"]["values"][-1]["value"] == "boom for the error reporter"
    assert event["tags"]["request_id"] == "0123456789abcdef0123456789abcdef"
    assert event["environment"] == "test"
    sent = json.dumps(event, ensure_ascii=False)
    assert "secret-session" not in sent
    assert "never sent" not in sent
    assert "user" not in event or "ip_address" not in event["user"]
