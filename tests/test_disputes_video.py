"""Video evidence: MP4 or WebM judged by ffprobe, metadata stripped by ffmpeg, stored through
the attachments app with its SHA-256, shown as a player, listed in the PDF, served only to
the dispute's sides and arbitrators."""

import hashlib
import io
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from parley.attachments.models import Attachment
from parley.disputes import services
from parley.disputes.models import Dispute, Evidence

from .conftest import bearer_for, client_for
from .images import photo_bytes, upload

FFMPEG = "/usr/bin/ffmpeg"
FFPROBE = "/usr/bin/ffprobe"
pytestmark = pytest.mark.skipif(not Path(FFMPEG).exists(), reason="Debian's ffmpeg is needed")


def make_video(folder: Path, name: str, *, seconds: int = 1, extra: tuple = ()) -> bytes:
    """A tiny test-pattern video; the container follows the file's extension."""
    out = folder / name
    codec = ["-c:v", "libvpx"] if name.endswith(".webm") else ["-c:v", "mpeg4"]
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=duration={seconds}:size=64x64:rate=5", *codec, *extra, str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    return out.read_bytes()


def probe_tags(data: bytes, folder: Path) -> dict:
    path = folder / "probe.bin"
    path.write_bytes(data)
    result = subprocess.run(
        [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    info = json.loads(result.stdout)
    tags = dict(info["format"].get("tags", {}))
    for stream in info["streams"]:
        tags.update(stream.get("tags", {}))
    return tags


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("videos")
    secret = ("-metadata", "title=secret", "-metadata", "location=+55.75+037.61/")
    mp4 = make_video(folder, "plain.mp4")
    return {
        "mp4": mp4,
        "webm": make_video(folder, "plain.webm"),
        "tagged": make_video(folder, "tagged.mp4", extra=secret),
        "long": make_video(folder, "long.webm", seconds=3),
        "truncated": mp4[: len(mp4) // 2],
    }


@pytest.fixture(autouse=True)
def _media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


def video_upload(data: bytes, name: str = "clip.mp4", content_type: str = "video/mp4"):
    return upload(data, name, content_type)


def open_with_video(client, cast, data: bytes, name: str = "clip.mp4"):
    return client.post(
        reverse("disputes:open", args=[cast.order.number]),
        {
            "reason": "damaged",
            "description": "Видно скол.",
            "resolution": "refund_only",
            "refund_amount": "300.00",
            "video": video_upload(data, name),
        },
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["mp4", "webm"])
def test_the_form_takes_a_video_and_the_page_plays_it(cast, videos, kind):
    client = client_for(cast.buyer, "en")
    form = client.get(reverse("disputes:open", args=[cast.order.number])).content.decode()
    assert 'accept="video/mp4,video/webm"' in form and "MP4 or WebM, at most 50 MB" in form
    # The declared name and type are ignored: the content decides.
    response = open_with_video(client, cast, videos[kind], name="clip.bin")
    assert response.status_code == 302, response.context["form"].errors
    dispute = Dispute.objects.get()
    video = Evidence.objects.get(dispute=dispute, kind="video").attachment
    assert video.content_type == f"video/{kind}" and video.file.name.endswith(f".{kind}")
    assert video.width == 64 and video.height == 64 and video.received_at is not None
    with default_storage.open(video.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == video.sha256
    url = reverse("disputes:evidence", args=[video.pk])
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert f'<video controls preload="metadata" width="320" src="{url}"' in page
    assert video.sha256[:16] in page
    russian = client_for(cast.seller, "ru").get(dispute.get_absolute_url()).content.decode()
    assert "Скачать видео clip.bin" in russian


@pytest.mark.django_db
def test_metadata_is_gone_from_the_downloaded_video(cast, videos, tmp_path):
    assert probe_tags(videos["tagged"], tmp_path).get("title") == "secret"
    assert open_with_video(client_for(cast.buyer), cast, videos["tagged"]).status_code == 302
    video = Evidence.objects.get(kind="video").attachment
    response = client_for(cast.arbitrator).get(reverse("disputes:evidence", args=[video.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == video.sha256
    tags = probe_tags(data, tmp_path)
    assert "title" not in tags and "location" not in tags
    assert b"secret" not in data and b"+55.75" not in data


@pytest.mark.django_db
def test_the_video_is_served_only_to_the_dispute_sides(cast, videos):
    assert open_with_video(client_for(cast.buyer), cast, videos["webm"]).status_code == 302
    video = Evidence.objects.get(kind="video").attachment
    url = reverse("disputes:evidence", args=[video.pk])
    for user in (cast.buyer, cast.seller, cast.arbitrator):
        assert client_for(user).get(url).status_code == 200
    for user in (cast.other_buyer, cast.other_seller, None):
        assert client_for(user).get(url).status_code == 404


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sample", "status", "reason"),
    [
        ("elf", 415, "Only videos in MP4 or WebM format can be attached."),
        ("html", 415, "Only videos in MP4 or WebM format can be attached."),
        ("photo", 415, "Only videos in MP4 or WebM format can be attached."),
        ("truncated", 400, "The video is damaged or incomplete and cannot be read."),
        ("long", 400, "The video is too long: at most 2 seconds."),
    ],
)
def test_the_api_refuses_what_is_not_an_acceptable_video_and_stores_nothing(
    cast, videos, tmp_path, sample, status, reason
):
    samples = {"elf": ELF, "html": HTML, "photo": photo_bytes(), **videos}
    dispute = services.dispute_open(
        actor=cast.buyer, order_number=cast.order.number, reason="other", description="x",
        refund_amount=Decimal("1"), return_item=False,
    )  # fmt: skip
    before = Evidence.objects.count(), Attachment.objects.count()
    with override_settings(DISPUTE_VIDEO_MAX_SECONDS=2):
        response = client_for(None).post(
            f"/api/v1/disputes/{dispute.pk}/videos",
            {"file": video_upload(samples[sample], "evil.mp4"), "text": "смотрите"},
            headers={**bearer_for(cast.buyer), "Accept-Language": "en"},
        )
    assert response.status_code == status, response.content
    assert response.json()["message"] == reason
    assert (Evidence.objects.count(), Attachment.objects.count()) == before
    assert stored_files(tmp_path) == []


@pytest.mark.django_db
def test_the_api_refuses_a_video_over_the_size_limit(cast, videos, tmp_path):
    dispute = services.dispute_open(
        actor=cast.buyer, order_number=cast.order.number, reason="other", description="x",
        refund_amount=Decimal("1"), return_item=False,
    )  # fmt: skip
    with override_settings(DISPUTE_VIDEO_MAX_BYTES=len(videos["mp4"]) - 1):
        response = client_for(None).post(
            f"/api/v1/disputes/{dispute.pk}/videos",
            {"file": video_upload(videos["mp4"])},
            headers={**bearer_for(cast.seller), "Accept-Language": "ru"},
        )
    assert response.status_code == 413
    assert response.json()["message"].startswith("Видео слишком большое")
    assert not Evidence.objects.filter(kind="video").exists() and stored_files(tmp_path) == []


@pytest.mark.django_db
def test_the_api_adds_a_video_and_the_pdf_lists_it(cast, videos):
    from pypdf import PdfReader

    dispute = services.dispute_open(
        actor=cast.buyer, order_number=cast.order.number, reason="other", description="x",
        refund_amount=Decimal("1"), return_item=False,
    )  # fmt: skip
    response = client_for(None).post(
        f"/api/v1/disputes/{dispute.pk}/videos",
        {"file": video_upload(videos["webm"], "скол.webm")},
        headers=bearer_for(cast.seller),
    )
    assert response.status_code == 200, response.content
    item = response.json()["timeline"][-1]["evidence"][0]
    video = Attachment.objects.get(pk=item["attachment_id"])
    assert item["kind"] == "video" and item["sha256"] == video.sha256
    pdf = client_for(cast.buyer, "ru").get(reverse("disputes:record", args=[dispute.pk]))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert "Видео скол.webm" in flat, flat
    assert video.sha256 in flat


@pytest.mark.django_db
def test_the_comment_form_takes_a_video_and_a_refusal_stores_nothing(cast, videos, tmp_path):
    dispute = services.dispute_open(
        actor=cast.buyer, order_number=cast.order.number, reason="other", description="x",
        refund_amount=Decimal("1"), return_item=False,
    )  # fmt: skip
    client = client_for(cast.seller, "ru")
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert 'accept="video/mp4,video/webm"' in page and "MP4 или WebM, не более 50 МБ" in page
    url = reverse("disputes:act", args=[dispute.pk, "comment"])
    refused = client.post(url, {"text": "", "video": video_upload(HTML, "clip.webm")}, follow=True)
    assert "Прикрепить можно только видео в формате MP4 или WebM." in refused.content.decode()
    assert not Evidence.objects.filter(kind="video").exists() and stored_files(tmp_path) == []
    response = client.post(url, {"text": "Упаковка целая", "video": video_upload(videos["mp4"])})
    assert response.status_code == 302
    assert Evidence.objects.get(kind="video").entry.author == cast.seller
