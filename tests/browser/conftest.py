"""Browser test harness: the real app on a real TCP port, driven by the real Chromium.

- ``live_server``: the aiohttp app (``init_app``) served by ``AppRunner``/``TCPSite`` on a
  free loopback port, in a thread with its own event loop, over the suite's real SQLite
  file (``db`` fixture). ``live_server.call(coro)`` runs a coroutine on the server's loop.
- ``browser_context``: Chromium (``/usr/bin/chromium``, never a downloaded build) launched
  by Playwright with a fresh profile directory and a fake microphone that is granted.
- ``page``: a page in that context; ``shoot(page, name)`` saves screenshots at a 390 px
  phone width and a desktop width under ``tests/artifacts/<test>/``.
- ``make_user``: creates an account in the store.
- ``pbx_pair``: the real pbx + carrier pair, shared from ``tests/asterisk/conftest.py``.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asterisk.conftest import pbx_pair  # noqa: F401 - the shared real-PBX fixture
from browser_harness import LiveServer
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from controller.config import Settings
from controller.store import users as user_store
from controller.store.db import Database
from web.app import init_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session", autouse=True)
def web_bundle() -> Path:
    """The JsSIP bundle the phone page loads, built by its provisioning step if missing."""
    bundle = ROOT / "web" / "static" / "vendor" / "jssip.min.js"
    if not bundle.exists():
        step = ROOT / "provisioning" / "steps" / "50-web-bundle.sh"
        subprocess.run(["bash", str(step)], check=True, cwd=ROOT)
    assert bundle.stat().st_size > 100_000, "JsSIP bundle is missing or truncated"
    return bundle


@pytest.fixture
def live_server(settings: Settings, db: Database) -> Iterator[LiveServer]:
    server = LiveServer(init_app(settings, db))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def playwright() -> Iterator[Playwright]:
    """Per test: sync Playwright runs an event loop in this thread while it is open, which
    must not outlive the test (the async tests that follow need the thread's loop free)."""
    with sync_playwright() as pw:
        yield pw


def launch(playwright: Playwright, profile: Path, args: list[str]) -> BrowserContext:
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=args,
        viewport=DESKTOP_VIEWPORT,
    )


@pytest.fixture
def browser_context(playwright: Playwright, tmp_path: Path) -> Iterator[BrowserContext]:
    context = launch(playwright, tmp_path / "chromium-profile", CHROMIUM_ARGS)
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def blocked_mic_context(playwright: Playwright, tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium whose permission prompts are denied: the microphone is blocked."""
    args = [a for a in CHROMIUM_ARGS if a != "--use-fake-ui-for-media-stream"]
    context = launch(
        playwright, tmp_path / "chromium-blocked", [*args, "--deny-permission-prompts"]
    )
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Page:
    return browser_context.pages[0] if browser_context.pages else browser_context.new_page()


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Callable[[Page, str], list[Path]]:
    """Save the page at phone and desktop widths; return the files written."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]", "_", request.node.name)

    def take(page: Page, name: str) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size or DESKTOP_VIEWPORT
        paths = []
        for label, size in (("390", PHONE_VIEWPORT), ("desktop", DESKTOP_VIEWPORT)):
            page.set_viewport_size(size)
            path = folder / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        page.set_viewport_size({"width": original["width"], "height": original["height"]})
        return paths

    return take


@pytest.fixture
def make_user(db: Database) -> Callable[..., int]:
    def create(username: str, password: str, role: str = "volunteer", **extra: Any) -> int:
        user = user_store.create_user(db, username=username, password=password, role=role, **extra)
        return int(user["id"])

    return create
