"""Serve a stored attachment to a reader the owning app has approved, on every request.

Each app that uses attachments mounts ``attachment_download_view(can_read)`` under its own
URL with its own rule (messaging: the conversation's participants). Whoever may not read an
attachment, or asks for one that does not exist, gets the same 404.
"""

import posixpath
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from .models import Attachment

ReadRule = Callable[[object, Attachment], bool]

# Served bytes are never a page: no scripts, no plugins, no framing, no sniffing.
DOWNLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
THUMBNAIL_TYPE = "image/jpeg"


def download_name(attachment: Attachment, *, thumbnail: bool = False) -> str:
    """The original name with the extension of what is actually served."""
    stem = posixpath.splitext(attachment.original_name)[0] or "photo"
    extension = "jpg" if thumbnail else posixpath.splitext(attachment.file.name)[1].lstrip(".")
    return f"{stem}{'-thumb' if thumbnail else ''}.{extension}"


def serve_attachment(
    request: HttpRequest, attachment: Attachment, *, thumbnail: bool = False
) -> FileResponse:
    """Stream the file with headers that keep a browser from treating it as anything else."""
    name = attachment.thumbnail.name if thumbnail else attachment.file.name
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("download") == "1",
        filename=download_name(attachment, thumbnail=thumbnail),
        content_type=THUMBNAIL_TYPE if thumbnail else attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def attachment_download_view(can_read: ReadRule) -> Callable[..., FileResponse]:
    """Build a view ``(request, attachment_id, thumbnail=False)`` guarded by ``can_read``."""

    @require_safe
    def download(request: HttpRequest, attachment_id: int, thumbnail: bool = False) -> FileResponse:
        attachment = Attachment.objects.filter(pk=attachment_id).first()
        if attachment is None or not can_read(request.user, attachment):
            raise Http404
        return serve_attachment(request, attachment, thumbnail=thumbnail)

    return download
