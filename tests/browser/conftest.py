"""A real server and a real browser: uvicorn in a thread on the test database, Chromium headless.

Run as its own pytest session (`-p no:asyncio`), since sync Playwright and pytest-asyncio
cannot share one; the Makefile does this.
"""

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from channels.layers import channel_layers
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
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


def off_the_browser_thread(function: Callable[[], object]) -> None:
    """Run on a thread of its own: sync Playwright keeps an event loop on this one, where
    Django's services could not publish their events (``async_to_sync`` refuses there)."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            function()
        except BaseException as failure:  # re-raised on the test's thread
            failures.append(failure)
        finally:
            connections.close_all()  # this thread's connections go back to the pool

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]


@pytest.fixture
def server(transactional_db) -> Iterator[str]:
    """Serve the ASGI app on a free port; the demo marketplace is loaded first.

    Each server starts from an empty cache and channel layer, with a layer object of its own:
    groups, presence counts and queued events of an earlier server (or an earlier run sharing
    the Redis database) must not reach this one.
    """
    cache.clear()
    channel_layers.backends.clear()
    off_the_browser_thread(
        lambda: call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    )
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
