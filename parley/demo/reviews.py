"""Demo reviews: answered and unanswered ones, a question, and an away notice.

The demo buyer's delivered plaid (PD-1005) is left unreviewed on purpose, so the demo (and the
browser test) can write that review. Loading again moves the same rows, it never adds new ones.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from parley.accounts.models import User
from parley.marketplace.models import Order, OrderLine, Product, ShippingMethod, Store
from parley.reviews.models import Review, SellerReply

DAY = timedelta(days=1)

# Purchases the demo reviews hang on: number, buyer, store, product titles, days ago delivered.
PLAID, MUG = "Плед из шерсти мериноса", "Керамическая кружка ручной работы"
REVIEWED_ORDERS = [
    ("PD-2002", "buyer2", "uyutny-dom", (PLAID, MUG), 6),
    ("PD-2003", "buyer2", "tekhnoplyus", ("Беспроводные наушники",), 8),
]


@dataclass(frozen=True)
class DemoReview:
    order: str
    product: str
    rating: int
    text: str
    is_question: bool
    written_ago: timedelta
    reply: str = ""
    replier: str = ""


REVIEWS = [
    DemoReview(
        "PD-2002",
        PLAID,
        5,
        "Очень мягкий и тёплый, цвет как на фото. Упаковано аккуратно.",
        False,
        4 * DAY,
        "Спасибо за отзыв! Рады, что плед понравился.",
        "seller",
    ),
    DemoReview(
        "PD-2002",
        MUG,
        4,
        "Кружка красивая, но немного меньше, чем ожидал. Можно ли её ставить в микроволновку?",
        True,
        2 * DAY,
    ),
    DemoReview(
        "PD-2003",
        "Беспроводные наушники",
        3,
        "Звук хороший, но шумоподавление слабее, чем обещано.",
        False,
        5 * DAY,
    ),
    DemoReview(
        "PD-1004",
        "Кабель USB-C 2 м",
        5,
        "Прочный кабель, заряжает быстро.",
        False,
        50 * DAY,
        "Благодарим за покупку!",
        "seller2",
    ),
]

AWAY_STORE = "knizhnaya-lavka"
AWAY_MESSAGE = "Мы в отпуске. Заказы отправим после возвращения, на сообщения ответим позже."
AWAY_FOR = 7 * DAY


def _reviewed_orders(users: dict[str, User], now: datetime) -> None:
    method = ShippingMethod.objects.get(code="standard")
    for number, buyer, slug, titles, delivered_days in REVIEWED_ORDERS:
        store = Store.objects.get(slug=slug)
        products = [Product.objects.get(store=store, title=title) for title in titles]
        delivered_at = now - delivered_days * DAY
        order, _ = Order.objects.update_or_create(
            number=number,
            defaults={
                "buyer": users[buyer],
                "store": store,
                "shipping_method": method,
                "status": Order.Status.DELIVERED,
                "total_paid": sum((p.price for p in products), Decimal("0")),
                "currency": "RUB",
                "placed_at": delivered_at - 9 * DAY,
                "paid_at": delivered_at - 9 * DAY,
                "shipped_at": delivered_at - 7 * DAY,
                "delivered_at": delivered_at,
                "tracking_number": f"RU{number[3:]}000CN",
            },
        )
        for product in products:
            OrderLine.objects.update_or_create(
                order=order,
                product=product,
                defaults={"title": product.title, "quantity": 1, "unit_price": product.price},
            )


def load_reviews(users: dict[str, User], now: datetime) -> None:
    _reviewed_orders(users, now)
    for spec in REVIEWS:
        line = OrderLine.objects.select_related("order").get(
            order__number=spec.order, product__title=spec.product
        )
        written_at = now - spec.written_ago
        review, _ = Review.objects.update_or_create(
            order_line=line,
            defaults={
                "product_id": line.product_id,
                "author_id": line.order.buyer_id,
                "rating": spec.rating,
                "text": spec.text,
                "is_question": spec.is_question,
                "created_at": written_at,
                "edited_at": None,
            },
        )
        if spec.reply:
            SellerReply.objects.update_or_create(
                review=review,
                defaults={
                    "author": users[spec.replier],
                    "text": spec.reply,
                    "created_at": written_at + DAY / 2,
                    "edited_at": None,
                },
            )
        else:
            SellerReply.objects.filter(review=review).delete()
    Store.objects.filter(slug=AWAY_STORE).update(
        away_message=AWAY_MESSAGE, away_until=(now + AWAY_FOR).date()
    )
