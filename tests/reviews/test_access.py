"""Every review, contacts and workspace page and endpoint × every role: status, and nothing
changed when refused."""

import json

import pytest
from django.urls import reverse

from parley.marketplace.models import Store
from parley.reviews import services
from parley.reviews.models import Review, ReviewRevision, SellerReply, SellerReplyRevision

from ..conftest import bearer_for, client_for
from ..factories import ProductFactory
from .conftest import delivered_order

ROLES = ["anonymous", "buyer", "other_buyer", "seller", "staff", "other_seller", "arbitrator"]


@pytest.fixture
def world(cast, staff):
    """A product the buyer reviewed (with the store's reply) and one they may still review."""
    reviewed = delivered_order(cast.buyer, cast.store, number="D-1").lines.get().product
    open_product = ProductFactory(store=cast.store)
    delivered_order(cast.buyer, cast.store, product=open_product, number="D-2")
    review = services.review_create(actor=cast.buyer, product=reviewed, rating=4, text="Хорошо")
    services.seller_reply_create(actor=cast.seller, review=review, text="Спасибо")
    users = {"anonymous": None, "staff": staff} | {
        role: getattr(cast, role) for role in ROLES if role not in {"anonymous", "staff"}
    }
    return {"cast": cast, "users": users, "review": review, "open_product": open_product}


def state() -> tuple:
    return (
        list(Review.objects.values_list("id", "rating", "text", "is_question")),
        list(SellerReply.objects.values_list("id", "text", "author")),
        ReviewRevision.objects.count(),
        SellerReplyRevision.objects.count(),
        list(Store.objects.values_list("contact_email", "contact_phone", "away_message")),
    )


def expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


MEMBERS_ONLY = expect(404, anonymous=302, seller=200, staff=200)
REVIEW_BODY = {"rating": 2, "text": "Новый текст", "is_question": True}
CONTACTS_BODY = {"contact_email": "new@example.com", "contact_phone": "+7 900 111-22-33"}
AWAY_BODY = {"message": "Отпуск", "until": "2030-01-01"}

PAGES = [
    ("product page", "get", lambda w: w["review"].product.get_absolute_url(), None, expect(200)),
    (
        "write review",
        "post",
        lambda w: reverse("reviews:new", args=[w["open_product"].pk]),
        {"rating": "5", "text": "Отлично"},
        expect(400, anonymous=302, buyer=302),
    ),
    (
        "edit review",
        "post",
        lambda w: reverse("reviews:edit", args=[w["review"].pk]),
        {"rating": "2", "text": "Иначе"},
        expect(404, anonymous=302, buyer=302),
    ),
    (
        "edit review form",
        "get",
        lambda w: reverse("reviews:edit", args=[w["review"].pk]),
        None,
        expect(404, anonymous=302, buyer=200),
    ),
    (
        "reply form",
        "get",
        lambda w: reverse("reviews:reply", args=[w["review"].pk]),
        None,
        MEMBERS_ONLY,
    ),
    (
        "reply",
        "post",
        lambda w: reverse("reviews:reply", args=[w["review"].pk]),
        {"text": "Исправленный ответ"},
        expect(404, anonymous=302, seller=302, staff=302),
    ),
    (
        "workspace",
        "get",
        lambda w: reverse("workspace:index"),
        None,
        expect(404, anonymous=302, seller=302, staff=302, other_seller=302),
    ),
    (
        "desk",
        "get",
        lambda w: reverse("workspace:desk", args=["cosy"]),
        None,
        MEMBERS_ONLY,
    ),
    (
        "feed",
        "get",
        lambda w: reverse("workspace:reviews", args=["cosy"]) + "?show=all&rating=4",
        None,
        MEMBERS_ONLY,
    ),
    (
        "settings",
        "get",
        lambda w: reverse("workspace:settings", args=["cosy"]),
        None,
        MEMBERS_ONLY,
    ),
    (
        "save contacts",
        "post",
        lambda w: reverse("workspace:contacts-save", args=["cosy"]),
        CONTACTS_BODY,
        expect(404, anonymous=302, seller=302, staff=403),
    ),
    (
        "save away notice",
        "post",
        lambda w: reverse("workspace:away-save", args=["cosy"]),
        {"away_message": "Отпуск", "away_until": "2030-01-01"},
        expect(404, anonymous=302, seller=302, staff=403),
    ),
    (
        "contacts tab",
        "get",
        lambda w: reverse("marketplace:store-contacts", args=["cosy"]),
        None,
        expect(200),
    ),
    (
        "view details",
        "get",
        lambda w: reverse("marketplace:order", args=["D-1"]),
        None,
        expect(404, anonymous=302, buyer=200),
    ),
]

API = "/api/v1"
API_ENDPOINTS = [
    ("list", "get", lambda w: f"{API}/products/{w['review'].product_id}/reviews", None,
     expect(200)),
    ("eligibility", "get", lambda w: f"{API}/products/{w['open_product'].pk}/review-eligibility",
     None, expect(200, anonymous=401)),
    ("create", "post", lambda w: f"{API}/products/{w['open_product'].pk}/reviews",
     {"rating": 5, "text": "Отлично"}, expect(403, anonymous=401, buyer=201)),
    ("get", "get", lambda w: f"{API}/reviews/{w['review'].pk}", None, expect(200)),
    ("history", "get", lambda w: f"{API}/reviews/{w['review'].pk}/history", None, expect(200)),
    ("update", "put", lambda w: f"{API}/reviews/{w['review'].pk}", REVIEW_BODY,
     expect(404, anonymous=401, buyer=200)),
    ("reply again", "post", lambda w: f"{API}/reviews/{w['review'].pk}/reply", {"text": "Ещё"},
     expect(404, anonymous=401, seller=409, staff=409)),
    ("edit reply", "put", lambda w: f"{API}/reviews/{w['review'].pk}/reply", {"text": "Иначе"},
     expect(404, anonymous=401, seller=200, staff=200)),
    ("desks", "get", lambda w: f"{API}/workspace/stores", None, expect(200, anonymous=401)),
    ("feed", "get", lambda w: f"{API}/workspace/stores/cosy/reviews?show=all", None,
     expect(404, anonymous=401, seller=200, staff=200)),
    ("settings", "get", lambda w: f"{API}/workspace/stores/cosy/settings", None,
     expect(404, anonymous=401, seller=200, staff=200)),
    ("contacts", "put", lambda w: f"{API}/workspace/stores/cosy/contacts", CONTACTS_BODY,
     expect(404, anonymous=401, seller=200, staff=403)),
    ("away", "put", lambda w: f"{API}/workspace/stores/cosy/away", AWAY_BODY,
     expect(404, anonymous=401, seller=200, staff=403)),
    ("public contacts", "get", lambda w: f"{API}/stores/cosy/contacts", None, expect(200)),
]  # fmt: skip

SUCCESS = {200, 201, 302}
READS = {"get"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "statuses"), PAGES, ids=[p[0] for p in PAGES]
)
def test_page_access(world, role, name, method, url, data, statuses):
    client = client_for(world["users"][role])
    before = state()
    response = getattr(client, method)(url(world), data or {})
    assert response.status_code == statuses[role], (name, role)
    if (method not in READS and response.status_code not in SUCCESS) or role == "anonymous":
        assert state() == before
    if method not in READS and response.status_code in SUCCESS and role != "anonymous":
        assert state() != before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "statuses"), API_ENDPOINTS, ids=[e[0] for e in API_ENDPOINTS]
)
def test_api_access(world, role, name, method, url, data, statuses):
    user = world["users"][role]
    headers = bearer_for(user) if user else {}
    client = client_for(None)
    before = state()
    kwargs = {"content_type": "application/json", "data": json.dumps(data)} if data else {}
    response = getattr(client, method)(url(world), headers=headers, **kwargs)
    assert response.status_code == statuses[role], (name, role, response.content)
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "detail"}
    if method in READS or response.status_code >= 400:
        assert state() == before
    else:
        assert state() != before
