"""Copy the object store's bucket to a local folder and back (the file half of a backup).

    python scripts/objectstore_mirror.py download FOLDER   bucket → FOLDER (same keys as paths)
    python scripts/objectstore_mirror.py upload FOLDER     FOLDER → bucket (created if missing)
    python scripts/objectstore_mirror.py drop-bucket       empty and remove the bucket

The bucket and the store come from the platform's variables (STORAGE_S3_ENDPOINT_URL, STORAGE_S3_BUCKET,
STORAGE_S3_ACCESS_KEY, STORAGE_S3_SECRET_KEY). Objects are streamed, one at a time."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config


def bucket():
    s3 = boto3.resource("s3", endpoint_url=os.environ["STORAGE_S3_ENDPOINT_URL"],
                        aws_access_key_id=os.environ["STORAGE_S3_ACCESS_KEY"],
                        aws_secret_access_key=os.environ["STORAGE_S3_SECRET_KEY"], region_name="us-east-1",
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return s3.Bucket(os.environ["STORAGE_S3_BUCKET"])


def download(folder: Path) -> int:
    count = 0
    for summary in bucket().objects.all():
        target = folder / summary.key
        if ".." in Path(summary.key).parts:
            raise SystemExit(f"refusing key {summary.key!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        summary.Object().download_file(str(target))
        count += 1
    return count


def upload(folder: Path) -> int:
    b = bucket()
    if b.creation_date is None:
        b.create()
    count = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        b.upload_file(str(path), path.relative_to(folder).as_posix())
        count += 1
    return count


def drop_bucket() -> None:
    b = bucket()
    b.objects.all().delete()
    b.delete()


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    if action == "download":
        print(f"  объектов скопировано из хранилища: {download(Path(sys.argv[2]))}")
    elif action == "upload":
        print(f"  объектов загружено в хранилище: {upload(Path(sys.argv[2]))}")
    elif action == "drop-bucket":
        drop_bucket()
    else:
        raise SystemExit(__doc__)
