from datetime import date, datetime
from decimal import Decimal

from ninja import Schema


class StoreOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    url: str


class ShippingMethodOut(Schema):
    code: str
    name: str
    protection_days: int


class ProductOut(Schema):
    id: int
    title: str
    description: str
    price: Decimal
    currency: str
    store: StoreOut
    url: str


class OrderLineOut(Schema):
    product_id: int
    title: str
    quantity: int
    unit_price: Decimal


class OrderOut(Schema):
    number: str
    store: StoreOut
    status: str
    total_paid: Decimal
    currency: str
    shipping_method: ShippingMethodOut
    placed_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    protection_ends_at: datetime | None
    tracking_number: str
    lines: list[OrderLineOut]
    url: str


class AwayNoticeOut(Schema):
    message: str
    until: date


class StoreContactsOut(Schema):
    contact_email: str
    contact_phone: str
    address: str
    working_hours: str
    messengers: str
    away: AwayNoticeOut | None = None
