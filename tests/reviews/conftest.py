"""What the review tests share: a delivered purchase, a store's staff member."""

from datetime import timedelta

import pytest
from django.utils import timezone

from parley.marketplace.models import Order, StoreMembership

from ..factories import MembershipFactory, OrderFactory, ProductFactory, UserFactory


def delivered_order(buyer, store, product=None, status=Order.Status.DELIVERED, number=None):
    product = product or ProductFactory(store=store)
    extra = {"number": number} if number else {}
    delivered = status in (Order.Status.DELIVERED, Order.Status.COMPLETED)
    return OrderFactory(
        buyer=buyer,
        store=store,
        status=status,
        lines=[product],
        shipped_at=None if status == Order.Status.PAID else timezone.now() - timedelta(days=5),
        delivered_at=timezone.now() - timedelta(days=1) if delivered else None,
        **extra,
    )


@pytest.fixture
def staff(cast):
    user = UserFactory(username="staff")
    MembershipFactory(store=cast.store, user=user, role=StoreMembership.Role.STAFF)
    return user


@pytest.fixture
def purchase(cast):
    """The buyer's delivered order of one product of the cast's store."""
    return delivered_order(cast.buyer, cast.store, number="D-1")


@pytest.fixture
def product(purchase):
    return purchase.lines.get().product
