"""Chat Now in a real browser: buyer and seller in two contexts, messages and marks live."""

import re

import pytest
from playwright.sync_api import expect

from tests.images import photo_bytes

from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser

QUESTION = "Добрый день! Когда отправите кружку и салфетки?"
ANSWER = "Здравствуйте, Анна! Отправим сегодня вечером."
GREETING = "Здравствуйте!"


def test_buyer_chats_from_an_order_and_the_seller_answers_live(server, browser):
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.goto(server + "/orders/PD-1003/")
    buyer.get_by_role("button", name="Чат").click()
    expect(buyer.get_by_role("heading", name="Уютный дом", exact=True)).to_be_visible()
    expect(buyer.get_by_role("status")).to_have_text("Подключено")

    buyer.get_by_role("tab", name="Товар").click()
    products = buyer.get_by_role("tabpanel", name="Товар")
    expect(products).to_contain_text("Керамическая кружка ручной работы")
    expect(products).to_contain_text("890")
    expect(products).to_contain_text("Набор льняных салфеток")
    buyer.get_by_role("tab", name="Контакт").click()
    contact = buyer.get_by_role("tabpanel", name="Контакт")
    expect(contact).to_contain_text("Уютный дом")
    expect(contact).to_contain_text("Ольга Продавцова")
    screenshot(buyer, "chat-buyer-ru")

    seller = new_page(browser, "ru-RU")
    log_in(seller, server, "seller")
    center = seller.get_by_role("link", name=re.compile("Центр сообщений"))
    unread = int(center.locator(".badge").inner_text())
    expect(seller.locator("html")).to_have_attribute("data-chat-connected", "true")
    buyer.get_by_role("textbox", name="Сообщение").fill(GREETING)
    buyer.get_by_role("button", name="Отправить").click()
    expect(center.locator(".badge")).to_have_text(str(unread + 1))  # live, no reload
    center.click()
    dialog_row = seller.get_by_role("listitem").filter(has_text="Анна Покупкина")
    dialog_row.get_by_role("link").first.click()
    seller.get_by_role("link", name="Чат").click()
    expect(seller.get_by_role("status")).to_have_text("Подключено")
    expect(seller.get_by_text(GREETING, exact=True)).to_be_visible()
    expect(contact).to_contain_text("Сейчас в сети")

    buyer.get_by_role("textbox", name="Сообщение").fill(QUESTION)
    expect(seller.get_by_text("Анна Покупкина печатает…")).to_be_visible()
    buyer.locator("[data-chat]").get_by_label("Загрузить фото").set_input_files(
        {"name": "box.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes("JPEG", (320, 240))}
    )
    buyer.get_by_role("button", name="Отправить").click()
    expect(seller.locator(".message.theirs").last).to_contain_text(QUESTION)
    expect(seller.get_by_role("img", name="Фото box.jpg")).to_be_visible()
    mine = buyer.locator(".message.mine").last
    expect(mine).to_contain_text(QUESTION)
    expect(mine.locator(".message-status")).to_have_text("Прочитано")

    seller.get_by_role("textbox", name="Сообщение").fill(ANSWER)
    seller.get_by_role("button", name="Отправить").click()
    expect(buyer.locator(".message.theirs").last).to_contain_text(ANSWER)
    expect(seller.locator(".message.mine").last.locator(".message-status")).to_have_text(
        "Прочитано"
    )
    screenshot(buyer, "chat-buyer-answered-ru")
    screenshot(seller, "chat-seller-ru")

    # The same lines are in the Message Center's history.
    buyer.get_by_role("link", name="Вся история").click()
    expect(buyer.get_by_text(QUESTION)).to_be_visible()
    expect(buyer.get_by_text(ANSWER)).to_be_visible()
    buyer.context.close()
    seller.context.close()


def test_the_window_reconnects_and_sends_what_was_typed_offline_once(server, browser):
    from parley.messaging.models import Message

    offline = {"on": False}

    def route(ws):
        if offline["on"]:
            ws.close()  # the network is down: the connection fails at once
        else:
            ws.connect_to_server()

    buyer = new_page(browser, "ru-RU")
    buyer.route_web_socket(re.compile(r"/ws/chat/$"), route)
    log_in(buyer, server, "buyer")
    buyer.goto(server + "/orders/PD-1003/")
    buyer.get_by_role("button", name="Чат").click()
    status = buyer.get_by_role("status")
    expect(status).to_have_text("Подключено")

    offline["on"] = True
    buyer.reload()  # the page comes back while the chat server cannot be reached
    expect(status).to_have_text(re.compile("Связь потеряна"))
    text = "Напишу, пока нет связи"
    buyer.get_by_role("textbox", name="Сообщение").fill(text)
    buyer.get_by_role("button", name="Отправить").click()
    pending = buyer.locator(".message.mine").last
    expect(pending).to_contain_text(text)
    expect(pending.locator(".message-status")).to_have_text(
        "Будет отправлено, когда появится связь"
    )
    screenshot(buyer, "chat-offline-ru")

    offline["on"] = False
    expect(status).to_have_text("Подключено", timeout=20_000)
    expect(pending.locator(".message-status")).to_have_text(re.compile("Отправлено|Доставлено"))
    assert Message.objects.filter(body=text).count() == 1
    buyer.reload()
    expect(buyer.get_by_text(text)).to_have_count(1)
    buyer.context.close()
