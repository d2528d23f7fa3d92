"""Files in a real S3-compatible object store (SeaweedFS, started by ``scripts/objectstore.sh``):
nothing is reachable by its key or by a URL without the permission check; a signed URL expires.

Runs when ``S3_TEST_ENDPOINT_URL`` (with ``S3_TEST_BUCKET``, ``S3_TEST_ACCESS_KEY`` and
``S3_TEST_SECRET_KEY``) points at the store — the PostgreSQL pass of ``.ci/run`` sets them."""

from __future__ import annotations

import io
import os
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from qualityweek.activities.models import Photo
from qualityweek.activities.photos import services as photos
from qualityweek.core import files
from qualityweek.core.audit import Actor
from qualityweek.core.models import Job

ENDPOINT = os.environ.get("S3_TEST_ENDPOINT_URL", "")
pytestmark = [
    pytest.mark.objectstore,
    pytest.mark.skipif(not ENDPOINT, reason="no object store: S3_TEST_ENDPOINT_URL is not set"),
]


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    """A plain HTTP GET from outside the platform (no credentials)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test store's http URL
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.fixture
def store(settings):
    """The default storage is the object store, under a prefix of this test's own."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    options = {
        "bucket_name": os.environ["S3_TEST_BUCKET"], "endpoint_url": ENDPOINT,
        "access_key": os.environ["S3_TEST_ACCESS_KEY"], "secret_key": os.environ["S3_TEST_SECRET_KEY"],
        "region_name": "us-east-1", "location": prefix, "addressing_style": "path", "signature_version": "s3v4",
        "default_acl": None, "querystring_auth": True, "querystring_expire": 60, "file_overwrite": False,
    }
    settings.STORAGES = {**django_settings.STORAGES,
                         "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}
    yield prefix
    bucket = default_storage.bucket  # type: ignore[attr-defined]
    bucket.objects.filter(Prefix=f"{prefix}/").delete()


def key_url(prefix: str, name: str) -> str:
    """The object's plain address in the store: what someone who learnt the key would try."""
    return f"{ENDPOINT.rstrip('/')}/{os.environ['S3_TEST_BUCKET']}/{prefix}/{name}"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_storage_is_the_object_store(store, tmp_path):
    name = files.store_bytes("private/probe/a.txt", b"secret")
    assert name == "private/probe/a.txt"
    assert default_storage.bucket.Object(f"{store}/{name}").get()["Body"].read() == b"secret"  # type: ignore[attr-defined]
    assert not (django_settings.MEDIA_ROOT / name).exists()
    assert files.read_bytes(name) == b"secret"
    files.delete(name)
    assert not files.exists(name)


def test_foreign_user_cannot_fetch_a_private_photo_by_key_or_url(client, world, make_activity, store,
                                                                  django_capture_on_commit_callbacks):
    activity = make_activity()
    with django_capture_on_commit_callbacks(execute=True):
        added = photos.add_photo(actor=Actor(user=world.school_rep), activity=activity,
                                 upload=SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg"))
    photo = Photo.objects.get(pk=added.pk)
    assert photo.status == Photo.Status.READY, photo.error
    kept = files.read_bytes(photo.thumbnail)
    assert kept[:3] == b"\xff\xd8\xff"
    assert default_storage.listdir(photos.QUARANTINE)[1] == []  # the quarantined upload is gone

    client.force_login(world.school_rep)
    own = client.get(reverse("photo_file", args=[photo.pk, "thumb"]))
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == kept

    client.force_login(world.company_rep)  # another organisation, another sector
    assert client.get(reverse("photo_file", args=[photo.pk, "thumb"])).status_code == 404
    # By its key, straight at the store: refused (the bucket is private).
    for name in (photo.thumbnail, photo.image):
        status, body, _ = fetch(key_url(store, name))
        assert status == 403, body
        assert kept not in body
    # A URL the storage signs, with its signature taken off, or with another key under the same signature.
    signed = default_storage.url(photo.thumbnail)
    assert fetch(signed)[0] == 200  # (the store does hand it out to a valid signature)
    assert fetch(signed.split("?", 1)[0])[0] == 403
    other = default_storage.url(photo.image)
    query = urlsplit(other).query
    assert fetch(f"{signed.split('?', 1)[0]}?{query}")[0] == 403


def test_download_by_a_short_lived_signed_url_that_expires(client, world, settings, store):
    settings.PRIVATE_DOWNLOAD_URL_SECONDS = 2
    name = files.store_bytes("private/exports/report.xlsx", b"PK-report")
    job = Job.objects.create(owner=world.kirov_edu, kind="test", title="Выгрузка", status=Job.Status.DONE,
                             result_file=name, result_name="отчёт.xlsx")
    client.force_login(world.operator)  # not the owner
    refused = client.get(reverse("job_download", args=[job.pk]))
    assert refused.status_code == 404
    assert "Location" not in refused

    client.force_login(world.kirov_edu)
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(ENDPOINT)
    assert "X-Amz-Expires=2" in url
    status, body, headers = fetch(url)
    assert (status, body) == (200, b"PK-report")
    assert "attachment" in headers.get("Content-Disposition", "")
    time.sleep(3)
    status, body, _ = fetch(url)
    assert status == 403
    assert b"PK-report" not in body


def test_streamed_when_no_signed_urls_are_wanted(client, world, settings, store):
    settings.PRIVATE_DOWNLOAD_URL_SECONDS = 0
    name = files.store_bytes("private/exports/streamed.csv", "Регион;Код\n".encode())
    job = Job.objects.create(owner=world.kirov_edu, kind="test", title="Выгрузка", status=Job.Status.DONE,
                             result_file=name, result_name="выгрузка.csv")
    client.force_login(world.kirov_edu)
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "Регион;Код\n".encode()


def test_readiness_checks_the_object_store(client, settings, store):
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"
    right = settings.STORAGES
    wrong = dict(right["default"]["OPTIONS"], secret_key="not-the-secret")
    settings.STORAGES = {**right, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": wrong}}
    response = client.get("/readyz")
    settings.STORAGES = right  # the fixture cleans up with the right key
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "failed"


def test_contest_attachment_lives_in_the_store_and_only_its_application_reaches_it(client, world, store):
    from qualityweek.contest import services as contest
    from tests.contest import helpers as contest_helpers

    pdf = b"%PDF-1.7\n% the applicant's report\n"
    nomination = contest_helpers.nomination(contest_helpers.contest())
    application = contest.save_application(
        actor=Actor(user=world.company_rep), nomination=nomination, organisation=world.kirov_company,
        title="Дни открытых дверей", files={"f_report": SimpleUploadedFile("отчёт.pdf", pdf, "application/pdf")},
        data={"f_summary": "Неделя открытых дверей", "f_people": "250", "f_scale": "Город"})
    attachment = application.attachments.get()
    key = f"{store}/{attachment.file.name}"
    assert default_storage.bucket.Object(key).get()["Body"].read() == pdf  # type: ignore[attr-defined]
    assert not (django_settings.MEDIA_ROOT / attachment.file.name).exists()

    url = reverse("contest_attachment", args=[application.pk, attachment.key])
    client.force_login(world.company_rep)
    own = client.get(url)
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == pdf
    client.force_login(world.school_rep)  # another organisation: the application does not exist for it
    assert client.get(url).status_code == 404
    assert fetch(key_url(store, attachment.file.name))[0] == 403


def test_a_material_uploaded_by_the_operator_is_kept_in_the_store_and_downloaded_through_the_platform(
        client, world, store):
    from qualityweek.outreach.models import Material
    from tests.contest import helpers as contest_helpers

    campaign = contest_helpers.campaign()
    plan = b"%PDF-1.7\n% the lesson plan\n"
    client.force_login(world.operator)
    response = client.post(reverse("outreach_material_create"), {
        "campaign": campaign.pk, "kind": "lesson_plan", "title": "План урока качества", "audiences": ["everyone"],
        "is_published": "on", "upload": SimpleUploadedFile("plan.pdf", plan, "application/pdf")})
    assert response.status_code == 302, response.content.decode()[:2000]
    material = Material.objects.get()
    assert default_storage.bucket.Object(f"{store}/{material.file.name}").get()["Body"].read() == plan  # type: ignore[attr-defined]
    client.logout()
    download = client.get(reverse("outreach_material_download", args=[material.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == plan
    assert fetch(key_url(store, material.file.name))[0] == 403
