"""Demo conversations: answered, unread, one with photos, one started from an order, and
enough answered history for «Уютный дом» to show its real reply time.

Every message is sent through the messaging services with a fixed idempotency key, so
loading again finds the same messages and adds nothing.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from parley.accounts.models import User
from parley.attachments.services import attachments_create_from_uploads
from parley.marketplace.models import Order, Product, Store
from parley.messaging import selectors, services

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Shoppers who only appear in the store's message history.
CUSTOMERS = [
    ("customer1", "Мария Кузнецова"),
    ("customer2", "Дмитрий Орлов"),
    ("customer3", "Елена Смирнова"),
    ("customer4", "Игорь Волков"),
]


@dataclass(frozen=True)
class Line:
    side: str  # "buyer" or "store"
    body: str
    ago: timedelta
    photos: int = 0


@dataclass(frozen=True)
class DemoConversation:
    buyer: str
    store: str
    product: str | None = None
    order: str | None = None
    lines: tuple[Line, ...] = ()
    read_by: tuple[str, ...] = field(default=())  # who has read to the end
    note: str = ""


CONVERSATIONS = [
    DemoConversation(
        "buyer", "uyutny-dom", product="Керамическая кружка ручной работы",
        lines=(
            Line("buyer", "Здравствуйте! Кружку можно мыть в посудомоечной машине?", 3 * DAY),
            Line("store", "Здравствуйте, Анна! Да, глазурь спокойно выдерживает посудомойку.",
                 3 * DAY - 100 * timedelta(minutes=1)),
            Line("buyer", "Спасибо, тогда заказываю две.", 3 * DAY - 2 * HOUR),
        ),
        read_by=("buyer",),
        note="answered; the buyer's thanks is unread by the store",
    ),
    DemoConversation(
        "buyer", "tekhnoplyus", order="PD-1002",
        lines=(
            Line("buyer", "Добрый день! Посылка по заказу PD-1002 пока не отслеживается.", 2 * DAY),
            Line("store", "Здравствуйте! Трек-номер начнёт обновляться в течение суток.",
                 2 * DAY - 5 * HOUR),
        ),
        read_by=("store",),
        note="started from order PD-1002; the reply is unread by the buyer",
    ),
    DemoConversation(
        "buyer", "knizhnaya-lavka", product="Блокнот в точку A5",
        lines=(
            Line("buyer", "Блокнот пришёл с помятым углом, фото прилагаю.", 20 * HOUR, photos=2),
        ),
        note="with photos; not answered yet",
    ),
    DemoConversation(
        "buyer2", "uyutny-dom", product="Плед из шерсти мериноса",
        lines=(
            Line("buyer", "Будет ли плед в сером цвете?", 5 * DAY),
            Line("store", "Да, серый ожидаем на следующей неделе.", 5 * DAY - 20 * HOUR),
        ),
        read_by=("buyer", "store"),
    ),
    *[
        DemoConversation(
            username, "uyutny-dom",
            lines=(
                Line("buyer", "Здравствуйте! Подскажите сроки отправки?", days * DAY),
                Line("store", "Отправляем в течение двух рабочих дней.", days * DAY - delay),
            ),
            read_by=("buyer", "store"),
        )
        for (username, _), days, delay in zip(
            CUSTOMERS, (12, 20, 31, 44), (2 * HOUR, 5 * HOUR, 30 * HOUR, 3 * HOUR), strict=True
        )
    ],
]  # fmt: skip


def demo_photo(variant: int) -> SimpleUploadedFile:
    """A drawn 'photo' of a notebook with a bent corner, made here so the demo needs no files."""
    image = Image.new("RGB", (640, 480), (222, 214, 196))
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 80, 490, 420), fill=(46, 74, 98), outline=(20, 30, 40), width=4)
    draw.polygon([(490, 80), (420, 80), (490, 150)], fill=(236, 230, 216))
    for y in range(120, 400, 24):
        draw.line((190, y, 450, y), fill=(70, 100, 125), width=1)
    draw.ellipse((60 + variant * 400, 380, 110 + variant * 400, 430), fill=(180, 60, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(f"bloknot-{variant + 1}.jpg", out.getvalue(), "image/jpeg")


def load_customers() -> dict[str, User]:
    customers = {}
    for username, name in CUSTOMERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"display_name": name, "email": f"{username}@parley.localhost"},
        )
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        customers[username] = user
    return customers


def load_messaging(users: dict[str, User], now: datetime) -> None:
    people = {**users, **load_customers()}
    for number, spec in enumerate(CONVERSATIONS, start=1):
        store = Store.objects.get(slug=spec.store)
        buyer = people[spec.buyer]
        seller = store.memberships.order_by("id").first().user
        product = Product.objects.get(store=store, title=spec.product) if spec.product else None
        order = Order.objects.get(number=spec.order) if spec.order else None
        conversation = services.conversation_open(
            actor=buyer, store=store, product=product, order=order
        )
        for index, line in enumerate(spec.lines):
            actor = buyer if line.side == "buyer" else seller
            key = f"demo-{number}-{index}"
            if selectors.message_by_client_id(conversation, actor, key) is not None:
                continue
            photos = attachments_create_from_uploads(
                owner=actor, uploads=[demo_photo(i) for i in range(line.photos)]
            )
            services.message_send(
                actor=actor,
                conversation=conversation,
                body=line.body,
                attachments=photos,
                client_id=key,
                product=product if index == 0 else None,
                order=order if index == 0 else None,
                sent_at=now - line.ago,
            )
        readers = {"buyer": buyer, "store": seller}
        for side in spec.read_by:
            services.conversation_mark_read(
                actor=readers[side], conversation=conversation, up_to_seq=len(spec.lines)
            )
