"""A buyer with a Russian browser finds an order and its details, as a person would."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser


def test_buyer_opens_my_orders_and_view_details_in_russian(server, browser):
    page = new_page(browser, "ru-RU")
    log_in(page, server, "buyer")
    page.get_by_role("link", name="Мои заказы").first.click()
    expect(page.get_by_role("heading", name="Мои заказы")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="PD-1003")
    expect(row).to_contain_text("Уютный дом")
    screenshot(page, "my-orders-ru")
    row.get_by_role("link", name=re.compile("Подробнее")).click()
    expect(page.get_by_role("heading", name="Заказ PD-1003")).to_be_visible()
    expect(page.get_by_role("cell", name="Керамическая кружка ручной работы")).to_be_visible()
    expect(page.get_by_role("link", name="Уютный дом").first).to_be_visible()
    expect(page.get_by_text("Набор льняных салфеток")).to_be_visible()
    screenshot(page, "order-details-ru")
    page.context.close()


def test_language_switch_to_english(server, browser):
    page = new_page(browser, "ru-RU")
    page.goto(server + "/")
    expect(page.get_by_role("heading", name="Каталог")).to_be_visible()
    page.get_by_label("Язык").select_option("en")
    expect(page.get_by_role("heading", name="Catalogue")).to_be_visible()
    page.context.close()
