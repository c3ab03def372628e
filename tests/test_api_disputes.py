"""The disputes API: the story through JSON, refusals with their reasons, and who sees what."""

import json

import pytest
import time_machine

from parley.disputes.models import Dispute, TimelineEntry
from parley.disputes.states import State

from .conftest import bearer_for, client_for
from .disputes_kit import DAY, build, open_dispute

API = "/api/v1"


def post(client, path, body=None, **headers):
    return client.post(
        f"{API}{path}", json.dumps(body or {}), content_type="application/json", headers=headers
    )


@pytest.mark.django_db
def test_the_story_through_the_api(cast):
    buyer, seller, arbitrator = (bearer_for(u) for u in (cast.buyer, cast.seller, cast.arbitrator))
    c = client_for(None)
    with time_machine.travel(cast.order.shipped_at + 7 * DAY, tick=False) as traveller:
        verdict = c.get(f"{API}/orders/{cast.order.number}/dispute-eligibility", headers=buyer)
        assert verdict.json()["allowed"] is True
        r = post(
            c, "/disputes",
            {"order": cast.order.number, "reason": "damaged", "description": "Скол",
             "resolution": "refund_only", "refund_amount": "500.00"},
            **buyer,
        )  # fmt: skip
        assert r.status_code == 201, r.content
        dispute = r.json()
        assert dispute["state"] == "awaiting_seller" and dispute["your_role"] == "buyer"
        assert dispute["next_step"]["who"] == "seller"
        pk = dispute["id"]
        r = post(c, f"/disputes/{pk}/offers", {"refund_amount": "300.00"}, **seller)
        assert r.status_code == 201 and r.json()["by"] == "seller"
        traveller.shift(15 * 86400)
        r = post(c, f"/disputes/{pk}/escalate", {"text": "Не договорились"}, **buyer)
        assert r.json()["state"] == "escalated"
        queue = c.get(f"{API}/arbitration/queue", headers=arbitrator).json()
        assert [d["id"] for d in queue["items"]] == [pk]
        r = post(
            c, f"/disputes/{pk}/decision",
            {"outcome": "partial_refund", "refund_amount": "400.00", "reason": "Скол виден."},
            **arbitrator,
        )  # fmt: skip
        assert r.status_code == 200
        for who in (buyer, seller):
            seen = c.get(f"{API}/disputes/{pk}", headers=who).json()
            assert seen["decision"]["reason"] == "Скол виден."
            assert [x["amount"] for x in seen["refunds"]] == ["400.00"]


@pytest.mark.django_db
def test_too_early_is_refused_with_the_reason_and_date(cast):
    c = client_for(None, "en")
    with time_machine.travel(cast.order.shipped_at + 3 * DAY, tick=False):
        r = post(
            c, "/disputes",
            {"order": cast.order.number, "reason": "other", "description": "x",
             "resolution": "refund_only", "refund_amount": "1"},
            **bearer_for(cast.buyer),
        )  # fmt: skip
    assert r.status_code == 403
    assert r.json()["detail"]["reason"] == "too_early"
    assert "can be opened from" in r.json()["message"]
    assert not Dispute.objects.exists()


@pytest.mark.django_db
def test_a_lost_race_is_a_409(cast):
    with time_machine.travel(cast.order.shipped_at, tick=False) as traveller:
        dispute = build(cast, traveller, State.WITHDRAWN)
    offer = dispute.proposals.get()
    r = post(
        client_for(None),
        f"/disputes/{dispute.pk}/accept",
        {"proposal_id": offer.pk},
        **bearer_for(cast.seller),
    )
    assert r.status_code == 409 and r.json()["code"] == "conflict"


ENDPOINTS = [
    ("get", "/disputes/{pk}", None),
    ("post", "/disputes/{pk}/accept", {"proposal_id": 1}),
    ("post", "/disputes/{pk}/offers", {"refund_amount": "10.00"}),
    ("post", "/disputes/{pk}/reject", {"reason": "x"}),
    ("post", "/disputes/{pk}/comments", {"text": "x"}),
    ("post", "/disputes/{pk}/withdraw", None),
    ("post", "/disputes/{pk}/escalate", None),
    ("post", "/disputes/{pk}/return-shipment", {"tracking_number": "x"}),
    ("post", "/disputes/{pk}/confirm-receipt", None),
    ("post", "/disputes/{pk}/info-requests", {"party": "buyer", "question": "x"}),
    ("post", "/disputes/{pk}/info", {"text": "x"}),
    (
        "post",
        "/disputes/{pk}/decision",
        {"outcome": "partial_refund", "refund_amount": "1.00", "reason": "x"},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "other_buyer", "other_seller"])
def test_outsiders_get_404_and_nothing_changes(cast, method, path, body, who):
    dispute = open_dispute(cast)
    entries = TimelineEntry.objects.count()
    c = client_for(None)
    headers = {} if who == "anonymous" else bearer_for(getattr(cast, who))
    url = path.format(pk=dispute.pk)
    r = c.get(f"{API}{url}", headers=headers) if method == "get" else post(c, url, body, **headers)
    assert r.status_code == (401 if who == "anonymous" else 404)
    dispute.refresh_from_db()
    assert dispute.state == State.AWAITING_SELLER
    assert TimelineEntry.objects.count() == entries


@pytest.mark.django_db
def test_lists_show_only_ones_own(cast):
    open_dispute(cast)
    c = client_for(None)
    assert c.get(f"{API}/disputes", headers=bearer_for(cast.buyer)).json()["count"] == 1
    assert c.get(f"{API}/disputes", headers=bearer_for(cast.other_buyer)).json()["count"] == 0
    seller = bearer_for(cast.seller)
    assert c.get(f"{API}/disputes?side=seller", headers=seller).json()["count"] == 1
    other = bearer_for(cast.other_seller)
    assert c.get(f"{API}/disputes?side=seller", headers=other).json()["count"] == 0
    assert c.get(f"{API}/arbitration/queue", headers=other).json()["count"] == 0
