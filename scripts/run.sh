#!/usr/bin/env bash
# `make run`: set up, migrate, load demo data on first run, then serve http://127.0.0.1:8000
# with a background job worker beside the ASGI server. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_SYNC_ARGS="--no-dev" source scripts/bootstrap.sh
PY=.venv/bin/python

$PY manage.py migrate --no-input
$PY manage.py load_demo --if-empty

HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# No autoreloader: its parent process would outlive a killed worker and leave an orphan behind.
# run_worker = db_worker plus the job reaper (a thread of the same process) every JOB_REAP_SECONDS.
$PY manage.py run_worker --no-startup-delay --no-reload &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

echo
echo "Платформа Недели качества: http://$HOST:$PORT/"
$PY manage.py print_logins
echo "Письма (без SMTP-сервера) складываются в var/mail/. Остановить: Ctrl+C."
echo
$PY -m uvicorn qualityweek.asgi:application --host "$HOST" --port "$PORT" --no-access-log
