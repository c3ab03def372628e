from datetime import datetime

from ninja import Schema


class AttachmentOut(Schema):
    """An accepted photo; the app that shows it adds where to download it."""

    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    width: int
    height: int
    received_at: datetime
