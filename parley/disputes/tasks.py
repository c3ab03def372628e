from datetime import datetime

from django.tasks import task

from .services import dispute_deadline_act, dispute_deadline_warn


@task
def dispute_deadline(dispute_id: int) -> None:
    """Run at a dispute's deadline; the service re-checks, so a stale or repeated run is a no-op."""
    dispute_deadline_act(dispute_id=dispute_id)


@task
def dispute_deadline_warning(dispute_id: int, deadline_at: str, percent: int) -> None:
    """Run at 50% / 90% of a deadline; a no-op if the dispute closed or the deadline moved."""
    dispute_deadline_warn(
        dispute_id=dispute_id, deadline_at=datetime.fromisoformat(deadline_at), percent=percent
    )
