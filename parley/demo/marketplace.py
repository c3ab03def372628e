"""Demo stores, products, shipping methods and the buyer's orders at every age that matters.

Ages are relative to ``now`` so the dispute rules show every case whenever the demo is loaded;
loading again moves the same rows, it never adds new ones.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from parley.accounts.models import User
from parley.marketplace.models import (
    Order,
    OrderLine,
    Product,
    ShippingMethod,
    Store,
    StoreMembership,
)

SHIPPING_METHODS = [
    # code, name, protection days
    ("express", "Экспресс-доставка EMS", 30),
    ("standard", "Стандартная доставка", 60),
    ("economy", "Экономичная доставка", 90),
]

STORES = [
    {
        "slug": "uyutny-dom",
        "name": "Уютный дом",
        "owner": "seller",
        "description": "Текстиль и посуда для дома. Отправляем в течение двух дней.",
        "contact_email": "help@uyutny-dom.example",
        "contact_phone": "+7 495 123-45-67",
        "address": "Москва, ул. Льва Толстого, 16",
        "working_hours": "Пн–Пт 10:00–19:00 (МСК)",
        "messengers": "Telegram @uyutny_dom",
        "products": [
            (
                "Плед из шерсти мериноса",
                "Мягкий плед 150×200 см, 100% меринос.",
                "3490.00",
            ),
            (
                "Керамическая кружка ручной работы",
                "Объём 350 мл, глазурь, можно в посудомойку.",
                "890.00",
            ),
            (
                "Набор льняных салфеток",
                "Шесть салфеток 40×40 см, натуральный лён.",
                "1290.00",
            ),
        ],
    },
    {
        "slug": "tekhnoplyus",
        "name": "ТехноПлюс",
        "owner": "seller2",
        "description": "Электроника и аксессуары с гарантией.",
        "contact_email": "support@tekhnoplyus.example",
        "contact_phone": "+7 812 765-43-21",
        "address": "Санкт-Петербург, Невский пр., 28",
        "working_hours": "Ежедневно 09:00–21:00 (МСК)",
        "messengers": "WhatsApp +7 812 765-43-21",
        "products": [
            (
                "Беспроводные наушники",
                "Bluetooth 5.3, шумоподавление, 30 часов работы.",
                "4990.00",
            ),
            (
                "Внешний аккумулятор 20000 мА·ч",
                "Быстрая зарядка USB-C PD 22,5 Вт.",
                "2490.00",
            ),
            ("Кабель USB-C 2 м", "Оплётка из нейлона, 60 Вт.", "390.00"),
        ],
    },
    {
        "slug": "knizhnaya-lavka",
        "name": "Книжная лавка",
        "owner": "seller2",
        "description": "Бумажные книги и блокноты.",
        "contact_email": "",
        "contact_phone": "",
        "address": "",
        "working_hours": "",
        "messengers": "",
        "products": [
            ("Блокнот в точку A5", "160 страниц, плотная бумага 100 г/м².", "650.00"),
        ],
    },
]


@dataclass(frozen=True)
class DemoOrder:
    number: str
    buyer: str
    store: str
    method: str
    product_titles: tuple[str, ...]
    placed_ago: timedelta
    shipped_ago: timedelta | None
    delivered_ago: timedelta | None
    note: str


DAY = timedelta(days=1)

ORDERS = [
    DemoOrder(
        "PD-1001",
        "buyer",
        "uyutny-dom",
        "standard",
        ("Плед из шерсти мериноса",),
        2 * DAY,
        None,
        None,
        "not shipped yet",
    ),
    DemoOrder(
        "PD-1002",
        "buyer",
        "tekhnoplyus",
        "standard",
        ("Беспроводные наушники",),
        5 * DAY,
        3 * DAY,
        None,
        "shipped 3 days ago: too early for a dispute",
    ),
    DemoOrder(
        "PD-1003",
        "buyer",
        "uyutny-dom",
        "standard",
        ("Керамическая кружка ручной работы", "Набор льняных салфеток"),
        12 * DAY,
        10 * DAY,
        None,
        "shipped 10 days ago: a dispute may be opened",
    ),
    DemoOrder(
        "PD-1004",
        "buyer",
        "tekhnoplyus",
        "express",
        ("Кабель USB-C 2 м",),
        75 * DAY,
        70 * DAY,
        55 * DAY,
        "past its 30-day protection: too late",
    ),
    DemoOrder(
        "PD-1005",
        "buyer",
        "uyutny-dom",
        "economy",
        ("Плед из шерсти мериноса",),
        25 * DAY,
        22 * DAY,
        4 * DAY,
        "delivered: can be reviewed",
    ),
    DemoOrder(
        "PD-2001",
        "buyer2",
        "tekhnoplyus",
        "standard",
        ("Внешний аккумулятор 20000 мА·ч",),
        14 * DAY,
        12 * DAY,
        None,
        "another buyer's order",
    ),
    # Orders that carry the demo disputes (parley/demo/disputes.py), one per dispute state.
    DemoOrder(
        "PD-1006", "buyer", "uyutny-dom", "standard", ("Набор льняных салфеток",),
        16 * DAY, 14 * DAY, None, "dispute in negotiation",
    ),
    DemoOrder(
        "PD-1007", "buyer", "tekhnoplyus", "standard", ("Беспроводные наушники",),
        27 * DAY, 25 * DAY, None, "dispute opened 16 days ago without agreement",
    ),
    DemoOrder(
        "PD-1008", "buyer", "uyutny-dom", "standard", ("Плед из шерсти мериноса",),
        32 * DAY, 30 * DAY, None, "escalated dispute waiting for the arbitrator",
    ),
    DemoOrder(
        "PD-1009", "buyer", "tekhnoplyus", "economy", ("Внешний аккумулятор 20000 мА·ч",),
        45 * DAY, 43 * DAY, None, "dispute decided with a partial refund",
    ),
    DemoOrder(
        "PD-1010", "buyer", "uyutny-dom", "standard", ("Керамическая кружка ручной работы",),
        20 * DAY, 18 * DAY, None, "dispute agreed with a return: waiting for the return",
    ),
]  # fmt: skip


def load_marketplace(users: dict[str, User], now: datetime) -> dict[str, Order]:
    methods = {
        code: ShippingMethod.objects.update_or_create(
            code=code, defaults={"name": name, "protection_days": days}
        )[0]
        for code, name, days in SHIPPING_METHODS
    }
    stores: dict[str, Store] = {}
    products: dict[str, Product] = {}
    for spec in STORES:
        fields = {k: v for k, v in spec.items() if k not in {"slug", "owner", "products"}}
        store, _ = Store.objects.update_or_create(slug=spec["slug"], defaults=fields)
        StoreMembership.objects.update_or_create(
            store=store,
            user=users[spec["owner"]],
            defaults={"role": StoreMembership.Role.OWNER},
        )
        stores[store.slug] = store
        for title, description, price in spec["products"]:
            product, _ = Product.objects.update_or_create(
                store=store,
                title=title,
                defaults={
                    "description": description,
                    "price": Decimal(price),
                    "currency": "RUB",
                },
            )
            products[title] = product

    orders = {}
    for spec in ORDERS:
        chosen = [products[title] for title in spec.product_titles]
        shipped_at = now - spec.shipped_ago if spec.shipped_ago else None
        delivered_at = now - spec.delivered_ago if spec.delivered_ago else None
        if delivered_at:
            status = Order.Status.DELIVERED
        elif shipped_at:
            status = Order.Status.SHIPPED
        else:
            status = Order.Status.PAID
        order, _ = Order.objects.update_or_create(
            number=spec.number,
            defaults={
                "buyer": users[spec.buyer],
                "store": stores[spec.store],
                "shipping_method": methods[spec.method],
                "status": status,
                "total_paid": sum((p.price for p in chosen), Decimal("0")),
                "currency": "RUB",
                "placed_at": now - spec.placed_ago,
                "paid_at": now - spec.placed_ago,
                "shipped_at": shipped_at,
                "delivered_at": delivered_at,
                "tracking_number": f"RU{spec.number[3:]}000CN" if shipped_at else "",
            },
        )
        for product in chosen:
            OrderLine.objects.update_or_create(
                order=order,
                product=product,
                defaults={
                    "title": product.title,
                    "quantity": 1,
                    "unit_price": product.price,
                },
            )
        orders[spec.number] = order
    return orders
