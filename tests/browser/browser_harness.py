"""Browser test helpers: the app on a real socket, and polling the page under its CSP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from aiohttp import web
from playwright.sync_api import Page

T = TypeVar("T")


class LiveServer:
    """The app on a real socket, in its own thread and event loop."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner = web.AppRunner(app)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def start(self) -> None:
        self.thread.start()
        self.call(self._start())

    async def _start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    def stop(self) -> None:
        self.call(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def wait_until(page: Page, function: str, timeout: float = 20.0) -> Any:
    """Poll ``function`` (JS, e.g. ``() => x > 1``) until it returns a truthy value.

    ``page.wait_for_function`` evaluates strings with ``eval``, which the app's CSP forbids;
    ``page.evaluate`` of a function does not, so poll with that.
    """
    waited = 0.0
    while True:
        value = page.evaluate(function)
        if value:
            return value
        if waited >= timeout:
            raise AssertionError(f"still false after {timeout} s: {function}")
        page.wait_for_timeout(100)
        waited += 0.1
