"""The Message Center conversation is live: what the chat window sends shows up there without a
reload, and its reply form sends over the socket to the chat window and back."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.images import photo_bytes

from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser

FROM_CHAT = "Анна, кружки упакуем в коробку с бумагой, отправим завтра утром."
FROM_CENTER = "Отлично, спасибо!\nБуду ждать трек-номер."
MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"


def _today_in_moscow() -> str:
    """Today as the server writes a day separator in Russian: «27 ноября 2026 г.»."""
    today = datetime.now(ZoneInfo("Europe/Moscow"))
    return f"{today.day} {MONTHS.split()[today.month - 1]} {today.year} г."


def test_message_center_page_and_chat_window_talk_live(server, browser):
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.goto(server + "/messages/")
    buyer.get_by_role("listitem").filter(has_text="Уютный дом").get_by_role("link").first.click()
    expect(buyer.get_by_role("heading", name="Уютный дом")).to_be_visible()
    expect(buyer.get_by_role("status")).to_have_text("Подключено")
    page_url = buyer.url
    conversation = re.search(r"/messages/(\d+)/", page_url).group(1)
    # Anything that reloads or leaves the page would lose this marker and count a navigation.
    buyer.evaluate("window.stayedOnPage = true")
    navigations = []
    buyer.on("framenavigated", lambda frame: navigations.append(frame.url))
    history = buyer.get_by_role("log", name="Сообщения")
    expect(history).to_be_visible()
    separators = history.locator(".day-separator")
    days_before = separators.count()
    assert days_before >= 1  # the demo's messages are from earlier days

    seller = new_page(browser, "ru-RU")
    log_in(seller, server, "seller")
    seller.goto(f"{server}/chat/{conversation}/")
    expect(seller.get_by_role("status")).to_have_text("Подключено")

    # The chat window speaks; the Message Center page hears it, on a new day under its separator.
    seller.get_by_role("textbox", name="Сообщение").fill(FROM_CHAT)
    seller.get_by_role("button", name="Отправить").click()
    theirs = history.locator(".message.theirs").last
    expect(theirs).to_contain_text(FROM_CHAT)
    expect(theirs.locator("time")).to_have_text(re.compile(r"^\d{1,2}:\d{2}$"))
    expect(separators).to_have_count(days_before + 1)
    expect(separators.last).to_have_text(_today_in_moscow())
    # The buyer's page saw it, so the seller's window marks it read.
    expect(seller.locator(".message.mine").last.locator(".message-status")).to_have_text(
        "Прочитано"
    )

    # The Message Center's reply form answers over the socket, without leaving the page.
    reply = buyer.locator("section", has=buyer.get_by_role("heading", name="Ответить"))
    # Typing for a few seconds, as a person does: the page repeats its notice every 3 s while
    # the keys go on, so the other side sees it even if the layer dropped one (at most once).
    reply.get_by_label("Сообщение").press_sequentially(FROM_CENTER.splitlines()[0], delay=250)
    expect(seller.get_by_text("Анна Покупкина печатает…")).to_be_visible()
    reply.get_by_label("Сообщение").fill(FROM_CENTER)
    reply.get_by_role("button", name="Отправить").click()
    in_chat = seller.locator(".message.theirs").last
    expect(in_chat).to_contain_text("Отлично, спасибо!")
    expect(in_chat).to_contain_text("Буду ждать трек-номер.")
    mine = history.locator(".message.mine").last
    expect(mine).to_contain_text("Буду ждать трек-номер.")
    expect(mine.locator(".message-status")).to_have_text("Прочитано")  # the seller's window read it
    expect(reply.get_by_label("Сообщение")).to_have_value("")
    expect(separators).to_have_count(days_before + 1)  # still the same day

    # A photo goes the same way.
    reply.get_by_label("Загрузить фото").set_input_files(
        {"name": "mug.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes("JPEG", (320, 240))}
    )
    reply.get_by_role("button", name="Отправить").click()
    expect(seller.get_by_role("img", name="Фото mug.jpg")).to_be_visible()
    expect(history.get_by_role("img", name="Фото mug.jpg")).to_be_visible()

    assert buyer.url == page_url
    assert buyer.evaluate("window.stayedOnPage") is True
    assert navigations == []
    screenshot(buyer, "conversation-live-buyer-ru")
    screenshot(seller, "conversation-live-seller-chat-ru")

    # Both lines are the stored history, as a reload shows.
    buyer.reload()
    expect(history.get_by_text(FROM_CHAT)).to_have_count(1)
    expect(history.locator(".message.mine").filter(has_text="Буду ждать")).to_have_count(1)
    buyer.context.close()
    seller.context.close()


def test_an_earlier_window_of_the_history_is_not_live(server, browser):
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.goto(server + "/messages/")
    buyer.get_by_role("listitem").filter(has_text="Уютный дом").get_by_role("link").first.click()
    expect(buyer.get_by_role("status")).to_have_text("Подключено")
    buyer.goto(buyer.url.split("#")[0] + "?before=2")
    expect(buyer.get_by_role("link", name="Последние сообщения")).to_be_visible()
    expect(buyer.get_by_role("status")).to_have_count(0)
    expect(buyer.locator("[data-chat]")).to_have_count(0)
    buyer.context.close()


def test_without_javascript_the_reply_form_posts_and_comes_back(server, browser):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    page = context.new_page()
    log_in(page, server, "buyer2")
    page.goto(server + "/messages/")
    page.get_by_role("listitem").filter(has_text="Уютный дом").get_by_role("link").first.click()
    reply = page.locator("section", has=page.get_by_role("heading", name="Reply"))
    reply.get_by_role("textbox", name="Message").fill("Is the grey one in stock yet?")
    reply.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/messages/\d+/#m-\d+$"))
    mine = page.locator(".message.mine").last
    expect(mine).to_contain_text("Is the grey one in stock yet?")
    expect(mine.locator(".message-status")).to_have_text("Sent")
    context.close()
