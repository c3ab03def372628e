"""Factories for the marketplace core; tests build exactly what they need."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from parley.accounts.models import User
from parley.marketplace.models import (
    Order,
    OrderLine,
    Product,
    ShippingMethod,
    Store,
    StoreMembership,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    name = factory.Sequence(lambda n: f"Магазин {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    contact_email = factory.LazyAttribute(lambda o: f"{o.slug}@example.com")
    contact_phone = "+7 900 000-00-00"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreMembership

    store = factory.SubFactory(StoreFactory)
    user = factory.SubFactory(UserFactory)
    role = StoreMembership.Role.OWNER


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod
        django_get_or_create = ("code",)

    code = "standard"
    name = "Стандартная доставка"
    protection_days = 60


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    store = factory.SubFactory(StoreFactory)
    title = factory.Sequence(lambda n: f"Товар {n}")
    price = Decimal("1000.00")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"T-{n:05d}")
    buyer = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)
    shipping_method = factory.SubFactory(ShippingMethodFactory)
    status = Order.Status.SHIPPED
    total_paid = Decimal("1000.00")
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=12))
    paid_at = factory.LazyAttribute(lambda o: o.placed_at)
    shipped_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create:
            return
        products = extracted or [ProductFactory(store=obj.store, price=obj.total_paid)]
        for product in products:
            OrderLine.objects.create(
                order=obj, product=product, title=product.title, quantity=1,
                unit_price=product.price,
            )  # fmt: skip
