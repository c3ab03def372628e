from django.core.management.base import BaseCommand

from parley.core.clock import now
from parley.disputes.services import dispute_deadline_act, overdue_dispute_ids


class Command(BaseCommand):
    help = (
        "Carry out every overdue dispute deadline (a safety net for the scheduled jobs). "
        "Safe to run any number of times, also concurrently."
    )

    def handle(self, *args: object, **options: object) -> None:
        acted = 0
        for dispute_id in overdue_dispute_ids(now()):
            if dispute_deadline_act(dispute_id=dispute_id) is not None:
                acted += 1
        self.stdout.write(f"Overdue deadlines carried out: {acted}")
