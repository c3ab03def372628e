"""The bell and search in a real browser: the seller replies, the buyer's bell count rises
without a reload, and the buyer finds the reply by a word in another grammatical form."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser

REPLY = "Посылку передали в доставку, трек-номер пришлём вечером."


def test_bell_rises_live_and_search_finds_the_reply(server, browser, settings):
    settings.NOTIFY_POLL_SECONDS = 3600  # only the socket can raise the count in time
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.goto(server + "/")
    bell = buyer.get_by_role("link", name=re.compile("Уведомления"))
    expect(bell).to_be_visible()
    number = bell.locator("[data-bell-number]")
    before = int(number.inner_text())

    seller = new_page(browser, "ru-RU")
    log_in(seller, server, "seller")
    seller.goto(server + "/messages/")
    seller.get_by_role("listitem").filter(has_text="Анна Покупкина").get_by_role(
        "link"
    ).first.click()
    reply = seller.locator("section", has=seller.get_by_role("heading", name="Ответить"))
    reply.get_by_label("Сообщение").fill(REPLY)
    reply.get_by_role("button", name="Отправить").click()
    expect(seller.get_by_text(REPLY)).to_be_visible()

    # No reload: the reply's frame on the buyer's socket carries the new count.
    expect(number).to_have_text(str(before + 1), timeout=10_000)
    expect(bell.locator("[data-bell-count]")).to_be_visible()
    screenshot(buyer, "bell-risen-ru")

    bell.click()
    expect(buyer.get_by_role("heading", name="Уведомления")).to_be_visible()
    expect(buyer.get_by_text("Новое сообщение от Уютный дом").first).to_be_visible()
    screenshot(buyer, "notifications-ru")

    buyer.get_by_role("link", name=re.compile("Центр сообщений")).click()
    buyer.get_by_label("Искать в сообщениях").fill("посылка")
    buyer.get_by_role("button", name="Найти").click()
    hit = buyer.locator(".search-hit").filter(has_text="трек-номер")
    expect(hit).to_be_visible()
    expect(hit.locator("mark")).to_have_text("Посылку")
    screenshot(buyer, "search-ru")
    hit.get_by_role("link").first.click()
    expect(buyer).to_have_url(re.compile(r"/messages/\d+/#m-\d+$"))
    expect(buyer.get_by_text(REPLY)).to_be_visible()
    buyer.context.close()
    seller.context.close()
