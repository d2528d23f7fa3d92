#!/usr/bin/env bash
# `make test`: set up (including Debian's Chromium for the browser tests), then run the whole suite.
# DATABASE_URL / REDIS_URL choose PostgreSQL / Redis; the default is SQLite and local memory.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

if ! command -v chromium >/dev/null 2>&1; then
  echo "» Устанавливаю Chromium из пакетов Debian для браузерных тестов"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# In parallel, one test process per CPU up to 4 (pytest-xdist); TEST_WORKERS=0 runs in this process.
CPUS=$(nproc 2>/dev/null || echo 2)
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-$(( CPUS < 4 ? CPUS : 4 ))}" "$@"
