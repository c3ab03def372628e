"""Outgoing webhooks: recorded in the caller's transaction, sent by jobs after it commits.

The delivery rows are written with the change they describe, so an event exists exactly when
its change does; the HTTP request leaves from the job queue and is retried with back-off.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q

from parley.core.clock import now

from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Parley-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_event(event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Record ``event`` for every active endpoint that wants it; send once the caller commits."""
    event_id = uuid.uuid4()
    at = now()
    body = json.dumps(
        {"id": str(event_id), "event": event, "created_at": at, "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, event_id=event_id, body=body, created_at=at
        )
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if endpoint.wants(event)
    ]
    if deliveries:
        from .tasks import deliver_webhook

        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: [deliver_webhook.enqueue(delivery_id=i) for i in ids])
    return deliveries


def retry_delay(attempt: int) -> timedelta:
    """The pause after failed attempt ``attempt`` (1-based): base, 2×base, 4×base, …"""
    return settings.WEBHOOK_RETRY_BASE * (2 ** (attempt - 1))


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the delivery for one attempt; a concurrent sender gets None and leaves it alone."""
    moment = now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        .update(
            claimed_until=moment + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = delivery.body.encode()
    request = urllib.request.Request(  # noqa: S310 - an admin-configured http(s) endpoint
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Parley-Webhooks/1",
            "X-Parley-Event": delivery.event,
            "X-Parley-Delivery": str(delivery.event_id),
            SIGNATURE_HEADER: sign(delivery.endpoint.secret, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt and schedule the next on failure; a settled or busy delivery is skipped.

    No lock is held during the HTTP request: the attempt is claimed first, so two workers
    running the same job send it once.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    code, error = _post(delivery)
    delivery.last_status_code = code
    delivery.last_error = error
    delivery.claimed_until = None
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now() + retry_delay(delivery.attempts)
    delivery.save()
    if delivery.status == WebhookDelivery.Status.PENDING:
        from .tasks import deliver_webhook

        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery_id)
    return delivery
