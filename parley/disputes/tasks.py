from django.tasks import task

from .services import dispute_deadline_act


@task
def dispute_deadline(dispute_id: int) -> None:
    """Run at a dispute's deadline; the service re-checks, so a stale or repeated run is a no-op."""
    dispute_deadline_act(dispute_id=dispute_id)
