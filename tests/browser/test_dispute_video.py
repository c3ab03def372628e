"""Video evidence in a real browser: the buyer attaches a WebM to a new dispute and the page
plays it from the access-checked download."""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import log_in, new_page, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/ffmpeg").exists(), reason="Debian's ffmpeg is needed"),
]


def test_the_buyer_attaches_a_video_and_the_page_plays_it(server, browser, tmp_path):
    video = tmp_path / "скол.webm"
    subprocess.run(
        ["/usr/bin/ffmpeg", "-v", "error", "-f", "lavfi", "-i",
         "testsrc=duration=1:size=64x64:rate=5", "-c:v", "libvpx", str(video)],
        check=True, timeout=60,
    )  # fmt: skip
    buyer = new_page(browser, "ru-RU")
    log_in(buyer, server, "buyer")
    buyer.goto(f"{server}/orders/PD-1003/dispute/")
    buyer.get_by_role("radio", name="повреждён").check()
    buyer.get_by_label("Опишите проблему").fill("На видео видно скол.")
    buyer.get_by_label("Сумма возврата (RUB)").fill("500")
    buyer.get_by_label("Видео", exact=True).set_input_files(str(video))
    buyer.get_by_role("button", name="Отправить").click()
    expect(buyer.get_by_role("heading", name=re.compile(r"Спор №\d+"))).to_be_visible()
    player = buyer.locator(".evidence-video video")
    expect(player).to_be_visible()
    buyer.wait_for_function(
        "document.querySelector('.evidence-video video').readyState >= 1", timeout=10000
    )
    assert player.evaluate("v => v.videoWidth") == 64
    screenshot(buyer, "disputes-video-ru")
