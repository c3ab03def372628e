"""Photos are judged by their bytes, rebuilt without metadata, and hostile files are refused."""

import hashlib
import io

import pytest
from PIL import Image

from parley.attachments.models import Attachment
from parley.attachments.services import (
    attachment_create_from_upload,
    attachments_create_from_uploads,
)
from parley.core.errors import ParleyError

from .conftest import bearer_for, client_for
from .images import GPS_IFD, hostile_files, photo_bytes, photo_with_gps, upload


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("kind", "code", "status"),
    [
        ("svg", "unsupported_media", 415),
        ("html", "unsupported_media", 415),
        ("elf", "unsupported_media", 415),
        ("truncated_jpeg", "invalid", 400),
        ("corrupt_png", "invalid", 400),
        ("polyglot", "unsupported_media", 415),
        ("bomb", "too_large", 413),
    ],
)
def test_hostile_file_is_refused_for_its_reason_and_nothing_is_stored(
    cast, settings, kind, code, status
):
    data, name, content_type = hostile_files()[kind]
    with pytest.raises(ParleyError) as refused:
        attachment_create_from_upload(owner=cast.buyer, upload=upload(data, name, content_type))
    assert (refused.value.code, refused.value.status) == (code, status)
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []


def test_oversized_file_is_refused_before_it_is_read(cast, settings):
    assert settings.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    data = b"\xff\xd8\xff" + b"\x00" * settings.ATTACHMENT_MAX_BYTES
    with pytest.raises(ParleyError) as refused:
        attachment_create_from_upload(owner=cast.buyer, upload=upload(data))
    assert refused.value.status == 413 and "10" in str(refused.value.message)
    assert Attachment.objects.count() == 0 and stored_files(settings) == []


def test_size_limit_edge(cast, settings):
    data = photo_bytes("PNG")
    settings.ATTACHMENT_MAX_BYTES = len(data)
    attachment_create_from_upload(owner=cast.buyer, upload=upload(data, "ok.png"))
    settings.ATTACHMENT_MAX_BYTES = len(data) - 1
    with pytest.raises(ParleyError) as refused:
        attachment_create_from_upload(owner=cast.buyer, upload=upload(data, "big.png"))
    assert refused.value.status == 413


def test_pixel_limit_edge(cast, settings):
    settings.ATTACHMENT_MAX_PIXELS = 64 * 48
    attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes("PNG", (64, 48))))
    with pytest.raises(ParleyError) as refused:
        attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes("PNG", (65, 48))))
    assert refused.value.code == "too_large"


def test_more_photos_than_allowed_are_refused_and_none_stored(cast, settings):
    settings.ATTACHMENTS_PER_MESSAGE = 2
    files = [upload(photo_bytes(), f"p{i}.jpg") for i in range(3)]
    with pytest.raises(ParleyError) as refused:
        attachments_create_from_uploads(owner=cast.buyer, uploads=files)
    assert refused.value.code == "invalid" and "2" in str(refused.value.message)
    assert Attachment.objects.count() == 0 and stored_files(settings) == []


def test_one_bad_file_in_a_batch_stores_none(cast, settings):
    data, name, content_type = hostile_files()["elf"]
    files = [upload(photo_bytes(), "good.jpg"), upload(data, name, content_type)]
    with pytest.raises(ParleyError):
        attachments_create_from_uploads(owner=cast.buyer, uploads=files)
    assert Attachment.objects.count() == 0 and stored_files(settings) == []


@pytest.mark.parametrize(
    ("format", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_accepted_formats_are_judged_by_bytes_not_name(cast, format, content_type):
    data = photo_bytes(format)
    attachment = attachment_create_from_upload(
        owner=cast.buyer, upload=upload(data, "misnamed.txt", "text/plain")
    )
    assert attachment.content_type == content_type
    assert (attachment.width, attachment.height) == (64, 48)
    assert attachment.original_name == "misnamed.txt"
    stored = attachment.file.read()
    assert attachment.size == len(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert "misnamed" not in attachment.file.name  # stored under a random name
    assert Image.open(io.BytesIO(attachment.thumbnail.read())).format == "JPEG"


@pytest.mark.urls("tests.attachments_urls")
def test_gps_is_gone_and_orientation_kept_after_download(cast):
    original = photo_with_gps((40, 20))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    attachment = attachment_create_from_upload(owner=cast.buyer, upload=upload(original))
    response = client_for(cast.buyer).get(f"/a/{attachment.id}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(body))
    assert dict(image.getexif()) == {}
    assert b"Spy Phone" not in body and b"GPS" not in body
    assert image.size == (20, 40)  # the camera's 'rotate 90°' is applied to the pixels
    assert hashlib.sha256(body).hexdigest() == attachment.sha256


@pytest.mark.urls("tests.attachments_urls")
def test_download_headers_and_the_read_rule(cast):
    attachment = attachment_create_from_upload(owner=cast.buyer, upload=upload(photo_bytes()))
    response = client_for(cast.buyer).get(f"/a/{attachment.id}/?download=1")
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="photo.jpg"' in response["Content-Disposition"]
    inline = client_for(cast.buyer).get(f"/a/{attachment.id}/thumb/")
    assert inline["Content-Disposition"].startswith("inline;")
    for reader in (cast.other_buyer, cast.seller, None):
        assert client_for(reader).get(f"/a/{attachment.id}/").status_code == 404
        assert client_for(reader).get(f"/a/{attachment.id}/thumb/").status_code == 404
    assert client_for(cast.buyer).get("/a/999999/").status_code == 404
    assert client_for(cast.buyer).post(f"/a/{attachment.id}/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_api_upload_and_translated_refusal(cast, settings, language):
    headers = {**bearer_for(cast.buyer), "Accept-Language": language}
    client = client_for(None, language)
    ok = client.post(
        "/api/v1/attachments",
        {"files": [upload(photo_bytes(), "a.jpg"), upload(photo_bytes("PNG"), "b.png")]},
        headers=headers,
    )
    assert ok.status_code == 201
    assert [a["content_type"] for a in ok.json()] == ["image/jpeg", "image/png"]
    data, name, content_type = hostile_files()["svg"]
    refused = client.post(
        "/api/v1/attachments", {"files": [upload(data, name, content_type)]}, headers=headers
    )
    assert refused.status_code == 415
    expected = {"ru": "JPEG, PNG, WebP или GIF", "en": "JPEG, PNG, WebP or GIF"}[language]
    assert expected in refused.json()["message"]
    assert Attachment.objects.count() == 2
    anonymous = client_for(None).post("/api/v1/attachments", {"files": [upload(photo_bytes())]})
    assert anonymous.status_code == 401
