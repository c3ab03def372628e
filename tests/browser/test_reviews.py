"""Reviews end to end: the demo buyer reviews, the demo seller answers, everyone sees it."""

import re

import pytest
from playwright.sync_api import expect

from ..images import photo_bytes
from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser

PLAID = "Плед из шерсти мериноса"
REVIEW = "Тёплый и мягкий, спасибо! Подойдёт ли он для стирки в машинке?"
REPLY = "Да, стирайте на деликатном режиме при 30 °C."


def test_buyer_reviews_seller_replies_in_russian(server, browser, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "plaid.jpg"
    photo.write_bytes(photo_bytes("JPEG", (320, 240)))
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.get_by_role("link", name="Мои заказы").first.click()
    row = buyer.get_by_role("row").filter(has_text="PD-1005")
    row.get_by_role("link", name=re.compile("Подробнее")).click()
    expect(buyer.get_by_role("heading", name="Заказ PD-1005")).to_be_visible()
    contacts = buyer.get_by_role("region", name="Контакты продавца")
    expect(contacts.get_by_role("link", name="+7 495 123-45-67")).to_be_visible()
    expect(contacts.get_by_role("link", name="help@uyutny-dom.example")).to_be_visible()
    expect(contacts).to_contain_text("Сначала напишите продавцу")
    expect(contacts.get_by_role("link", name="Отправить сообщение")).to_be_visible()
    expect(contacts.get_by_role("button", name="Чат")).to_be_visible()
    screenshot(buyer, "reviews-view-details-ru")

    buyer.get_by_role("link", name=PLAID).click()
    expect(buyer.get_by_role("heading", name="Отзывы")).to_be_visible()
    buyer.get_by_label("Оценка").select_option("5")
    buyer.get_by_label("Ваш отзыв").fill(REVIEW)
    buyer.get_by_label("В моём отзыве есть вопрос продавцу").check()
    buyer.get_by_label("Фото", exact=True).set_input_files(str(photo))
    buyer.get_by_role("button", name="Опубликовать отзыв").click()
    expect(buyer.get_by_text("Спасибо! Ваш отзыв опубликован.")).to_be_visible()
    mine = buyer.locator("article.review").filter(has_text=REVIEW)
    thumbnail = mine.get_by_role("img", name="Фото 1 к отзыву")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    screenshot(buyer, "reviews-written-ru")

    seller = new_page(browser, "ru-RU")
    log_in(seller, server, "seller")
    seller.get_by_role("link", name=re.compile("Кабинет продавца")).click()
    seller.get_by_role("link", name=re.compile("Отзывы и вопросы")).first.click()
    expect(seller.get_by_role("heading", name="Отзывы и вопросы")).to_be_visible()
    questions = seller.locator("article.review")
    expect(questions.first).to_contain_text("Вопрос")
    review = questions.filter(has_text=REVIEW)
    expect(review).to_be_visible()
    screenshot(seller, "reviews-feed-ru")
    review.get_by_label("Ответ магазина").fill(REPLY)
    review.get_by_role("button", name="Ответить").click()
    expect(seller.get_by_text("Ответ опубликован под отзывом.")).to_be_visible()
    expect(seller.locator("article.review").filter(has_text=REVIEW)).to_have_count(0)

    buyer.reload()
    mine = buyer.locator("article.review").filter(has_text=REVIEW)
    reply = mine.get_by_role("region", name="Ответ продавца")
    expect(reply).to_contain_text(REPLY)
    expect(reply).to_contain_text("Уютный дом")
    screenshot(buyer, "reviews-reply-ru")
    buyer.context.close()
    seller.context.close()


def test_contacts_tab_and_away_notice_in_english(server, browser):
    page = new_page(browser, "en-US")
    page.goto(server + "/stores/uyutny-dom/")
    page.get_by_label("Language").select_option("en")
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("region", name="Contacts")).to_contain_text("+7 495 123-45-67")
    expect(page.get_by_role("link", name="help@uyutny-dom.example")).to_be_visible()
    screenshot(page, "store-contacts-en")
    page.goto(server + "/stores/knizhnaya-lavka/")
    expect(page.get_by_text(re.compile("The store is away until"))).to_be_visible()
    page.context.close()


def test_owner_edits_contacts_and_away_notice_in_english(server, browser):
    page = new_page(browser, "en-US")
    log_in(page, server, "seller")
    page.get_by_role("link", name=re.compile("Seller workspace")).click()
    page.get_by_role("link", name="Contacts and away notice").first.click()
    page.get_by_label("Phone").fill("call me")
    page.get_by_role("button", name="Save contacts").click()
    expect(page.get_by_text(re.compile("Enter a phone number of 7 to 15 digits"))).to_be_visible()
    page.get_by_label("Phone").fill("+7 495 000-11-22")
    page.get_by_role("button", name="Save contacts").click()
    expect(page.get_by_text("The store's contacts are saved.")).to_be_visible()
    page.get_by_label("Away notice").fill("Back after the fair.")
    page.get_by_label("Back on").fill("2030-05-01")
    page.get_by_role("button", name="Save away notice").click()
    expect(page.get_by_text("The away notice is saved.")).to_be_visible()
    screenshot(page, "workspace-settings-en")
    page.goto(server + "/stores/uyutny-dom/contacts/")
    expect(page.get_by_text("+7 495 000-11-22")).to_be_visible()
    expect(page.get_by_text("Back after the fair.")).to_be_visible()
    page.context.close()
