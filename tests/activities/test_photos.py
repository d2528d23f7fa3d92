"""Photo evidence: checked by content, re-encoded without metadata in a job, served privately."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from qualityweek.activities.models import Photo
from qualityweek.activities.photos import services as photos
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from tests.browser.conftest import log_in, page  # noqa: F401 (the browser fixture)

GPS_IFD = 0x8825
GPS_TAG = 34853
XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="58,36.0N"/></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')


# --- building test files ------------------------------------------------------------------------------

def picture(size=(800, 600), mode="RGB", color=(30, 120, 200)) -> Image.Image:
    return Image.new(mode, size, color)


def encode(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg(size=(800, 600), **params) -> bytes:
    return encode(picture(size), "JPEG", **params)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS 5D"  # Model
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (58.0, 36.0, 12.5)  # Kirov
    gps[3] = "E"
    gps[4] = (49.0, 40.0, 7.25)
    return exif


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header declares a huge canvas (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0" * 4096, 9))
            + png_chunk(b"IEND", b""))


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) is patched to declare a huge canvas."""
    data = bytearray(jpeg((300, 300)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def zip_payload() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.html", "<html><script>alert(document.cookie)</script></html>")
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def media(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def quarantined() -> list[Path]:
    folder = media(photos.QUARANTINE)
    return sorted(folder.iterdir()) if folder.exists() else []


def stored_photos() -> list[Path]:
    folder = media("private/photos")
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def reopen(name: str) -> Image.Image:
    image = Image.open(media(name))
    image.load()
    return image


# --- fixtures ---------------------------------------------------------------------------------------

@pytest.fixture
def activity(make_activity):
    return make_activity()


@pytest.fixture
def add(world, django_capture_on_commit_callbacks):
    """Upload through the service as the school's representative and run the job on commit."""

    def add(activity, *files, user=None, name: str = "photo.jpg") -> list[Photo]:
        uploads = [f if isinstance(f, SimpleUploadedFile) else upload(f, name) for f in files]
        with django_capture_on_commit_callbacks(execute=True):
            added = photos.add_photos(actor=Actor(user=user or world.school_rep), activity=activity, uploads=uploads)
        return [Photo.objects.get(pk=p.pk) for p in added]

    return add


def refused(activity, data: bytes, user, name: str = "photo.jpg", content_type: str = "image/jpeg") -> str:
    """The Russian message for a refused upload; nothing may be stored."""
    with pytest.raises(ValidationError) as exc:
        photos.add_photo(actor=Actor(user=user), activity=activity, upload=upload(data, name, content_type))
    assert not Photo.objects.filter(activity=activity).exists()
    assert quarantined() == []
    return " ".join(exc.value.message_dict[photos.FIELD])


# --- accepted files ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")])
def test_jpeg_png_webp_become_a_clean_jpeg_and_a_thumbnail(world, activity, add, fmt, name):
    [photo] = add(activity, encode(picture((3000, 2000)), fmt), name=name)
    assert photo.status == Photo.Status.READY, photo.error
    image, thumb = reopen(photo.image), reopen(photo.thumbnail)
    assert image.format == thumb.format == "JPEG"
    assert image.size == (photo.width, photo.height) == (2560, 1707)
    assert max(thumb.size) == photos.THUMB_SIDE
    assert photo.upload == ""
    assert quarantined() == []


def test_small_images_are_not_upscaled_and_the_minimum_is_inclusive(world, activity, add):
    [photo] = add(activity, jpeg((200, 200)))
    assert (photo.status, photo.width, photo.height) == (Photo.Status.READY, 200, 200)


def test_content_decides_not_the_name_or_browser_type(world, activity, add):
    [photo] = add(activity, upload(encode(picture(), "PNG"), "scan.gif", "image/gif"))
    assert photo.status == Photo.Status.READY
    assert reopen(photo.image).format == "JPEG"


@pytest.mark.parametrize("image", [
    picture(mode="RGBA", color=(200, 0, 0, 0)),  # transparent: flattened on white
    picture(mode="LA", color=(90, 128)),
    picture(mode="CMYK", color=(0, 50, 100, 0)),
    picture(mode="L", color=128),
    picture(mode="1", color=1),
    picture(mode="I;16", color=40000),
    picture().convert("P"),
], ids=["rgba", "la", "cmyk", "grey", "bilevel", "16-bit", "palette"])
def test_any_colour_mode_ends_as_rgb(world, activity, add, image):
    fmt = "JPEG" if image.mode in {"CMYK", "L"} else "PNG"
    [photo] = add(activity, encode(image, fmt))
    assert photo.status == Photo.Status.READY, photo.error
    result = reopen(photo.image)
    assert result.mode == "RGB"
    if image.mode == "RGBA":
        assert min(result.getpixel((10, 10))) > 245  # white, not black, behind the transparency
    if image.mode == "I;16":
        assert 140 < result.getpixel((10, 10))[0] < 170  # 40000/65535 scaled, not clipped to white


# --- refused files ----------------------------------------------------------------------------------

def test_text_renamed_to_jpg_is_refused(world, activity):
    message = refused(activity, "Просто текст, а не фотография\n".encode() * 20, world.school_rep)
    assert "не фотография в формате JPEG, PNG или WebP" in message


@pytest.mark.parametrize(("data", "name"), [
    (encode(picture(), "GIF"), "photo.gif"),
    (encode(picture(), "BMP"), "photo.bmp"),
    (encode(picture(), "TIFF"), "photo.tif"),
    (b"GIF89a/*\x00\x00*/=1;alert(document.domain)//" + b"\0" * 64, "polyglot.jpg"),  # GIF and JavaScript
    (b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>", "photo.jpg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><script>alert(1)</script></svg>', "a.png"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\0" * 16, "broken.webp"),
    (jpeg()[:2] + b"\0" * 400, "header-only.jpg"),
], ids=["gif", "bmp", "tiff", "gif-js-polyglot", "html", "svg", "broken-webp", "jpeg-magic-only"])
def test_other_formats_and_disguised_files_are_refused(world, activity, data, name):
    assert "JPEG, PNG или WebP" in refused(activity, data, world.school_rep, name)


def test_an_empty_file_is_refused(world, activity):
    assert refused(activity, b"", world.school_rep) == photos.MSG_EMPTY


def test_a_corrupted_png_is_refused_at_upload(world, activity):
    data = bytearray(encode(picture(), "PNG"))
    data[-20] ^= 0xFF  # breaks the CRC of the last data chunk; verify() notices
    assert "повреждён" in refused(activity, bytes(data), world.school_rep, "a.png")


def test_a_file_over_the_size_limit_is_refused(world, activity):
    data = jpeg() + b"\0" * photos.MAX_BYTES
    assert refused(activity, data, world.school_rep) == photos.MSG_TOO_BIG


def test_too_small_images_are_refused(world, activity):
    message = refused(activity, jpeg((199, 800)), world.school_rep)
    assert "не меньше 200×200" in message
    assert "199×800" in message


@pytest.mark.parametrize("data", [
    png_declaring(7_000, 7_000),  # 49 Mpx: over our limit, under Pillow's own
    png_declaring(10_000, 10_000),  # 100 Mpx: Pillow's DecompressionBombError
    png_declaring(60_000, 60_000),  # 3.6 Gpx
    jpeg_declaring(65_000, 65_000),
], ids=["png-49mpx", "png-100mpx", "png-3.6gpx", "jpeg-4.2gpx"])
def test_decompression_bombs_are_refused_with_a_message_not_a_warning(world, activity, data):
    assert len(data) < 5_000  # a small file that declares a huge canvas
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a DecompressionBombWarning escaping would fail the test
        message = refused(activity, data, world.school_rep)
    assert message == photos.MSG_BOMB
    assert "мегапикселей" in message


def test_the_job_refuses_a_bomb_on_its_own_too():
    with pytest.raises(photos.PhotoError, match="мегапикселей"):
        photos.reencode(io.BytesIO(png_declaring(20_000, 20_000)))


def test_a_truncated_jpeg_is_rejected_by_the_job_with_a_reason(world, activity, add):
    data = jpeg((1200, 900), quality=95)
    [photo] = add(activity, data[: len(data) // 2])
    assert photo.status == Photo.Status.REJECTED
    assert photo.error == photos.MSG_BROKEN
    assert photo.image == photo.thumbnail == photo.upload == ""
    assert quarantined() == []
    assert stored_photos() == []


# --- polyglots: only the pixels survive ---------------------------------------------------------------

def test_jpeg_with_an_appended_zip_is_neutralised(world, activity, add, client):
    data = jpeg(comment=b"<script>alert(1)</script>") + zip_payload()
    assert zipfile.is_zipfile(io.BytesIO(data))
    assert b"<script>" in data
    [photo] = add(activity, data)
    assert photo.status == Photo.Status.READY
    for name in (photo.image, photo.thumbnail):
        out = media(name).read_bytes()
        assert not zipfile.is_zipfile(io.BytesIO(out))
        assert b"PK\x03\x04" not in out
        assert b"<script" not in out
        assert b"evil.html" not in out
        assert out.startswith(b"\xff\xd8\xff")
        assert out.endswith(b"\xff\xd9")
    client.force_login(world.school_rep)
    response = client.get(reverse("photo_file", args=[photo.pk, "image"]))
    assert b"".join(response.streaming_content) == media(photo.image).read_bytes()


def test_png_with_trailing_html_is_neutralised(world, activity, add):
    data = encode(picture(), "PNG") + b"<html><body><script>alert(document.cookie)</script></body></html>"
    [photo] = add(activity, upload(data, "a.png", "image/png"))
    assert photo.status == Photo.Status.READY
    out = media(photo.image).read_bytes()
    assert b"<html" not in out
    assert b"<script" not in out
    assert b"IEND" not in out


# --- metadata ---------------------------------------------------------------------------------------

def _with_metadata(fmt: str) -> bytes:
    exif = gps_exif()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if fmt == "PNG":
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        return encode(picture(), "PNG", exif=exif, pnginfo=info, icc_profile=icc)
    return encode(picture(), fmt, exif=exif, xmp=XMP, icc_profile=icc)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_gps_and_xmp_are_gone_after_processing(world, activity, add, fmt):
    data = _with_metadata(fmt)
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(GPS_IFD)[2] == (58.0, 36.0, 12.5)  # the upload does carry GPS
    assert b"adobe:ns:meta" in data
    [photo] = add(activity, data)
    assert photo.status == Photo.Status.READY, photo.error
    for name in (photo.image, photo.thumbnail):
        result = reopen(name)
        exif = result.getexif()
        assert GPS_TAG not in exif
        assert not exif.get_ifd(GPS_IFD)
        assert len(exif) == 0
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(result.info)
        raw = media(name).read_bytes()
        assert b"adobe:ns:meta" not in raw
        assert b"http://ns.adobe.com/xap/1.0/" not in raw
        assert b"Exif\x00\x00" not in raw
        assert b"Canon" not in raw


@pytest.mark.parametrize(("orientation", "top", "bottom"), [(6, "red", "blue"), (8, "blue", "red"),
                                                             (1, None, None)])
def test_exif_orientation_is_applied_before_metadata_is_dropped(world, activity, add, orientation, top, bottom):
    image = Image.new("RGB", (600, 300), (255, 0, 0))
    image.paste((0, 0, 255), (300, 0, 600, 300))  # left half red, right half blue
    [photo] = add(activity, encode(image, "JPEG", exif=gps_exif(orientation), quality=95))
    result = reopen(photo.image)
    if orientation == 1:
        assert result.size == (600, 300)
        return
    assert result.size == (photo.width, photo.height) == (300, 600)  # now portrait
    colours = {"red": lambda p: p[0] > 200 and p[2] < 60, "blue": lambda p: p[2] > 200 and p[0] < 60}
    assert colours[top](result.getpixel((150, 100))), result.getpixel((150, 100))
    assert colours[bottom](result.getpixel((150, 500))), result.getpixel((150, 500))
    assert 0x0112 not in result.getexif()  # no orientation left to apply twice


# --- names and quarantine ---------------------------------------------------------------------------

def test_files_get_random_names_and_the_quarantine_is_emptied(world, activity, add):
    data = jpeg()
    added = photos.add_photo(actor=Actor(user=world.school_rep), activity=activity,
                             upload=upload(data, "Иванов Пётр, 7Б, Киров.jpg"))
    # Before the job runs: the original waits in quarantine under a random name, byte for byte.
    assert re.fullmatch(r"private/quarantine/[0-9a-f]{32}", added.upload)
    assert media(added.upload).read_bytes() == data
    photos.process_photo(photo_id=added.pk)
    photo = Photo.objects.get(pk=added.pk)
    assert photo.status == Photo.Status.READY
    year = activity.campaign.year
    for name in (photo.image, photo.thumbnail):
        assert re.fullmatch(rf"private/photos/{year}/[0-9a-f]{{32}}\.jpg", name), name
        assert "Иванов" not in name
        assert Path(added.upload).name not in name
    assert photo.image != photo.thumbnail
    assert photo.upload == ""
    assert quarantined() == []
    assert not media(added.upload).exists()
    # A second run of the same job changes nothing and writes nothing.
    photos.process_photo(photo_id=photo.pk)
    assert stored_photos() == sorted([media(photo.image), media(photo.thumbnail)])


def test_a_photo_deleted_before_its_job_leaves_no_files(world, activity, django_capture_on_commit_callbacks):
    added = photos.add_photo(actor=Actor(user=world.school_rep), activity=activity, upload=upload(jpeg()))
    with django_capture_on_commit_callbacks(execute=True):
        photos.delete_photo(actor=Actor(user=world.school_rep), photo=added)
    assert photos.process_photo(photo_id=added.pk) is None
    assert stored_photos() == []
    assert quarantined() == []


# --- limits and locking -----------------------------------------------------------------------------

def test_the_eleventh_photo_is_refused(world, activity, add):
    actor = Actor(user=world.school_rep)
    for _ in range(10):
        photos.add_photo(actor=actor, activity=activity, upload=upload(jpeg()))
    with pytest.raises(ValidationError) as exc:
        photos.add_photo(actor=actor, activity=activity, upload=upload(jpeg()))
    assert "не больше 10\u00a0фотографий" in exc.value.message_dict["photos"][0]
    assert activity.photos.count() == 10
    assert len(quarantined()) == 10
    # A rejected photo does not take a place.
    Photo.objects.filter(pk=activity.photos.first().pk).update(status=Photo.Status.REJECTED)
    photos.add_photo(actor=actor, activity=activity, upload=upload(jpeg()))
    assert activity.photos.exclude(status=Photo.Status.REJECTED).count() == 10


def test_a_batch_that_would_pass_the_limit_adds_nothing(world, activity):
    actor = Actor(user=world.school_rep)
    photos.add_photos(actor=actor, activity=activity, uploads=[upload(jpeg()) for _ in range(8)])
    with pytest.raises(ValidationError) as exc:
        photos.add_photos(actor=actor, activity=activity, uploads=[upload(jpeg()) for _ in range(3)])
    assert "можно добавить ещё 2" in exc.value.message_dict["photos"][0]
    assert activity.photos.count() == 8
    assert len(quarantined()) == 8


def test_one_bad_file_in_a_batch_adds_nothing_and_names_the_file(world, activity):
    with pytest.raises(ValidationError) as exc:
        photos.add_photos(actor=Actor(user=world.school_rep), activity=activity,
                          uploads=[upload(jpeg(), "good.jpg"), upload(b"not an image", "bad.jpg")])
    [message] = exc.value.message_dict["photos"]
    assert message.startswith("«bad.jpg»: ")
    assert not activity.photos.exists()
    assert quarantined() == []


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_photos_are_locked_once_the_report_is_submitted(world, make_activity, status):
    activity = make_activity(status=status)
    existing = Photo.objects.create(activity=activity, status=Photo.Status.READY)
    for user in (world.school_rep, world.teacher):
        with pytest.raises(ValidationError) as exc:
            photos.add_photo(actor=Actor(user=user), activity=activity, upload=upload(jpeg()))
        assert exc.value.message_dict["photos"] == [photos.MSG_LOCKED]
        with pytest.raises(ValidationError):
            photos.delete_photo(actor=Actor(user=user), photo=existing)
    assert list(activity.photos.all()) == [existing]
    assert quarantined() == []


def test_a_returned_report_takes_photos_again(world, make_activity, add):
    activity = make_activity(status="returned")
    [photo] = add(activity, jpeg(), user=world.teacher)
    assert photo.status == Photo.Status.READY


def test_only_the_organisation_changes_photos(world, activity, add):
    [photo] = add(activity, jpeg())
    for user in (world.kirov_edu, world.operator, world.company_rep, world.moscow_edu):
        with pytest.raises(PermissionDenied):
            photos.add_photo(actor=Actor(user=user), activity=activity, upload=upload(jpeg()))
        with pytest.raises(PermissionDenied):
            photos.delete_photo(actor=Actor(user=user), photo=photo)
    assert list(activity.photos.all()) == [photo]


def test_delete_removes_the_files_and_both_actions_are_audited(world, activity, add,
                                                               django_capture_on_commit_callbacks):
    [photo] = add(activity, jpeg(), name="урок.jpg")
    files = [media(photo.image), media(photo.thumbnail)]
    assert all(f.exists() for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        photos.delete_photo(actor=Actor(user=world.teacher, ip="10.0.0.7"), photo=photo)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(f.exists() for f in files)
    entries = AuditEntry.objects.filter(object_type="activities.Photo", object_id=str(photo.pk)).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [("photo.add", world.school_rep),
                                                      ("photo.delete", world.teacher)]
    assert entries[0].after["file_name"] == "урок.jpg"
    assert entries[1].ip == "10.0.0.7"
    assert entries[1].before["image"] == photo.image


# --- views ------------------------------------------------------------------------------------------

@pytest.fixture
def ready_photo(activity, add):
    return add(activity, jpeg((1200, 900)))[0]


@pytest.mark.parametrize(("role", "expected"), [
    ("school_rep", 200), ("teacher", 200), ("kirov_edu", 200), ("operator", 200), ("editor", 200),
    ("moscow_edu", 404), ("company_rep", 404), ("kirov_business", 404), ("anonymous", "login"),
])
@pytest.mark.parametrize("variant", ["image", "thumb"])
def test_serving_follows_who_may_see_the_activity(client, world, ready_photo, role, expected, variant):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(reverse("photo_file", args=[ready_photo.pk, variant]))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        field = "image" if variant == "image" else "thumbnail"
        assert body == media(getattr(ready_photo, field)).read_bytes()


def test_unknown_variants_and_unfinished_photos_are_not_served(client, world, activity):
    client.force_login(world.school_rep)
    added = photos.add_photo(actor=Actor(user=world.school_rep), activity=activity, upload=upload(jpeg()))
    assert client.get(reverse("photo_file", args=[added.pk, "thumb"])).status_code == 404  # still processing
    photos.process_photo(photo_id=added.pk)
    assert client.get(reverse("photo_file", args=[added.pk, "thumb"])).status_code == 200
    assert client.get(f"/activities/photos/{added.pk}/upload/").status_code == 404
    assert client.get(f"/activities/photos/{added.pk}/../../../settings.py/").status_code == 404


def test_private_files_are_not_under_media_url(client, world, ready_photo):
    client.force_login(world.school_rep)
    html = client.get(reverse("activity_detail", args=[ready_photo.activity_id])).content.decode()
    assert reverse("photo_file", args=[ready_photo.pk, "thumb"]) in html
    assert settings.MEDIA_URL not in html
    assert ready_photo.image not in html
    assert f'alt="Фотография 1 с мероприятия «{ready_photo.activity.title}»"' in html.replace("&quot;", '"')
    assert client.get(settings.MEDIA_URL + ready_photo.image).status_code == 404


def test_upload_view_stores_and_processes(client, world, activity, django_capture_on_commit_callbacks):
    client.force_login(world.school_rep)
    files = [upload(jpeg(), "one.jpg"), upload(encode(picture(), "PNG"), "two.png", "image/png")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("photo_upload", args=[activity.pk]), {"photos": files})
    assert response.status_code == 302
    assert response["Location"] == reverse("activity_detail", args=[activity.pk]) + "#photos"
    assert [p.status for p in activity.photos.all()] == ["ready", "ready"]
    html = client.get(response["Location"]).content.decode()
    assert "Загружено: 2\u00a0фотографии" in html


def test_a_big_upload_goes_through_a_temporary_file(client, world, activity, django_capture_on_commit_callbacks):
    """Over Django's in-memory limit the upload is a temporary file; trailing padding is dropped."""
    data = jpeg() + b"\0" * (photos.MAX_BYTES - 100_000)
    client.force_login(world.school_rep)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("photo_upload", args=[activity.pk]), {"photos": upload(data)})
    [photo] = activity.photos.all()
    assert photo.status == Photo.Status.READY
    assert media(photo.image).stat().st_size < 200_000


def test_upload_errors_are_shown_next_to_the_field_with_htmx(client, world, activity):
    client.force_login(world.school_rep)
    response = client.post(reverse("photo_upload", args=[activity.pk]),
                           {"photos": [upload(b"hello", "notes.jpg")]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_photos_error"' in html
    assert 'aria-invalid="true"' in html
    assert "не фотография в формате JPEG, PNG или WebP" in html
    assert not activity.photos.exists()


def test_upload_errors_without_javascript_come_back_as_a_message(client, world, activity):
    client.force_login(world.school_rep)
    response = client.post(reverse("photo_upload", args=[activity.pk]), {"photos": [upload(jpeg((100, 100)))]},
                           follow=True)
    assert "Изображение слишком маленькое" in response.content.decode()
    assert not activity.photos.exists()


def test_upload_form_is_accessible_and_only_for_editors(client, world, activity):
    client.force_login(world.school_rep)
    html = client.get(reverse("activity_detail", args=[activity.pk])).content.decode()
    assert '<label for="id_photos">' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert 'name="photos"' in html
    assert "multiple" in html
    client.force_login(world.kirov_edu)
    assert 'name="photos"' not in client.get(reverse("activity_detail", args=[activity.pk])).content.decode()


def test_the_list_polls_while_a_photo_is_processing(client, world, activity):
    photos.add_photo(actor=Actor(user=world.school_rep), activity=activity, upload=upload(jpeg()))
    client.force_login(world.school_rep)
    html = client.get(reverse("activity_detail", args=[activity.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "Обрабатывается" in html


def test_locked_activity_upload_is_refused_with_a_message(client, world, make_activity):
    activity = make_activity(status="submitted")
    client.force_login(world.school_rep)
    response = client.post(reverse("photo_upload", args=[activity.pk]), {"photos": [upload(jpeg())]}, follow=True)
    assert photos.MSG_LOCKED in response.content.decode()
    assert not activity.photos.exists()
    assert quarantined() == []


@pytest.mark.parametrize(("role", "status"), [("kirov_edu", 403), ("operator", 403), ("moscow_edu", 404),
                                              ("company_rep", 404)])
def test_upload_and_delete_views_refuse_outsiders(client, world, ready_photo, role, status):
    client.force_login(getattr(world, role))
    activity = ready_photo.activity
    assert client.post(reverse("photo_upload", args=[activity.pk]),
                       {"photos": [upload(jpeg())]}).status_code == status
    assert client.post(reverse("photo_delete", args=[ready_photo.pk])).status_code == status
    assert list(activity.photos.all()) == [ready_photo]
    assert quarantined() == []


def test_delete_view(client, world, ready_photo, django_capture_on_commit_callbacks):
    client.force_login(world.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("photo_delete", args=[ready_photo.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Фотография удалена." in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_photos() == []


# --- in a browser -----------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_photo_panel_in_a_browser(page, world, activity):  # noqa: F811 (the browser fixture)
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    log_in(page, world.school_rep.email, PASSWORD)
    page.goto(page.base_url + reverse("activity_detail", args=[activity.pk]))
    field = page.get_by_label("Добавить фотографии")
    field.set_input_files([
        {"name": "урок-1.jpg", "mimeType": "image/jpeg", "buffer": jpeg((900, 600), exif=gps_exif(6))},
        {"name": "урок-2.png", "mimeType": "image/png", "buffer": encode(picture((640, 480)), "PNG")},
    ])
    page.get_by_role("button", name="Загрузить").click()
    thumbs = page.get_by_role("img", name=re.compile("с мероприятия «Урок качества"))
    expect(thumbs).to_have_count(2)
    expect(page.get_by_role("status").filter(has_text="Загружено: 2")).to_be_visible()
    # The thumbnails really load through the private view (and the portrait one is upright).
    thumbs.first.scroll_into_view_if_needed()
    # Polled from here: the page's CSP refuses the eval that wait_for_function's polling needs.
    for _ in range(100):
        if thumbs.evaluate_all("els => els.every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    sizes = thumbs.evaluate_all("els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
    assert sizes == [[True, 267, 400], [True, 400, 300]]

    field = page.get_by_label("Добавить фотографии")
    field.set_input_files([{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just text"}])
    page.get_by_role("button", name="Загрузить").click()
    error = page.locator("#id_photos_error")
    expect(error).to_contain_text("не фотография в формате JPEG, PNG или WebP")
    expect(page.get_by_label("Добавить фотографии")).to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Удалить фотографию 1").click()
    expect(thumbs).to_have_count(1)
    assert activity.photos.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_panel_shows_the_photo_once_the_job_is_done(page, world, activity, settings):  # noqa: F811
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # a worker is late
    log_in(page, world.school_rep.email, PASSWORD)
    page.goto(page.base_url + reverse("activity_detail", args=[activity.pk]))
    page.get_by_label("Добавить фотографии").set_input_files(
        [{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.get_by_role("button", name="Загрузить").click()
    expect(page.get_by_text("Обрабатывается")).to_be_visible()
    [photo] = activity.photos.all()
    photos.process_photo(photo_id=photo.pk)  # what the worker does
    expect(page.get_by_role("img", name=re.compile("Фотография 1"))).to_be_visible()
    expect(page.get_by_text("Обрабатывается")).to_have_count(0)
