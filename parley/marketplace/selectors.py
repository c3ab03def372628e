"""Reads of the marketplace, each with its permission check built in."""

from django.db.models import QuerySet

from parley.accounts.models import User
from parley.core.errors import NotFound

from .models import Order, Product, ShippingMethod, Store, StoreMembership


def stores_list() -> QuerySet[Store]:
    return Store.objects.all()


def get_store(slug: str) -> Store:
    store = Store.objects.filter(slug=slug).first()
    if store is None:
        raise NotFound()
    return store


def products_on_sale(store: Store | None = None) -> QuerySet[Product]:
    qs = Product.objects.filter(is_active=True).select_related("store")
    if store is not None:
        qs = qs.filter(store=store)
    return qs


def get_product(product_id: int) -> Product:
    product = products_on_sale().filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    return product


def shipping_methods_list() -> QuerySet[ShippingMethod]:
    return ShippingMethod.objects.all()


def orders_for_buyer(user: User) -> QuerySet[Order]:
    """The buyer's own orders; nobody else's are ever in this list."""
    if not user.is_authenticated:
        return Order.objects.none()
    return (
        Order.objects.filter(buyer=user)
        .select_related("store", "shipping_method")
        .prefetch_related("lines")
    )


def get_order_for_buyer(user: User, number: str) -> Order:
    """The buyer's own order; another person's order is reported as missing, not forbidden."""
    order = orders_for_buyer(user).filter(number=number).first()
    if order is None:
        raise NotFound()
    return order


def store_ids_for_member(user: User) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(StoreMembership.objects.filter(user=user).values_list("store_id", flat=True))


def is_store_member(user: User, store: Store, *, owner: bool = False) -> bool:
    if not user.is_authenticated:
        return False
    memberships = StoreMembership.objects.filter(user=user, store=store)
    if owner:
        memberships = memberships.filter(role=StoreMembership.Role.OWNER)
    return memberships.exists()


def get_store_for_member(user: User, slug: str) -> Store:
    """A store the user works in; to anybody else it does not exist."""
    store = Store.objects.filter(slug=slug).first()
    if store is None or not is_store_member(user, store):
        raise NotFound()
    return store


def stores_for_member(user: User) -> QuerySet[Store]:
    return Store.objects.filter(pk__in=store_ids_for_member(user))
