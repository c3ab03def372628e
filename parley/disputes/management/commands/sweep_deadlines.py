from django.core.management.base import BaseCommand

from parley.core.clock import now
from parley.disputes.services import (
    dispute_deadline_act,
    dispute_deadline_warn,
    due_deadline_warnings,
    overdue_dispute_ids,
)


class Command(BaseCommand):
    help = (
        "Carry out every overdue dispute deadline and send every due deadline warning (a safety "
        "net for the scheduled jobs). Safe to run any number of times, also concurrently."
    )

    def handle(self, *args: object, **options: object) -> None:
        at = now()
        acted = 0
        for dispute_id in overdue_dispute_ids(at):
            if dispute_deadline_act(dispute_id=dispute_id) is not None:
                acted += 1
        for dispute_id, deadline_at, percent in due_deadline_warnings(at):
            dispute_deadline_warn(dispute_id=dispute_id, deadline_at=deadline_at, percent=percent)
        self.stdout.write(f"Overdue deadlines carried out: {acted}")
