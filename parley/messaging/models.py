"""Conversations between a buyer and a store, their messages and who has read how far.

History is append-only: a message is never edited or deleted. ``seq`` numbers the messages of
one conversation 1, 2, 3… without gaps, so a reader (page, API, live chat) can ask for what
came after the last number it saw.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parley.attachments.models import Attachment
from parley.marketplace.models import Order, Product, Store


class Conversation(models.Model):
    """The one dialog between a buyer and a store; it remembers what it was last about."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="conversations")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"))
    last_seq = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    # For the store's reply-time figures: the buyer's first message and the store's first
    # answer after it.
    first_buyer_message_at = models.DateTimeField(null=True, blank=True)
    first_reply_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "store"], name="conversation_one_per_pair"),
        ]
        indexes = [
            models.Index(fields=["store", "-last_message_at"], name="conversation_store_recent"),
            models.Index(fields=["buyer", "-last_message_at"], name="conversation_buyer_recent"),
            # The header badge scans a store's dialogs for those past the reader's marker;
            # this covers that scan without reading the table.
            models.Index(fields=["store", "last_seq", "buyer"], name="conversation_store_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} ↔ {self.store}"


class Message(models.Model):
    # No index of its own: "message_seq_unique" (conversation, seq) starts with it, and every
    # index costs each sent message a write.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages", db_index=False
    )
    seq = models.PositiveIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_sent"
    )
    from_store = models.BooleanField(help_text=_("Written by a member of the store."))
    body = models.TextField(_("text"), blank=True)
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    context = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("What the message is about, as it was when sent (product or order)."),
    )
    client_id = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_client_id_unique",
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="message_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.sender}"


class MessageAttachment(models.Model):
    """A photo in a message; an attachment belongs to one message only."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="photos")
    attachment = models.OneToOneField(
        Attachment, on_delete=models.PROTECT, related_name="message_link"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["message", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "position"], name="message_attachment_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} · {self.attachment}"


class ReadMarker(models.Model):
    """How far one participant has read one conversation."""

    # Indexed first by "read_marker_unique" (conversation, user), as "message_seq_unique"
    # indexes a message's conversation.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_markers", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_markers"
    )
    last_read_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="read_marker_unique"),
        ]
        indexes = [
            # The badge's join reads the marker from the index alone.
            models.Index(fields=["conversation", "user", "last_read_seq"], name="read_marker_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.conversation} up to #{self.last_read_seq}"
