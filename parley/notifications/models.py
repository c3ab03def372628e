"""Notifications for one recipient, their choices per kind, and when they were last seen.

A notification stores its kind and parameters, not its wording: it is rendered in the reader's
language at the moment it is read or mailed (see ``kinds``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import kind_choices


class Notification(models.Model):
    # Indexed first by "notification_recipient_recent" (recipient, -id); an index of its own
    # would cost every notification, one per chat message, another write.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=40, choices=kind_choices())
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500)
    # E-mails about notifications with the same key are sent together (one per conversation).
    group_key = models.CharField(max_length=120)
    # A caller's key for "at most once" events (a reminder for one message at one level).
    dedupe_key = models.CharField(max_length=160, null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_wanted = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notification_dedupe_once",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_recent"),
            # The bell's count, taken on every new notification.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient", "group_key", "created_at"],
                condition=Q(email_wanted=True, emailed_at__isnull=True),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class Preference(models.Model):
    """A user's choice for one kind; without a row the default (``NOTIFY_EMAIL_DEFAULT``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    kind = models.CharField(max_length=40, choices=kind_choices())
    email = models.BooleanField(_("also by e-mail"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} email={self.email}"


class Presence(models.Model):
    """When the user last used the site; e-mail goes only to those away for a while."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="presence",
    )
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} seen {self.last_seen_at}"
