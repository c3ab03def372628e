"""The read API for the marketplace and the token endpoint."""

import pytest
from django.core.cache import cache

from parley.accounts.models import ApiToken

from .conftest import bearer_for, client_for


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.mark.django_db
def test_openapi_document_is_served():
    doc = client_for(None).get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "Parley API"
    assert "/api/v1/orders" in doc["paths"]


@pytest.mark.django_db
def test_docs_page_is_served():
    assert client_for(None).get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
def test_token_exchange_and_bearer_use(cast):
    client = client_for(None)
    response = client.post(
        "/api/v1/auth/token",
        {"username": "buyer", "password": "correct horse battery staple", "name": "phone"},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = response.json()["token"]
    stored = ApiToken.objects.get(user=cast.buyer)
    assert stored.key_hash != token and stored.prefix == token[:8]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "buyer"


@pytest.mark.django_db
def test_wrong_password_gets_a_coded_error(cast):
    response = client_for(None, "en").post(
        "/api/v1/auth/token",
        {"username": "buyer", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "auth_failed"
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_endpoint_is_throttled(cast, settings):
    settings.LOGIN_MAX_FAILURES = 2
    client = client_for(None)
    for _ in range(2):
        client.post(
            "/api/v1/auth/token",
            {"username": "buyer", "password": "x"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "buyer", "password": "correct horse battery staple"},
        content_type="application/json",
    )
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_bad_bearer_token_is_401(cast):
    response = client_for(None).get("/api/v1/orders", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_malformed_body_is_422_with_reason():
    response = client_for(None).post(
        "/api/v1/auth/token", {"username": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]["errors"]


@pytest.mark.django_db
def test_orders_are_the_callers_own(cast):
    headers = bearer_for(cast.buyer)
    client = client_for(None)
    listing = client.get("/api/v1/orders", headers=headers).json()
    assert [o["number"] for o in listing["items"]] == ["A-1"]
    one = client.get("/api/v1/orders/A-1", headers=headers).json()
    assert one["lines"][0]["quantity"] == 1
    assert one["protection_ends_at"] is not None
    assert client.get("/api/v1/orders/B-1", headers=headers).status_code == 404


@pytest.mark.django_db
def test_session_auth_works_for_the_api(cast):
    assert client_for(cast.buyer).get("/api/v1/orders").status_code == 200
    assert client_for(None).get("/api/v1/orders").status_code == 401


@pytest.mark.django_db
def test_catalogue_reads(cast):
    client = client_for(None)
    stores = client.get("/api/v1/stores").json()
    assert {s["slug"] for s in stores["items"]} == {"cosy", "techno"}
    products = client.get("/api/v1/products", {"store": "cosy"}).json()
    assert products["count"] == 2
    product_id = products["items"][0]["id"]
    assert client.get(f"/api/v1/products/{product_id}").json()["store"]["slug"] == "cosy"
    assert client.get("/api/v1/stores/nope").status_code == 404
    assert client.get("/api/v1/shipping-methods").json()[0]["protection_days"] == 60


@pytest.mark.django_db
def test_page_limits_are_enforced(cast):
    response = client_for(None).get("/api/v1/products", {"limit": 1000})
    assert response.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/stores/a%00b", None),
        ("/api/v1/products?store=a%00", None),
        ("/api/v1/auth/token", {"username": "bu\u0000yer", "password": "x"}),
    ],
)
def test_nul_characters_are_refused_with_a_reason(cast, path, body):
    client = client_for(None, "en")
    if body is None:
        response = client.get(path)
    else:
        response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["message"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_nul_in_a_form_is_refused(cast):
    response = client_for(None, "en").post(
        "/accounts/login/", {"username": "a\x00", "password": "b"}
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_token_notes_its_use_once_a_minute_and_dies_with_its_user(cast):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from parley.accounts.services import api_token_create, api_token_user

    token, raw = api_token_create(user=cast.buyer, name="phone")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api_token_user(raw) == cast.buyer
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert api_token_user(raw).username == "buyer"
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert api_token_user(raw).public_name == cast.buyer.public_name
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)
    assert api_token_user(raw + "x") is None
    cast.buyer.is_active = False
    cast.buyer.save()
    assert api_token_user(raw) is None


@pytest.mark.django_db
def test_tokens_looked_up_together_get_their_own_users_in_one_statement(
    cast, django_assert_num_queries
):
    from parley.accounts.services import api_token_create, api_token_users

    _, buyer = api_token_create(user=cast.buyer)
    _, seller = api_token_create(user=cast.seller)
    _, gone = api_token_create(user=cast.other_buyer)
    cast.other_buyer.is_active = False
    cast.other_buyer.save()
    with django_assert_num_queries(2):  # the users, then noting the tokens' first use
        users = api_token_users([buyer, "unknown", seller, gone, buyer])
    assert [u and u.username for u in users] == ["buyer", None, "seller", None, "buyer"]
    assert users[0] is not users[4]
    with django_assert_num_queries(1):
        api_token_users([buyer, seller])
