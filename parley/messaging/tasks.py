"""Jobs of messaging; each loads by id and re-checks, so running one twice changes nothing."""

from django.db import transaction
from django.tasks import task

from .models import Conversation, Message
from .reminders import reminder_levels, reply_reminders_send


@task()
def reply_reminder_check(conversation_id: int) -> int | None:
    """Remind the store if the buyer is still waiting (see ``reminders``)."""
    conversation = Conversation.objects.select_related("store").filter(pk=conversation_id).first()
    if conversation is None:
        return None
    return reply_reminders_send(conversation)


def reply_reminders_schedule(conversation: Conversation, message: Message) -> None:
    """When a buyer starts waiting, check again at every reminder level (after commit)."""
    for level in reminder_levels():
        run_after = message.created_at + level
        transaction.on_commit(
            lambda run_after=run_after: reply_reminder_check.using(run_after=run_after).enqueue(
                conversation_id=conversation.pk
            )
        )
