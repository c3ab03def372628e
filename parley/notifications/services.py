"""Writes of notifications: ``notify`` (what other apps call), read markers, preferences,
presence, and the e-mail delivery the job queue runs.

``notify`` writes in the caller's transaction and publishes after it commits, so a rolled-back
action notifies nobody. E-mail is a job: it waits for the conversation's quiet period, goes
only to a recipient who has been away, and marks what it sent in the same transaction that
found it, so running the job twice (or two workers at once) never sends a notification twice.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import User
from parley.core import sql
from parley.core.clock import now
from parley.core.errors import Invalid, NotFound
from parley.core.realtime import publish_all_on_commit, publish_on_commit

from . import rules
from .kinds import KINDS
from .models import Notification, Preference, Presence
from .render import render_notification, unsubscribe_url

logger = logging.getLogger(__name__)

PARAM_TEXT_MAX = 200


def user_group(user_id: int) -> str:
    """The WebSocket group of one user's notifications."""
    return f"notifications.user.{user_id}"


@dataclass(frozen=True, slots=True)
class Notice:
    """One event to tell its recipients about; see ``notify`` for the fields."""

    recipients: Iterable[User | int]
    kind: str
    link: str
    params: dict[str, Any] | None = None
    group: str | None = None
    dedupe_key: str | None = None


def notify(
    *,
    recipients: Iterable[User | int],
    kind: str,
    link: str,
    params: dict[str, Any] | None = None,
    group: str | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Tell each recipient about an event, as part of the caller's transaction.

    The rows are written in that transaction, so a rolled-back action notifies nobody, and the
    live count goes out after commit. ``params`` fill the kind's title in the reader's language;
    ``group`` batches e-mails (one per conversation); ``dedupe_key`` makes the event
    at-most-once per recipient.
    """
    notify_many([Notice(recipients, kind, link, params, group, dedupe_key)])


@dataclass(frozen=True, slots=True)
class Bell:
    """A new notification as its recipient's bell shows it, with the unread count after it."""

    user: int
    id: int
    kind: str
    unread: int

    def as_event(self) -> dict[str, Any]:
        return {"user": self.user, "id": self.id, "kind": self.kind, "unread": self.unread}


@dataclass(slots=True)
class _Row:
    """A notification to write: a plain object, as a burst of chat messages writes one per
    message and building a model object for each cost more than inserting it."""

    notice: int  # the index of its notice
    recipient_id: int
    kind: str
    params: dict[str, Any]
    link: str
    group_key: str
    dedupe_key: str | None
    created_at: datetime | None = None
    email_wanted: bool = False
    pk: int | None = None

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in _COLUMNS]


# What a new notification's row holds; the others start empty.
_COLUMNS = (
    "recipient_id", "kind", "params", "link", "group_key", "dedupe_key", "created_at",
    "email_wanted",
)  # fmt: skip


def notify_many(notices: Sequence[Notice], *, announce: bool = True) -> list[list[Bell]]:
    """``notify`` for several events at once (a batch of chat messages): the statements are per
    batch, not per event, so a busy chat pays for its notifications once per burst.

    Returns each notice's bells. ``announce=False`` leaves telling the recipients' sockets to
    the caller, who sends the bells with its own event (a new message carries its bell, so
    the socket gets one frame instead of two)."""
    rows: list[_Row] = []
    for index, notice in enumerate(notices):
        if notice.kind not in KINDS:
            raise ValueError(f"unknown notification kind {notice.kind!r}")
        clean = {key: _clip(value) for key, value in (notice.params or {}).items()}
        group = notice.group or f"{notice.kind}:{notice.link}"
        for user_id in sorted({r if isinstance(r, int) else r.pk for r in notice.recipients}):
            rows.append(
                _Row(index, user_id, notice.kind, clean, notice.link, group, notice.dedupe_key)
            )
    bells: list[list[Bell]] = [[] for _ in notices]
    if not rows:
        return bells
    moment = now()
    wants_email = email_choices({(row.recipient_id, row.kind) for row in rows})
    for row in rows:
        row.created_at = moment
        row.email_wanted = wants_email[row.recipient_id, row.kind]
    with transaction.atomic(savepoint=False):  # nothing here recovers from a failure
        created = [row for row in rows if not row.dedupe_key]
        keys = sql.insert_rows(Notification, _COLUMNS, [row.values() for row in created])
        for row, key in zip(created, keys, strict=True):
            row.pk = key
        created += _insert([row for row in rows if row.dedupe_key])
        jobs, counts = _after_insert([row.pk for row in created], moment)
        for job in sorted(jobs):
            _schedule_email(*job, moment)
    events = []
    for row in created:
        bell = Bell(row.recipient_id, row.pk, row.kind, counts[row.recipient_id])
        bells[row.notice].append(bell)
        events.append((user_group(bell.user), {"type": "notification.new", **bell.as_event()}))
    if announce:
        publish_all_on_commit(events)
    return bells


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > PARAM_TEXT_MAX:
        return value[: PARAM_TEXT_MAX - 1] + "…"
    return value


def _insert(rows: list[_Row]) -> list[_Row]:
    """One by one, skipping a recipient who already has this event (its ``dedupe_key``)."""
    created = []
    for row in rows:
        notification = Notification(**dict(zip(_COLUMNS, row.values(), strict=True)))
        try:
            with transaction.atomic():
                notification.save(force_insert=True)
        except IntegrityError:
            continue
        row.pk = notification.pk
        created.append(row)
    return created


# For each new notification: whether it is the first pending e-mail of its (recipient, group)
# in the slot (no earlier one is pending), and its recipient's unread count. One index lookup
# and one index count per row, however many notifications are pending or unread.
_AFTER_INSERT = """
    SELECT n.recipient_id, n.group_key,
        n.email_wanted = {true} AND NOT EXISTS (
            SELECT 1 FROM {table} e
            WHERE e.recipient_id = n.recipient_id AND e.group_key = n.group_key
              AND e.email_wanted = {true} AND e.emailed_at IS NULL AND e.created_at >= %s
              AND e.id < n.id
        ),
        (SELECT COUNT(*) FROM {table} u WHERE u.recipient_id = n.recipient_id
            AND u.read_at IS NULL)
    FROM {table} n WHERE n.id IN ({ids})
"""


def _after_insert(
    created: list[int], moment: datetime
) -> tuple[set[tuple[int, str]], dict[int, int]]:
    """The (recipient, group) pairs that need an e-mail job, and each recipient's unread count,
    after the notifications with the ids ``created`` were written.

    A pair needs a job when ``created`` holds its first notification pending e-mail in this
    ``EMAIL_JOB_SLOT``; for the others one is already queued, and one per slot is enough, as
    the job sends everything of the group still pending when it runs."""
    if not created:
        return set(), {}
    slot_start, _ = rules.email_job_slot(moment)
    rows = sql.fetch(
        _AFTER_INSERT.format(
            table=Notification._meta.db_table,
            ids=sql.placeholders(len(created)),
            true=sql.true_literal(),
        ),
        [connection.ops.adapt_datetimefield_value(slot_start), *created],
    )
    jobs = {(recipient, group) for recipient, group, first, _ in rows if first}
    return jobs, {recipient: unread for recipient, _, _, unread in rows}


def _schedule_email(recipient_id: int, group: str, moment: datetime) -> None:
    from .tasks import email_notifications

    _, run_after = rules.email_job_slot(moment)
    transaction.on_commit(
        lambda: email_notifications.using(run_after=run_after).enqueue(
            recipient_id=recipient_id, group=group
        )
    )


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def email_choices(wanted: set[tuple[int, str]]) -> dict[tuple[int, str], bool]:
    """Whether each (user, kind) also goes by e-mail: the user's choice or the default."""
    users, kinds = {user for user, _ in wanted}, {kind for _, kind in wanted}
    found = sql.fetch(
        f"SELECT user_id, kind, email FROM {Preference._meta.db_table}"  # noqa: S608
        f" WHERE user_id IN ({sql.placeholders(len(users))})"
        f" AND kind IN ({sql.placeholders(len(kinds))})",
        [*users, *kinds],
    )
    chosen = {(user, kind): bool(email) for user, kind, email in found}
    return {pair: chosen.get(pair, settings.NOTIFY_EMAIL_DEFAULT) for pair in wanted}


def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the reader's notifications read (again is harmless)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=actor).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        _publish_count(actor.pk)
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the reader read; return how many changed."""
    with transaction.atomic():
        changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=now()
        )
        if changed:
            _publish_count(actor.pk)
    return changed


def notifications_mark_group_read(*, actor: User, group: str) -> int:
    """Mark read what the reader has now seen in place (a conversation read to its end)."""
    changed = Notification.objects.filter(
        recipient=actor, group_key=group, read_at__isnull=True
    ).update(read_at=now())
    if changed:
        _publish_count(actor.pk)
    return changed


def _publish_count(user_id: int) -> None:
    publish_on_commit(
        user_group(user_id), {"type": "notification.read", "unread": unread_count(user_id)}
    )


def preferences_set(*, actor: User, email_kinds: Iterable[str]) -> dict[str, bool]:
    """Store, for every kind, whether the user also wants it by e-mail."""
    wanted = set(email_kinds)
    unknown = wanted - KINDS.keys()
    if unknown:
        raise Invalid(_("Unknown notification kind."), field="email_kinds")
    with transaction.atomic():
        for kind in KINDS:
            Preference.objects.update_or_create(
                user=actor, kind=kind, defaults={"email": kind in wanted}
            )
    return {kind: kind in wanted for kind in KINDS}


def email_unsubscribe(*, user: User, kind: str) -> None:
    """Turn off e-mail for one kind (from a signed link; the link is checked by the caller)."""
    if kind not in KINDS:
        raise NotFound()
    Preference.objects.update_or_create(user=user, kind=kind, defaults={"email": False})


def presence_touch(*, user: User) -> None:
    """Remember that the user is on the site; writes at most once per resolution period."""
    moment = now()
    fresh = Presence.objects.filter(
        user=user, last_seen_at__gte=moment - rules.presence_resolution()
    ).exists()
    if not fresh:
        Presence.objects.update_or_create(user=user, defaults={"last_seen_at": moment})


def is_away(user_id: int, moment: datetime) -> bool:
    seen = Presence.objects.filter(user_id=user_id).values_list("last_seen_at", flat=True).first()
    return seen is None or seen <= moment - rules.email_away_after()


def emails_deliver(*, recipient_id: int, group: str) -> int:
    """Send the pending e-mail of one recipient's group; return how many notifications it
    carried (0 when there was nothing to send, or it is not time yet).

    Runs in one transaction holding the pending rows: they are marked e-mailed only if the
    message left; a failure raises and leaves them pending for the retry.
    """
    moment = now()
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update()
            .filter(
                recipient_id=recipient_id,
                group_key=group,
                email_wanted=True,
                emailed_at__isnull=True,
            )
            .order_by("created_at", "id")
        )
        if not pending:
            return 0
        if pending[-1].created_at > moment - rules.email_quiet_period():
            return 0  # still talking: the job of the latest one's slot will send
        unread = [n for n in pending if n.read_at is None]
        ids = [n.pk for n in pending]
        if not unread or not is_away(recipient_id, moment):
            # Read already, or the recipient is on the site and sees the bell.
            Notification.objects.filter(pk__in=ids).update(email_wanted=False)
            return 0
        recipient = User.objects.get(pk=recipient_id)
        if not recipient.email:
            Notification.objects.filter(pk__in=ids).update(email_wanted=False)
            return 0
        _send(recipient, unread)
        Notification.objects.filter(pk__in=ids).update(emailed_at=moment)
        return len(unread)


def _send(recipient: User, notifications: list[Notification]) -> None:
    with translation.override(recipient.language):
        items = [render_notification(n, absolute=True) for n in notifications]
        kinds = sorted({n.kind for n in notifications})
        context = {
            "recipient": recipient,
            "items": items,
            "unsubscribe": [(KINDS[k].label, unsubscribe_url(recipient, k)) for k in kinds],
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("notifications/email_subject.txt", context).strip()
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(subject, text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    if len(kinds) == 1:
        message.extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url(recipient, kinds[0])}>"
    message.send()
