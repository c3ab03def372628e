from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from parley.accounts.auth import api_auth
from parley.core.schemas import ErrorOut

from . import selectors
from .models import Order, Product, Store
from .schemas import (
    AwayNoticeOut,
    OrderLineOut,
    OrderOut,
    ProductOut,
    ShippingMethodOut,
    StoreContactsOut,
    StoreOut,
)

router = Router(tags=["marketplace"])


class PageQuery(Schema):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=100)


class ProductQuery(PageQuery):
    store: str | None = Field(default=None, max_length=80, description="Store slug")


class StorePage(Schema):
    count: int
    items: list[StoreOut]


class ProductPage(Schema):
    count: int
    items: list[ProductOut]


class OrderPage(Schema):
    count: int
    items: list[OrderOut]


def store_out(store: Store) -> StoreOut:
    return StoreOut(
        id=store.id,
        slug=store.slug,
        name=store.name,
        description=store.description,
        url=store.get_absolute_url(),
    )


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.id,
        title=product.title,
        description=product.description,
        price=product.price,
        currency=product.currency,
        store=store_out(product.store),
        url=product.get_absolute_url(),
    )


def order_out(order: Order) -> OrderOut:
    method = order.shipping_method
    return OrderOut(
        number=order.number,
        store=store_out(order.store),
        status=order.status,
        total_paid=order.total_paid,
        currency=order.currency,
        shipping_method=ShippingMethodOut(
            code=method.code, name=method.name, protection_days=method.protection_days
        ),
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        protection_ends_at=order.protection_ends_at,
        tracking_number=order.tracking_number,
        lines=[
            OrderLineOut(
                product_id=line.product_id,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in order.lines.all()
        ],
        url=order.get_absolute_url(),
    )


@router.get("/stores", response=StorePage, auth=None)
def stores_list(request: HttpRequest, page: Query[PageQuery]):
    qs = selectors.stores_list()
    items = qs[page.offset : page.offset + page.limit]
    return StorePage(count=qs.count(), items=[store_out(s) for s in items])


@router.get("/stores/{slug}", response={200: StoreOut, 404: ErrorOut}, auth=None)
def store_get(request: HttpRequest, slug: str):
    return store_out(selectors.get_store(slug))


def store_contacts_out(store: Store) -> StoreContactsOut:
    return StoreContactsOut(
        contact_email=store.contact_email,
        contact_phone=store.contact_phone,
        address=store.address,
        working_hours=store.working_hours,
        messengers=store.messengers,
        away=AwayNoticeOut(message=store.away_message, until=store.away_until)
        if store.is_away
        else None,
    )


@router.get("/stores/{slug}/contacts", response={200: StoreContactsOut, 404: ErrorOut}, auth=None)
def store_contacts(request: HttpRequest, slug: str):
    """What the store publishes, and its away notice while it lasts."""
    return store_contacts_out(selectors.get_store(slug))


@router.get("/products", response={200: ProductPage, 404: ErrorOut}, auth=None)
def products_list(request: HttpRequest, page: Query[ProductQuery]):
    store = selectors.get_store(page.store) if page.store else None
    qs = selectors.products_on_sale(store)
    items = qs[page.offset : page.offset + page.limit]
    return ProductPage(count=qs.count(), items=[product_out(p) for p in items])


@router.get("/products/{product_id}", response={200: ProductOut, 404: ErrorOut}, auth=None)
def product_get(request: HttpRequest, product_id: int):
    return product_out(selectors.get_product(product_id))


@router.get("/shipping-methods", response=list[ShippingMethodOut], auth=None)
def shipping_methods(request: HttpRequest):
    return [
        ShippingMethodOut(code=m.code, name=m.name, protection_days=m.protection_days)
        for m in selectors.shipping_methods_list()
    ]


@router.get("/orders", response={200: OrderPage, 401: ErrorOut}, auth=api_auth)
def orders_list(request: HttpRequest, page: Query[PageQuery]):
    """The caller's own orders, newest first."""
    qs = selectors.orders_for_buyer(request.auth)
    items = qs[page.offset : page.offset + page.limit]
    return OrderPage(count=qs.count(), items=[order_out(o) for o in items])


@router.get(
    "/orders/{number}",
    response={200: OrderOut, 401: ErrorOut, 404: ErrorOut},
    auth=api_auth,
)
def order_get(request: HttpRequest, number: str):
    """One of the caller's own orders; anybody else's is 404."""
    return order_out(selectors.get_order_for_buyer(request.auth, number))
