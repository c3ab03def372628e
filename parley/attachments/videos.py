"""Accept an uploaded video (MP4 or WebM): judge it by its bytes with ffprobe, strip its
metadata with ffmpeg without re-encoding, store it like a photo (SHA-256, receipt time).

The name and declared type of the upload are never trusted: ffprobe says what the container
is. Both tools run on a private temporary copy, with a timeout; a refusal stores nothing.
"""

import hashlib
import json
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.core.clock import now
from parley.core.errors import ErrorCode, ParleyError

from .images import megabytes
from .models import Attachment
from .services import original_name

# ffprobe's format_name → (content type, extension). ffprobe names a family of containers at
# once ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"); the codec check below narrows it.
CONTAINERS = {
    "mov,mp4,m4a,3gp,3g2,mj2": ("video/mp4", "mp4"),
    "matroska,webm": ("video/webm", "webm"),
}


@dataclass(frozen=True)
class CleanVideo:
    """An accepted video with its metadata removed; nothing is stored yet."""

    content_type: str
    extension: str
    data: bytes
    width: int
    height: int
    seconds: float


def refuse_not_video() -> ParleyError:
    return ParleyError(
        ErrorCode.UNSUPPORTED_MEDIA, _("Only videos in MP4 or WebM format can be attached.")
    )


def refuse_too_large() -> ParleyError:
    limit = settings.DISPUTE_VIDEO_MAX_BYTES
    return ParleyError(
        ErrorCode.TOO_LARGE,
        _("The video is too large: at most %(limit)s MB.") % {"limit": megabytes(limit)},
    )


def refuse_too_long() -> ParleyError:
    return ParleyError(
        ErrorCode.INVALID,
        _("The video is too long: at most %(limit)s seconds.")
        % {"limit": settings.DISPUTE_VIDEO_MAX_SECONDS},
    )


def refuse_unreadable() -> ParleyError:
    return ParleyError(
        ErrorCode.INVALID, _("The video is damaged or incomplete and cannot be read.")
    )


def _run(args: list[str]) -> subprocess.CompletedProcess:
    """Run a configured tool on our own temporary file: no shell, no user-chosen argument."""
    try:
        return subprocess.run(  # noqa: S603
            args,
            capture_output=True,
            timeout=settings.VIDEO_TOOL_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise refuse_unreadable() from None


def _probe(path: Path) -> dict:
    result = _run(
        [
            settings.FFPROBE_BINARY,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ]
    )
    if result.returncode != 0:
        raise refuse_unreadable() if _looks_like_video(path) else refuse_not_video()
    try:
        return json.loads(result.stdout)
    except ValueError:
        raise refuse_not_video() from None


def _looks_like_video(path: Path) -> bool:
    """Whether the file starts like MP4 (an ``ftyp`` box) or WebM (EBML): then a file ffprobe
    cannot read is a broken video rather than something else."""
    with path.open("rb") as handle:
        head = handle.read(12)
    return head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3")


def clean_video(path: Path) -> CleanVideo:
    """Judge the file at ``path`` and return a copy without metadata, or raise ParleyError."""
    info = _probe(path)
    container = CONTAINERS.get(info.get("format", {}).get("format_name", ""))
    videos = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if container is None or not videos:
        raise refuse_not_video()
    try:
        seconds = float(info["format"]["duration"])
    except (KeyError, TypeError, ValueError):
        raise refuse_unreadable() from None
    if seconds > settings.DISPUTE_VIDEO_MAX_SECONDS:
        raise refuse_too_long()
    content_type, extension = container
    out = path.with_name(f"clean.{extension}")
    args = [settings.FFMPEG_BINARY, "-v", "error", "-nostdin", "-y", "-xerror", "-i", str(path)]
    args += ["-map", "0", "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy"]
    args += ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    if extension == "mp4":
        args += ["-movflags", "+faststart"]
    result = _run([*args, "-f", extension, str(out)])
    if result.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise refuse_unreadable()
    data = out.read_bytes()
    if len(data) > settings.DISPUTE_VIDEO_MAX_BYTES:
        raise refuse_too_large()
    return CleanVideo(
        content_type=content_type,
        extension=extension,
        data=data,
        width=int(videos[0].get("width") or 0),
        height=int(videos[0].get("height") or 0),
        seconds=seconds,
    )


def video_from_upload(upload: UploadedFile) -> CleanVideo:
    """Copy the upload to a private temporary folder (at most one byte past the limit) and
    judge it there; the folder is removed whatever happens."""
    limit = settings.DISPUTE_VIDEO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise refuse_too_large()
    with tempfile.TemporaryDirectory(prefix="parley-video-") as folder:
        path = Path(folder) / "upload"
        upload.seek(0)
        written = 0
        with path.open("wb") as target:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > limit:
                    raise refuse_too_large()
                target.write(chunk)
        if written == 0:
            raise ParleyError(ErrorCode.INVALID, _("The file is empty."))
        return clean_video(path)


def attachment_create_video_from_upload(*, owner: User, upload: UploadedFile) -> Attachment:
    """Store one uploaded video without its metadata, or raise ParleyError and store nothing.

    The caller links it to its own record inside its transaction; if that rolls back, it
    removes the file with ``attachment_files_delete``.
    """
    video = video_from_upload(upload)
    received = now()
    stem = f"attachments/{received:%Y/%m}/{uuid.uuid4().hex}"
    file_name = default_storage.save(f"{stem}.{video.extension}", ContentFile(video.data))
    try:
        return Attachment.objects.create(
            owner=owner,
            file=file_name,
            thumbnail="",
            original_name=original_name(upload, default="video"),
            content_type=video.content_type,
            size=len(video.data),
            sha256=hashlib.sha256(video.data).hexdigest(),
            width=video.width,
            height=video.height,
            received_at=received,
        )
    except BaseException:
        default_storage.delete(file_name)
        raise
