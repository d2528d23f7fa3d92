#!/usr/bin/env bash
# `make run`: set up, migrate, load demo data on first run, then serve http://127.0.0.1:8000
# with a background job worker beside the ASGI server. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_SYNC_ARGS="--no-dev" source scripts/bootstrap.sh
PY=.venv/bin/python

# Served as a visitor sees it: DEBUG off (the project's own 404 and 500 pages, compressed static files)
# over plain http on this machine. `DEBUG=1 make run` keeps Django's debug pages for development.
export DEBUG=${DEBUG:-0}
if [ "$DEBUG" = "0" ]; then
  mkdir -p var
  # A secret of this installation, made once and kept in var/ (never committed).
  [ -s var/secret_key ] || $PY -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
  chmod 600 var/secret_key
  export SECRET_KEY=${SECRET_KEY:-$(cat var/secret_key)}
  export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
  export SECURE_COOKIES=${SECURE_COOKIES:-0} SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0}
  export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0} LOG_FORMAT=${LOG_FORMAT:-text}
  export OTP_REQUIRED_ROLES=${OTP_REQUIRED_ROLES-}  # the demo logins sign in without a second factor
  $PY manage.py collectstatic --no-input -v 0
fi

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
