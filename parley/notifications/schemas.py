from datetime import datetime

from ninja import Field, Schema


class NotificationOut(Schema):
    id: int
    kind: str
    title: str = Field(description="In the reader's language.")
    body: str
    link: str
    created_at: datetime
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: int | None = Field(description="Pass as `before` for older notifications.")


class UnreadOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int
    unread: int


class PreferencesIn(Schema):
    email_kinds: list[str] = Field(
        max_length=50, description="Kinds also sent by e-mail; every other kind is in-app only."
    )


class PreferencesOut(Schema):
    email: dict[str, bool]
