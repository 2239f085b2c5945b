"""Call bridged -> contact shown on the volunteer's call screen, on the real PBX.

Starts an isolated pbx + simulated carrier pair, the engine and the web app, and a power
bank worked by several simulated volunteers (lines in their rooms that talk, hang up and
file outcomes). Each volunteer also has the call screen open in a real Chromium page
(signed in as them) and, side by side on the same calls, a bare websocket client.

Per connected call: from the moment the callee joins the volunteer's room (the engine
publishes the call's hangtime on its bus) to

- the contact drawn on the page (Chromium, ``Date.now()`` after the contact is rendered);
- the call screen's state message received by a bare websocket client (baseline: the
  server's part alone, no browser).

    .venv/bin/python bench/screen_latency.py [--calls 100] [--volunteers 5]

Goal: page p95 <= 0.150 s.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path
from statistics import quantiles
from typing import Any

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hangtime import AT, CONFIG, PERSONA, isolated_settings, make_bank

from controller.engine import plugin
from controller.engine.engine import Engine
from controller.engine.simvol import SimProfile, SimulatedVolunteers
from controller.store import banks
from controller.store import users as user_store
from controller.store.db import Database, open_database
from controller.telephony.carrier import Carrier
from controller.telephony.runtime import PbxPair
from web.app import init_app

PASSWORD = "bench volunteer password"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-sync"]  # fmt: skip


def pct(values: list[float]) -> str:
    if len(values) < 2:
        return "   n/a /    n/a"
    q = quantiles(values, n=100, method="inclusive")
    return f"{q[49]:6.3f} / {q[94]:6.3f}"


async def sign_in(client: aiohttp.ClientSession, base: str, username: str) -> None:
    html = await (await client.get(f"{base}/login")).text()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert token is not None
    form = {"username": username, "password": PASSWORD, "_csrf": token.group(1), "next": "/"}
    await client.post(f"{base}/login", data=form)


async def bare_client(base: str, username: str, seen: dict[str, float]) -> None:
    """A websocket client that stamps the first state message carrying each call's contact."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        await sign_in(client, base, username)
        async with client.ws_connect(base.replace("http", "ws") + "/api/call/ws") as ws:
            async for msg in ws:
                body = msg.json()
                call = body.get("live", {}).get("call")
                if call and body.get("contact"):
                    seen.setdefault(call["call_id"], time.time())


async def open_page(browser: Browser, base: str, username: str) -> Any:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/login?next=/call")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}/call")
    return page


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


def numbers_of(db: Database, bank_id: int) -> list[str]:
    with db.read() as conn:
        list_id = banks.get(conn, bank_id).settings.list_id
        return [r[0] for r in conn.execute(
            "SELECT p.e164 FROM phones p JOIN contacts c ON c.id = p.contact_id"
            " WHERE c.list_id = ?", (list_id,))]  # fmt: skip


async def run(settings: Any, db: Database, calls: int, volunteers: int) -> dict[str, list[float]]:
    engine = Engine(settings, db, CONFIG, clock_offset=AT.timestamp() - time.time())
    bridged: dict[str, float] = {}
    engine.bus.listen(
        lambda m: (
            bridged.setdefault(m["call_id"], time.time()) if m["topic"] == "hangtime" else None
        )
    )
    app = init_app(settings, db)
    runner, base = await serve(app)
    bank_id = make_bank(db, int(calls * 1.3) + volunteers, "power")
    ids = [
        int(user_store.create_user(db, username=f"bench{i}", password=PASSWORD)["id"])
        for i in range(volunteers)
    ]
    seen: dict[str, float] = {}
    async with Carrier(settings) as carrier, async_playwright() as pw:
        await carrier.set_personas({n: PERSONA for n in numbers_of(db, bank_id)})
        await engine.start()
        plugin._RUNNING[id(app)] = engine
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        pages = [await open_page(browser, base, f"bench{i}") for i in range(volunteers)]
        bare = [
            asyncio.ensure_future(bare_client(base, f"bench{i}", seen)) for i in range(volunteers)
        ]
        await asyncio.sleep(1.0)  # every page and client listens before the first call
        sims = SimulatedVolunteers(engine, SimProfile(talk=(0.5, 1.5), wrap=(0.1, 0.3)))
        for vid in ids:
            await sims.add(bank_id, vid)
        start = len(bridged)
        deadline = time.monotonic() + 60 + calls * 8 / volunteers
        while len(bridged) - start < calls and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
        shown: dict[str, float] = {}
        for page in pages:
            stamps = await page.evaluate("() => window.phonebankCallscreen.shownAt")
            shown.update({k: v / 1000.0 for k, v in stamps.items()})
        for task in bare:
            task.cancel()
        engine.stop_bank(bank_id, hard=True)
        await engine.wait_stopped(bank_id, 60)
        await sims.close()
        await browser.close()
        await engine.close()
    await runner.cleanup()
    return {
        "page": [shown[c] - t for c, t in bridged.items() if c in shown],
        "bare": [seen[c] - t for c, t in bridged.items() if c in seen],
        "bridged": [float(len(bridged))],
    }


async def main(calls: int, volunteers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = isolated_settings(Path(tmp) / "home")
        db = open_database(settings.db_path)
        pair = PbxPair(settings)
        pair.start()
        try:
            data = await run(settings, db, calls, volunteers)
        finally:
            pair.stop()
            db.close()
    bridged = int(data["bridged"][0])
    print(f"\nCall bridged -> contact on the call screen, real PBX, power bank, persona {PERSONA},"
          f" {volunteers} volunteers, {bridged} calls bridged; seconds p50 / p95")  # fmt: skip
    print(f"{'measure':<44} {'n':>4}   p50 / p95")
    print(f"{'baseline: bare ws client, server process':<44} {len(data['bare']):>4}   "
          f"{pct(data['bare'])}")  # fmt: skip
    print(f"{'contact drawn in Chromium':<44} {len(data['page']):>4}   {pct(data['page'])}")
    print("goal: contact drawn p95 <= 0.150 s")


def _args(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="bridged calls to measure")
    parser.add_argument("--volunteers", type=int, default=5, help="volunteers (pages)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _args()
    asyncio.run(main(args.calls, args.volunteers))
