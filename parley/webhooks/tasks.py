from django.tasks import task

from .services import webhook_deliver


@task
def deliver_webhook(delivery_id: int) -> None:
    """Send one webhook delivery; a settled delivery is left alone, so running twice is safe."""
    webhook_deliver(delivery_id=delivery_id)
