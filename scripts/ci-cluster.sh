#!/usr/bin/env bash
# CI's cluster stage (issue 16): `scripts/cluster.sh` in a throw-away place — its own database, Redis
# database, object store, ports and folders — then the cluster test through the proxy and the restore
# drill against it; everything is stopped and dropped at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/qw-ci-cluster.XXXXXX)
export CLUSTER_DIR=$WORK/cluster CLUSTER_PORT=${CLUSTER_PORT:-18800} CLUSTER_DB="qw_ci_cluster_$$"
export CLUSTER_REDIS_DB=${CLUSTER_REDIS_DB:-13} CACHE_KEY_PREFIX="cicluster$$"
export S3_PORT=${CLUSTER_S3_PORT:-18633} OBJECTSTORE_DIR=$WORK/objects STORAGE_S3_BUCKET=qualityweek-cluster
export JOB_STEP_HOLD_DIR=$WORK/hold
mkdir -p "$JOB_STEP_HOLD_DIR"

cleanup() {
  bash scripts/cluster.sh stop || true
  OBJECTSTORE_DIR=$OBJECTSTORE_DIR bash scripts/objectstore.sh stop || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$CLUSTER_DB" || true
  redis-cli -h 127.0.0.1 -n "$CLUSTER_REDIS_DB" flushdb >/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

t0=$(date +%s)
bash scripts/cluster.sh
echo "» кластер поднят за $(( $(date +%s) - t0 )) с"
CLUSTER_URL="http://127.0.0.1:$CLUSTER_PORT" .venv/bin/python -m pytest tests/cluster -p no:cacheprovider
BACKUP_DIR=$WORK/backup SAMPLE=20 bash scripts/restore-drill.sh
echo "» стадия кластера: $(( $(date +%s) - t0 )) с"
