"""The named cast shared by every test: two buyers, two stores' sellers, an arbitrator."""

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

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


@pytest.fixture(autouse=True, scope="session")
def _own_redis_database(worker_id: str) -> Iterator[None]:
    """Parallel test workers share one Redis server; each gets its own database in it. A
    shared one would mix their groups (``conversation-1`` exists in every worker's database),
    and a test's ``cache.clear()`` (FLUSHDB) would wipe the other worker's channel layer."""
    url = django_settings.REDIS_URL
    if not url or worker_id == "master":
        yield
        return
    own = urlsplit(url)._replace(path=f"/{1 + int(worker_id.removeprefix('gw'))}").geturl()
    layers = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["hosts"] = [own]
    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["LOCATION"] = own
    with override_settings(REDIS_URL=own, CHANNEL_LAYERS=layers, CACHES=caches):
        yield


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


@pytest.fixture
def batch_sizes(monkeypatch) -> list[int]:
    """The size of each batch the group commit writes (``sending.send``), in order."""
    from parley.messaging import sending

    sizes: list[int] = []
    write = sending.send.run

    def counted(drafts):
        sizes.append(len(drafts))
        return write(drafts)

    monkeypatch.setattr(sending.send, "run", counted)
    return sizes
