"""The named cast shared by every test: two buyers, two stores' sellers, an arbitrator."""

from dataclasses import dataclass

import pytest
from django.test import Client

from parley.accounts.models import User
from parley.accounts.services import api_token_create
from parley.marketplace.models import Order, Store

from .factories import MembershipFactory, OrderFactory, StoreFactory, UserFactory


@dataclass
class Cast:
    buyer: User
    other_buyer: User
    seller: User
    other_seller: User
    arbitrator: User
    store: Store
    other_store: Store
    order: Order
    other_order: Order


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing strength is Django's concern; tests need many users quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files (and the demo's photos) go to a fresh folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(db) -> Cast:
    buyer = UserFactory(username="buyer")
    other_buyer = UserFactory(username="other_buyer")
    seller = UserFactory(username="seller")
    other_seller = UserFactory(username="other_seller")
    arbitrator = UserFactory(username="arbitrator", is_arbitrator=True)
    store = StoreFactory(name="Уютный дом", slug="cosy")
    other_store = StoreFactory(name="ТехноПлюс", slug="techno")
    MembershipFactory(store=store, user=seller)
    MembershipFactory(store=other_store, user=other_seller)
    order = OrderFactory(buyer=buyer, store=store, number="A-1")
    other_order = OrderFactory(buyer=other_buyer, store=store, number="B-1")
    return Cast(
        buyer, other_buyer, seller, other_seller, arbitrator, store, other_store, order,
        other_order,
    )  # fmt: skip


def client_for(user: User | None, language: str = "ru") -> Client:
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def bearer_for(user: User) -> dict[str, str]:
    _, raw = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}
