"""Webhooks against a real HTTP server on 127.0.0.1: signature, retries with back-off, the log."""

import hashlib
import hmac
import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command

from parley.disputes import services
from parley.disputes.selectors import latest_offer
from parley.disputes.states import Role, State
from parley.webhooks.models import WebhookDelivery, WebhookEndpoint
from parley.webhooks.services import retry_delay

from .disputes_kit import DAY, build, open_dispute


class Receiver:
    """A tiny HTTP server that answers with the queued statuses (then 200) and keeps requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _headers, body in self.requests]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_body_is_signed_with_the_endpoint_secret(
    cast, receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpoint.objects.create(name="host", url=receiver.url, secret="s3cret")
    with django_capture_on_commit_callbacks(execute=True):
        dispute = open_dispute(cast)
    run_worker()
    headers, body = receiver.requests[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Parley-Signature"] == expected
    assert headers["X-Parley-Event"] == "dispute.opened"
    payload = json.loads(body)
    assert payload["data"]["dispute"]["id"] == dispute.pk
    assert payload["data"]["dispute"]["order"] == cast.order.number
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_failures_are_retried_with_back_off(cast, receiver, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(name="host", url=receiver.url, events=["dispute.opened"])
    receiver.statuses = [500, 503]
    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            open_dispute(cast)
        run_worker()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending", 1, 500,
        )  # fmt: skip
        first_retry = delivery.next_attempt_at
        assert first_retry == delivery.created_at + retry_delay(1)
        traveller.shift(retry_delay(1).total_seconds() - 1)
        run_worker()
        assert WebhookDelivery.objects.get().attempts == 1
        traveller.move_to(first_retry)
        run_worker()
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status_code) == (2, 503)
        assert delivery.next_attempt_at == first_retry + retry_delay(2)
        traveller.move_to(delivery.next_attempt_at)
        run_worker()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("delivered", 3)
        assert len(receiver.requests) == 3


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_gives_up_after_the_last_attempt(cast, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    WebhookEndpoint.objects.create(name="gone", url="http://127.0.0.1:9/nothing-listens")
    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            open_dispute(cast)
        run_worker()
        traveller.shift(retry_delay(1).total_seconds())
        run_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 2, None)
    assert delivery.last_error


@pytest.mark.django_db
def test_a_settled_delivery_is_not_sent_again(cast, receiver, django_capture_on_commit_callbacks):
    from parley.webhooks.services import webhook_deliver

    WebhookEndpoint.objects.create(name="host", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        open_dispute(cast)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk).status == "delivered"
    assert webhook_deliver(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_every_dispute_event_is_sent(cast):
    WebhookEndpoint.objects.create(name="all", url="http://127.0.0.1:9/")
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.NEGOTIATING)
        services.dispute_escalate(actor=cast.buyer, dispute_id=dispute.pk)
        services.dispute_request_info(
            actor=cast.arbitrator, dispute_id=dispute.pk, party="buyer", question="?"
        )
        services.dispute_decide(
            actor=cast.arbitrator, dispute_id=dispute.pk, outcome="partial_refund",
            refund_amount=Decimal("100"), reason="r",
        )  # fmt: skip
        other = open_dispute(cast, amount="50")
        services.dispute_accept(
            actor=cast.seller, dispute_id=other.pk, proposal_id=latest_offer(other, Role.BUYER).pk
        )
    events = set(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == {
        "dispute.opened", "dispute.answered", "dispute.offer_made", "dispute.agreed",
        "dispute.escalated", "dispute.info_requested", "dispute.decided", "refund.recorded",
        "dispute.closed",
    }  # fmt: skip
