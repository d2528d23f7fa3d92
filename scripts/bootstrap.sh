#!/usr/bin/env bash
# Sets up everything the platform needs on a fresh machine; safe to run again (it is quick then).
# Sourced by run.sh and test.sh; exports UV (the uv command) and leaves a synced .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1

if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
  UV="uv"
else
  echo "» uv не найден — устанавливаю из PyPI"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  UV="python3 -m uv"
fi
export UV

find_python() {
  local candidates=(python3.13 python3.12 python3.14 python3)
  local c
  for c in "${candidates[@]}" "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  PYTHON=$(find_python) || { echo "Нужен Python 3.12 или новее (python3.12 / python3.13 в PATH)." >&2; exit 1; }
  echo "» Python: $PYTHON"
  $UV venv --quiet --python "$PYTHON" .venv
fi
$UV sync --quiet --frozen ${UV_SYNC_ARGS:-}
