from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from parley.marketplace.models import Order, StoreMembership

from .factories import OrderFactory, ProductFactory, ShippingMethodFactory


@pytest.mark.django_db
class TestConstraints:
    def test_product_price_must_be_positive(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductFactory(price=Decimal("0"))

    def test_shipping_protection_must_be_positive(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ShippingMethodFactory(code="zero", protection_days=0)

    def test_shipped_order_needs_shipment_time(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderFactory(status=Order.Status.SHIPPED, shipped_at=None)

    def test_delivery_cannot_precede_shipment(self):
        now = timezone.now()
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderFactory(shipped_at=now, delivered_at=now - timedelta(hours=1))

    def test_paid_total_cannot_be_negative(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderFactory(total_paid=Decimal("-1"))

    def test_one_membership_per_user_and_store(self, cast):
        with pytest.raises(IntegrityError), transaction.atomic():
            StoreMembership.objects.create(store=cast.store, user=cast.seller)


@pytest.mark.django_db
def test_protection_end_is_shipment_plus_method_period():
    method = ShippingMethodFactory(code="express", protection_days=30)
    shipped = timezone.now() - timedelta(days=3)
    order = OrderFactory(shipping_method=method, shipped_at=shipped)
    assert order.protection_ends_at == shipped + timedelta(days=30)


@pytest.mark.django_db
def test_unshipped_order_has_no_protection_end():
    order = OrderFactory(status=Order.Status.PAID, shipped_at=None)
    assert order.protection_ends_at is None
