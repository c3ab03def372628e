from typing import Any

from django.core.management.base import BaseCommand

from parley.messaging.reminders import reply_reminders_sweep


class Command(BaseCommand):
    help = (
        "Remind stores of buyer messages left unanswered (REPLY_REMINDER_HOURS). Safe to run "
        "any number of times: each reminder is sent once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = reply_reminders_sweep()
        self.stdout.write(f"Reminders due (each sent once): {count}")
