"""Jobs of notifications; each loads by id, calls a service and is safe to run twice."""

import logging

from django.conf import settings
from django.tasks import task

from parley.core.clock import now

from . import rules
from .services import emails_deliver

logger = logging.getLogger(__name__)


@task()
def email_notifications(recipient_id: int, group: str, attempt: int = 1) -> int:
    """Send one recipient's pending e-mail for a group; on failure schedule a later attempt
    (up to ``NOTIFY_EMAIL_MAX_ATTEMPTS``). Nothing is marked sent unless it was sent."""
    try:
        return emails_deliver(recipient_id=recipient_id, group=group)
    except Exception:
        if attempt >= settings.NOTIFY_EMAIL_MAX_ATTEMPTS:
            logger.exception("giving up e-mailing user %s (%s)", recipient_id, group)
            raise
        logger.warning("e-mail to user %s failed; retrying", recipient_id, exc_info=True)
        email_notifications.using(run_after=now() + rules.email_retry_delay(attempt)).enqueue(
            recipient_id=recipient_id, group=group, attempt=attempt + 1
        )
        return 0
