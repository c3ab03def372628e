"""Contact Now and the Message Center in a real browser, in Russian, buyer and seller at once."""

import re

import pytest
from playwright.sync_api import expect

from tests.images import photo_bytes

from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser

TEXT = "Здравствуйте! Плед серый или бежевый? Фото прилагаю."
REPLY = "Добрый день! Это бежевый цвет, отправим завтра."


def test_buyer_writes_from_a_product_and_the_seller_answers(server, browser):
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.goto(server + "/stores/uyutny-dom/")
    expect(buyer.get_by_text("Обычно отвечает в течение 4 ч")).to_be_visible()
    expect(
        buyer.get_by_text(re.compile(r"\d+% обращений получают ответ в течение 24 ч"))
    ).to_be_visible()
    screenshot(buyer, "store-reply-time-ru")
    buyer.get_by_role("link", name="Плед из шерсти мериноса").first.click()
    buyer.get_by_role("link", name="Отправить сообщение").click()

    dialog = buyer.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Уютный дом")).to_be_visible()
    expect(dialog).to_contain_text("Плед из шерсти мериноса")
    dialog.get_by_label("Сообщение").fill(TEXT)
    dialog.get_by_label("Загрузить фото").set_input_files(
        {"name": "pled.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes("JPEG", (320, 240))}
    )
    screenshot(buyer, "contact-dialog-ru")
    dialog.get_by_role("button", name="Отправить").click()
    expect(dialog.get_by_text("Сообщение отправлено.")).to_be_visible()
    dialog.get_by_role("button", name="Закрыть").click()

    buyer.get_by_role("link", name=re.compile("Центр сообщений")).click()
    expect(buyer.get_by_role("heading", name="Центр сообщений")).to_be_visible()
    row = buyer.get_by_role("listitem").filter(has_text="Уютный дом")
    expect(row).to_contain_text(TEXT[:40])
    expect(row.locator("time")).to_have_text(re.compile(r"\d{2}:\d{2}"))
    screenshot(buyer, "message-center-buyer-ru")

    seller = new_page(browser, "ru-RU")
    log_in(seller, server, "seller")
    center = seller.get_by_role("link", name=re.compile("Центр сообщений"))
    expect(center.locator(".badge")).to_be_visible()
    center.click()
    dialog_row = seller.get_by_role("listitem").filter(has_text="Анна Покупкина")
    expect(dialog_row.locator(".badge")).to_be_visible()
    dialog_row.get_by_role("link").first.click()
    expect(seller.get_by_text(TEXT)).to_be_visible()
    expect(seller.get_by_role("img", name=re.compile("Фото pled"))).to_be_visible()
    reply = seller.locator("section", has=seller.get_by_role("heading", name="Ответить"))
    reply.get_by_label("Сообщение").fill(REPLY)
    reply.get_by_role("button", name="Отправить").click()
    expect(seller.get_by_text(REPLY)).to_be_visible()
    # The page is live: the reply went over the socket, and the server has acknowledged it.
    expect(seller.locator(".message.mine").last.locator(".message-status")).to_have_text(
        re.compile("Отправлено|Доставлено|Прочитано")
    )
    screenshot(seller, "conversation-seller-ru")

    buyer.reload()
    expect(buyer.get_by_role("listitem").filter(has_text="Уютный дом")).to_contain_text(REPLY[:30])
    buyer.get_by_role("listitem").filter(has_text="Уютный дом").get_by_role("link").first.click()
    expect(buyer.get_by_text(REPLY)).to_be_visible()
    expect(buyer.get_by_text(TEXT)).to_be_visible()
    screenshot(buyer, "conversation-buyer-ru")
    buyer.context.close()
    seller.context.close()


def test_contact_page_works_without_javascript(server, browser):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    page = context.new_page()
    log_in(page, server, "buyer2")
    page.goto(server + "/stores/tekhnoplyus/")
    page.get_by_role("link", name="Contact Now").click()
    expect(page.get_by_role("heading", name="ТехноПлюс")).to_be_visible()
    page.get_by_role("textbox", name="Message").fill("Do you ship to Kazan?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message has been sent.", exact=True)).to_be_visible()
    expect(page.get_by_text("Do you ship to Kazan?")).to_be_visible()
    context.close()
