from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from parley.accounts.models import User
from parley.demo.accounts import DEMO_PASSWORD
from parley.marketplace.models import Order, OrderLine, Product, ShippingMethod, Store

MOMENT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_accounts_can_log_in_and_are_printed():
    output = load()
    for username in ["buyer", "buyer2", "seller", "seller2", "arbitrator"]:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
        assert username in output
    assert DEMO_PASSWORD in output
    assert User.objects.get(username="arbitrator").is_arbitrator


@pytest.mark.django_db
def test_every_promised_order_age_exists():
    with time_machine.travel(MOMENT, tick=False):
        load()
    orders = Order.objects.filter(buyer__username="buyer")
    unshipped = orders.filter(shipped_at__isnull=True)
    assert unshipped.exists()
    ages = {
        (MOMENT - o.shipped_at).days: o
        for o in orders.exclude(shipped_at__isnull=True).select_related("shipping_method")
    }
    assert 3 in ages and 10 in ages
    assert any(o.protection_ends_at < MOMENT for o in ages.values()), "one order past protection"
    assert ages[10].protection_ends_at > MOMENT
    assert orders.filter(status=Order.Status.DELIVERED).exists()
    assert set(ShippingMethod.objects.values_list("protection_days", flat=True)) == {30, 60, 90}
    assert Store.objects.exclude(contact_email="").count() >= 2
    assert all(p.currency == "RUB" for p in Product.objects.all())


@pytest.mark.django_db
def test_running_twice_duplicates_nothing_and_refreshes_ages():
    load()
    counts = [m.objects.count() for m in (User, Store, Product, Order, OrderLine, ShippingMethod)]
    later = timezone.now() + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        load()
    assert counts == [
        m.objects.count() for m in (User, Store, Product, Order, OrderLine, ShippingMethod)
    ]
    order = Order.objects.get(number="PD-1003")
    assert (later - order.shipped_at).days == 10
