"""A real server and a real browser: uvicorn in a thread on the test database, Chromium headless.

Run as its own pytest session (`-p no:asyncio`), since sync Playwright and pytest-asyncio
cannot share one; the Makefile does this.
"""

import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from django.core.management import call_command
from playwright.sync_api import Browser, Page, sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
ARTIFACTS = os.environ.get("BROWSER_ARTIFACTS", "test-artifacts")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(transactional_db) -> Iterator[str]:
    """Serve the ASGI app on a free port; the demo marketplace is loaded first."""
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from parley.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        ws="websockets-sansio",
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def new_page(browser: Browser, locale: str = "ru-RU") -> Page:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def log_in(page: Page, base: str, username: str, password: str = "parley-demo") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label({"ru": "Имя пользователя", "en": "Username"}[_lang(page)]).fill(username)
    page.get_by_label({"ru": "Пароль", "en": "Password"}[_lang(page)]).fill(password)
    page.get_by_role("button", name={"ru": "Войти", "en": "Log in"}[_lang(page)]).click()
    page.wait_for_load_state()


def _lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or "ru"


def screenshot(page: Page, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)
