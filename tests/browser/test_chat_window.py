"""The chat window of a long conversation, on a phone and on a desktop."""

import pytest
from playwright.sync_api import expect

from parley.accounts.models import User
from parley.marketplace.models import Order
from parley.messaging import services

from .conftest import log_in, off_the_browser_thread, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("device", "viewport"),
    [("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 900})],
)
def test_a_long_chat_opens_at_its_newest_message(server, browser, device, viewport):
    order = Order.objects.get(number="PD-1003")
    buyer = User.objects.get(username="buyer")
    conversation = services.conversation_open(actor=buyer, store=order.store, order=order)

    def write_forty() -> None:
        for n in range(1, 41):
            services.message_send(actor=buyer, conversation=conversation, body=f"Вопрос номер {n}")

    off_the_browser_thread(write_forty)

    context = browser.new_context(locale="ru-RU", viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, server, "buyer")
    page.goto(f"{server}/chat/{conversation.pk}/")
    expect(page.get_by_role("status")).to_have_text("Подключено")
    expect(page.get_by_text("Вопрос номер 40", exact=True)).to_be_in_viewport()
    expect(page.get_by_text("Вопрос номер 1", exact=True)).not_to_be_in_viewport()
    screenshot(page, f"chat-long-{device}-ru")
    context.close()
