from typing import Annotated

from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile

from parley.accounts.auth import api_auth
from parley.core.schemas import ErrorOut

from . import services
from .models import Attachment
from .schemas import AttachmentOut

router = Router(tags=["attachments"])
Photos = Annotated[list[UploadedFile], File(min_length=1)]


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        width=attachment.width,
        height=attachment.height,
        received_at=attachment.received_at,
    )


@router.post(
    "/attachments",
    response={
        201: list[AttachmentOut],
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
    },
    auth=api_auth,
)
def attachments_upload(request: HttpRequest, files: Photos):
    """Upload photos (field `files`, repeatable); pass their ids when sending a message.

    Each is judged by its bytes (JPEG, PNG, WebP, GIF), re-encoded without metadata and
    stored; if one is refused, none is stored.
    """
    created = services.attachments_create_from_uploads(owner=request.auth, uploads=files)
    return Status(201, [attachment_out(a) for a in created])
