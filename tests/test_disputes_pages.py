"""Dispute pages in both languages: the button, the form, the dispute page, lists, access."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from parley.disputes.models import Dispute
from parley.disputes.states import State
from parley.marketplace.models import Order

from .conftest import client_for
from .disputes_kit import DAY, build, open_dispute
from .factories import OrderFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "open_label", "early"),
    [("ru", "Открыть спор", "Спор можно открыть с"), ("en", "Open Dispute", "can be opened from")],
)
def test_my_orders_shows_the_button_enabled_or_disabled_with_the_reason(
    cast, language, open_label, early
):
    OrderFactory(
        buyer=cast.buyer, store=cast.store, number="EARLY-1", shipped_at=timezone.now() - 3 * DAY
    )
    body = client_for(cast.buyer, language).get(reverse("marketplace:my-orders")).content.decode()
    assert reverse("disputes:open", args=[cast.order.number]) in body
    assert open_label in body and "disabled" in body and early in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_open_form_sends_the_dispute_to_the_seller(cast, language):
    client = client_for(cast.buyer, language)
    url = reverse("disputes:open", args=[cast.order.number])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reason": "damaged",
            "description": "Разбита",
            "resolution": "return_and_refund",
            "refund_amount": "700.00",
        },
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == dispute.get_absolute_url()
    assert dispute.proposals.get().return_item is True
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert {"ru": "Ожидает ответа продавца", "en": "waiting for the seller"}[language].lower() in (
        page.lower()
    )


@pytest.mark.django_db
def test_open_form_refuses_too_much_and_writes_nothing(cast):
    response = client_for(cast.buyer, "en").post(
        reverse("disputes:open", args=[cast.order.number]),
        {
            "reason": "damaged",
            "description": "x",
            "resolution": "refund_only",
            "refund_amount": "1000.01",
        },
    )
    assert response.status_code == 200 and "can be refunded" in response.content.decode()
    assert not Dispute.objects.exists()


@pytest.mark.django_db
def test_seller_answers_on_the_page(cast):
    dispute = open_dispute(cast)
    client = client_for(cast.seller, "en")
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert "Accept this offer" in page and "Make an offer" in page and "Reject" in page
    url = reverse("disputes:act", args=[dispute.pk, "counter"])
    client.post(url, {"refund_amount": "250.00", "note": "Половину"})
    dispute.refresh_from_db()
    assert dispute.state == State.NEGOTIATING
    assert "Your offer was sent." in client.get(dispute.get_absolute_url()).content.decode()
    assert dispute in client.get(reverse("disputes:seller")).context["page"].object_list


@pytest.mark.django_db
def test_a_page_action_the_table_refuses_changes_nothing(cast):
    dispute = open_dispute(cast)
    client = client_for(cast.buyer, "en")
    client.post(reverse("disputes:act", args=[dispute.pk, "decide"]), {"outcome": "no_refund",
                "reason": "mine"})  # fmt: skip
    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_buyer", "other_seller"])
def test_outsiders_get_404_on_pages(cast, who):
    dispute = open_dispute(cast)
    client = client_for(getattr(cast, who))
    assert client.get(dispute.get_absolute_url()).status_code == 404
    act = reverse("disputes:act", args=[dispute.pk, "withdraw"])
    assert client.post(act).status_code == 404
    assert client.get(reverse("disputes:queue")).status_code == 404
    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER


@pytest.mark.django_db
def test_arbitrator_queue_oldest_first_and_decision(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.ESCALATED)
        client = client_for(cast.arbitrator, "en")
        queue = client.get(reverse("disputes:queue"))
        assert list(queue.context["page"].object_list) == [dispute]
        page = client.get(dispute.get_absolute_url()).content.decode()
        assert "Record the decision" in page
        client.post(
            reverse("disputes:act", args=[dispute.pk, "decide"]),
            {"outcome": "partial_refund", "refund_amount": "300.00", "reason": "Видно скол."},
        )
    for user in (cast.buyer, cast.seller):
        page = client_for(user, "en").get(dispute.get_absolute_url()).content.decode()
        assert "partial refund" in page and "Видно скол." in page and "300.00" in page


@pytest.mark.django_db
def test_deadline_across_a_dst_change_in_the_readers_zone(cast):
    """Five days are 120 hours in UTC; a Berlin reader sees the clock move back an hour."""
    cast.seller.time_zone = "Europe/Berlin"
    cast.seller.save()
    opened = datetime(2026, 10, 22, 10, 0, tzinfo=UTC)  # 12:00 CEST; DST ends 25 October
    Order.objects.filter(pk=cast.order.pk).update(shipped_at=opened - 7 * DAY)
    cast.order.refresh_from_db()
    with time_machine.travel(opened, tick=False):
        dispute = open_dispute(cast)
        page = client_for(cast.seller, "ru").get(dispute.get_absolute_url()).content.decode()
    assert dispute.deadline_at == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)
    assert 'datetime="2026-10-27T10:00:00+00:00"' in page
    assert "27 октября 2026 г. 11:00 (CET)" in page
    assert "22 октября 2026 г. 12:00" in page  # the opening time, still in summer time


@pytest.mark.django_db
def test_the_seller_workspace_counts_disputes_waiting_for_the_store(cast):
    open_dispute(cast)
    page = client_for(cast.seller, "en").get(reverse("workspace:desk", args=[cast.store.slug]))
    body = page.content.decode()
    assert "1 dispute waits for your answer" in body and reverse("disputes:seller") in body
