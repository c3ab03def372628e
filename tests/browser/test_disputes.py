"""The dispute story in a real browser, by visible Russian labels, as the demo people would."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser


def _photo(tmp_path) -> str:
    path = tmp_path / "скол.jpg"
    image = Image.new("RGB", (120, 90), (200, 120, 80))
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_open_counter_escalate_decide(server, browser, tmp_path):
    # The buyer opens a dispute on the order shipped 10 days ago, with a photo and a chat line.
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.get_by_role("link", name="Мои заказы").first.click()
    early = buyer.get_by_role("row").filter(has_text="PD-1002")
    expect(early.get_by_role("button", name="Открыть спор")).to_be_disabled()
    expect(early).to_contain_text("Спор можно открыть с")
    screenshot(buyer, "disputes-my-orders-ru")
    buyer.get_by_role("link", name="Открыть спор по заказу PD-1003").click()
    buyer.get_by_role("radio", name="повреждён").check()
    buyer.get_by_label("Опишите проблему").fill("Кружка пришла с отбитой ручкой.")
    buyer.get_by_label("Только возврат денег (товар остаётся у меня)").check()
    buyer.get_by_label("Сумма возврата (RUB)").fill("500")
    buyer.get_by_label("Фото", exact=True).set_input_files(_photo(tmp_path))
    buyer.get_by_label(re.compile("глазурь спокойно выдерживает")).check()
    screenshot(buyer, "disputes-open-form-ru")
    buyer.get_by_role("button", name="Отправить").click()
    expect(
        buyer.get_by_role("heading", name=re.compile(r"Спор №\d+ · заказ PD-1003"))
    ).to_be_visible()
    expect(buyer.get_by_text("Ваш спор отправлен продавцу.")).to_be_visible()
    expect(buyer.get_by_text("текст не изменён")).to_be_visible()
    expect(buyer.locator(".evidence-photo img")).to_be_visible()
    dispute_url = buyer.url
    screenshot(buyer, "disputes-page-buyer-ru")

    # The seller finds it among the store's disputes and counter-offers.
    seller = new_page(browser, "ru-RU")
    log_in(seller, server, "seller")
    seller.get_by_role("link", name="Споры моих магазинов").click()
    seller.get_by_role("row").filter(has_text="PD-1003").get_by_role("link").click()
    expect(seller.get_by_role("region", name="Проблема")).to_contain_text("отбитой ручкой")
    seller.get_by_label("Сумма возврата", exact=True).fill("300")
    seller.get_by_label("Примечание").fill("Готовы вернуть 300 ₽ без возврата товара.")
    seller.get_by_role("button", name="Отправить предложение").click()
    expect(seller.get_by_text("Ваше предложение отправлено.")).to_be_visible()
    screenshot(seller, "disputes-page-seller-ru")
    buyer.goto(dispute_url)
    expect(buyer.locator(".offer-card").filter(has_text="Предложение продавца")).to_contain_text(
        "300,00"
    )
    expect(buyer.get_by_role("button", name="Принять это предложение")).to_be_visible()

    # The buyer escalates the demo dispute opened 16 days ago without agreement.
    buyer.get_by_role("link", name="Мои споры").click()
    buyer.get_by_role("row").filter(has_text="PD-1007").get_by_role("link").click()
    buyer.get_by_label("Что важно знать арбитру").fill("Продавец не отвечает по существу.")
    buyer.get_by_role("button", name="Подать жалобу").click()
    expect(buyer.get_by_text("Жалоба передана арбитру.")).to_be_visible()
    escalated_url = buyer.url

    # The arbitrator takes it from the queue and decides a partial refund.
    arbitrator = new_page(browser, "ru-RU")
    log_in(arbitrator, server, "arbitrator")
    arbitrator.get_by_role("link", name="Очередь арбитража").click()
    queue = arbitrator.get_by_role("row").filter(has_text="PD-")
    expect(queue.first).to_contain_text("PD-1008")  # escalated earlier: first in line
    screenshot(arbitrator, "disputes-queue-ru")
    arbitrator.get_by_role("row").filter(has_text="PD-1007").get_by_role("link").click()
    expect(arbitrator.get_by_text("Продавец не отвечает по существу.")).to_be_visible()
    arbitrator.get_by_role("radio", name="частичный возврат").check()
    arbitrator.get_by_label("Сумма возврата (частичный возврат, возврат товара и денег)").fill(
        "1500"
    )
    arbitrator.get_by_label("Обоснование (его увидят обе стороны)").fill(
        "Неисправность подтверждена, но наушники частично работают."
    )
    arbitrator.get_by_role("button", name="Вынести решение").click()
    expect(arbitrator.get_by_text("Решение вынесено.")).to_be_visible()
    screenshot(arbitrator, "disputes-decided-ru")

    # Both sides see the decision and the refund.
    buyer.goto(escalated_url)
    seller2 = new_page(browser, "ru-RU")
    log_in(seller2, server, "seller2")
    seller2.goto(escalated_url)
    for page in (buyer, seller2):
        expect(page.get_by_role("heading", name="Решение арбитра")).to_be_visible()
        expect(page.locator(".decision")).to_contain_text("частичный возврат")
        expect(page.locator(".decision")).to_contain_text("Неисправность подтверждена")
        expect(page.locator(".refund")).to_contain_text("1500,00 RUB")
    screenshot(buyer, "disputes-decision-buyer-ru")
    for page in (buyer, seller, arbitrator, seller2):
        page.context.close()
