"""Accept uploaded photos: check, re-encode, store; refuse with a reason and store nothing.

Other apps call these and link the returned attachments to their own records (a message, a
review, a dispute), and decide who may read them through the download view's callback.
"""

import hashlib
import posixpath
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.core.clock import now
from parley.core.errors import ErrorCode, NotFound, ParleyError

from .images import CleanImage, clean_image, too_large
from .models import Attachment

ORIGINAL_NAME_MAX = 255


def attachments_check_count(count: int) -> None:
    """Refuse more photos than one message (or review, or dispute step) may carry."""
    limit = settings.ATTACHMENTS_PER_MESSAGE
    if count > limit:
        raise ParleyError(
            ErrorCode.INVALID,
            _("Too many photos: at most %(limit)s at once.") % {"limit": limit},
            detail={"field": "attachments", "limit": limit},
        )


def attachments_owned(owner: User, ids: Sequence[int]) -> list[Attachment]:
    """The owner's uploads with these ids, in their order; anyone else's, or a missing one, is
    reported as not found, so nobody learns which ids exist."""
    if not ids:
        return []
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=ids, owner=owner)}
    if any(pk not in found for pk in ids):
        raise NotFound()
    return [found[pk] for pk in ids]


def attachment_create_from_upload(*, owner: User, upload: UploadedFile) -> Attachment:
    """Store one uploaded photo, re-encoded, or raise ParleyError and store nothing."""
    return attachments_create_from_uploads(owner=owner, uploads=[upload])[0]


def attachments_create_from_uploads(
    *, owner: User, uploads: Sequence[UploadedFile]
) -> list[Attachment]:
    """Check every upload first, then store them all: one refusal stores none of them."""
    attachments_check_count(len(uploads))
    cleaned = [(original_name(upload), clean_image(_read(upload))) for upload in uploads]
    stored: list[str] = []
    try:
        with transaction.atomic():
            created = [_store(owner, name, image, stored) for name, image in cleaned]
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return created


def _read(upload: UploadedFile) -> bytes:
    """Read at most one byte past the limit, so a huge upload is refused without reading it."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise too_large(limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return data


def original_name(upload: UploadedFile, *, default: str = "photo") -> str:
    """The upload's file name without any folder, for the download's name only."""
    name = posixpath.basename((upload.name or "").replace("\\", "/")).strip()
    return name[:ORIGINAL_NAME_MAX] or default


def _store(owner: User, original_name: str, image: CleanImage, stored: list[str]) -> Attachment:
    received = now()
    stem = f"attachments/{received:%Y/%m}/{uuid.uuid4().hex}"
    file_name = default_storage.save(f"{stem}.{image.extension}", ContentFile(image.data))
    stored.append(file_name)
    thumb_name = default_storage.save(f"{stem}-thumb.jpg", ContentFile(image.thumbnail))
    stored.append(thumb_name)
    return Attachment.objects.create(
        owner=owner,
        file=file_name,
        thumbnail=thumb_name,
        original_name=original_name,
        content_type=image.content_type,
        size=len(image.data),
        sha256=hashlib.sha256(image.data).hexdigest(),
        width=image.width,
        height=image.height,
        received_at=received,
    )


def attachment_files_delete(attachments: Sequence[Attachment]) -> None:
    """Remove the stored files of attachments whose rows were rolled back with a refusal."""
    for attachment in attachments:
        for name in (attachment.file.name, attachment.thumbnail.name):
            if name:
                default_storage.delete(name)
