"""``phonebank run``: the whole appliance in one process, on loopback.

:func:`run_appliance` renders and starts the pbx (and the simulated carrier when enabled),
the FastAGI server and the web app, then waits for a stop request (SIGINT/SIGTERM or the
``stop`` event) and tears everything down in reverse order, so no Asterisk is left behind.
Later layers (the engine, the demo) plug in as *plugins*: async context managers entered
once everything is up and exited first on the way down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field, replace
from typing import Any

import click
from aiohttp import web

from controller import appliance_lock
from controller.commands.common import AppContext, fail, json_option, pass_app
from controller.config import Settings
from controller.demo import CARRIER_OFF as DEMO_CARRIER_OFF
from controller.demo import banner as demo_banner
from controller.demo import demo_plugins, prepare_demo
from controller.store.db import Database
from controller.telephony.fastagi import FastAgiServer, HandoffHandler, PinHandler
from controller.telephony.render import RenderError, config_dir
from controller.telephony.runtime import PbxPair, RuntimeError_
from controller.telephony.webrtc_users import pbx_updater
from web.app import HEALTH_CHECKS, PHONES, init_app


@dataclass
class Appliance:
    """The running parts, handed to plugins."""

    settings: Settings
    db: Database
    pair: PbxPair
    fastagi: FastAgiServer | None
    app: web.Application
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://{self.settings.web.host}:{self.settings.web.port}/"


Plugin = Callable[[Appliance], AbstractAsyncContextManager[Any]]


def _pbx_health(pair: PbxPair) -> Callable[[], Any]:
    async def check() -> dict[str, Any]:
        states = {i.name: i.running for i in pair.instances}
        return {"ok": all(states.values()), "instances": states}

    return check


def _pjsip_reload(pair: PbxPair) -> Callable[[], Any]:
    async def reload() -> None:
        await asyncio.to_thread(pair.pbx.cli, "module reload res_pjsip.so")

    return reload


async def _start_pair(pair: PbxPair) -> None:
    await asyncio.get_running_loop().run_in_executor(None, pair.start)


async def run_appliance(
    settings: Settings,
    db: Database,
    *,
    handoff: HandoffHandler | None = None,
    check_pin: PinHandler | None = None,
    plugins: Sequence[Plugin] = (),
    on_ready: Callable[[Appliance], None] | None = None,
    stop: asyncio.Event | None = None,
    serve_fastagi: bool = True,
) -> None:
    """Start everything, call ``on_ready``, run until ``stop`` is set, then stop everything.

    ``serve_fastagi=False`` leaves the FastAGI port to a plugin that serves it itself (the
    engine); otherwise a server answers with ``handoff`` and ``check_pin`` (by default:
    nobody free, no PIN valid).
    """
    async with AsyncExitStack() as stack:
        pair = PbxPair(settings)
        stack.callback(pair.stop)
        await _start_pair(pair)
        fastagi = None
        if serve_fastagi:
            fastagi = FastAgiServer(port=settings.pbx.fastagi_port)
            if handoff is not None:
                fastagi.handoff = handoff
            if check_pin is not None:
                fastagi.check_pin = check_pin
            await stack.enter_async_context(fastagi)
        app = init_app(settings, db)
        app[HEALTH_CHECKS]["pbx"] = _pbx_health(pair)
        phones = app[PHONES]  # browser phones: accounts go into the pbx, reloaded on change
        phones.apply = pbx_updater(phones.accounts, config_dir(settings), _pjsip_reload(pair))
        await phones.apply()
        runner = web.AppRunner(app)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, settings.web.host, settings.web.port).start()
        appliance = Appliance(settings, db, pair, fastagi, app, stop or asyncio.Event())
        for plugin in plugins:
            await stack.enter_async_context(plugin(appliance))
        if on_ready is not None:
            on_ready(appliance)
        await appliance.stop.wait()


def _install_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


@click.command("run")
@click.option("--no-carrier", is_flag=True, help="Do not start the simulated phone network.")
@click.option(
    "--demo/--no-demo",
    default=True,
    help="Demo logins, a running demo bank and simulated volunteers (default on; only"
    " on the simulated network: --no-carrier or a trunk pointed elsewhere turns it off).",
)
@json_option
@pass_app
def run(ctx: AppContext, no_carrier: bool, demo: bool, as_json: bool) -> None:
    """Start the appliance: PBX, simulated carrier, FastAGI and web app, on loopback.

    Prints the web address once everything is up (with --json: a JSON object with the
    address and the ports). Stop with Ctrl-C or SIGTERM: every part is stopped cleanly
    and no Asterisk is left running. A second run on the same home is refused.
    """
    try:
        held = appliance_lock.acquire(ctx.settings.home)
    except appliance_lock.AlreadyRunning as exc:
        fail(exc.message, exc.code, as_json)
        return
    try:
        _serve(ctx, no_carrier, demo, as_json)
    finally:  # also when it could not start (fail() exits through here)
        appliance_lock.release(held)
    if not as_json:
        click.echo("Phonebank stopped.")


def _serve(ctx: AppContext, no_carrier: bool, demo: bool, as_json: bool) -> None:
    settings = ctx.settings
    if no_carrier:
        settings = replace(settings, carrier=replace(settings.carrier, enabled=False))
    shown = prepare_demo(settings, ctx.db) if demo else None
    if demo and shown is None:  # on stderr, so --json output stays one object
        click.echo(f"{DEMO_CARRIER_OFF} Run with --no-demo to say so.", err=True)

    def ready(appliance: Appliance) -> None:
        info = {
            "url": appliance.url,
            "pbx": {"ami_port": settings.pbx.ami_port, "sip_port": settings.pbx.sip_port},
            "carrier": settings.carrier.enabled,
            "home": str(settings.home),
        }
        if shown is not None:
            info["demo"] = {"bank_id": shown.bank_id, "logins": shown.logins}
        if as_json:
            click.echo(json.dumps(info, sort_keys=True), nl=True)
        else:
            click.echo(f"Phonebank is running at {appliance.url}  (Ctrl-C to stop)")
            if shown is not None:
                click.echo(demo_banner(shown, appliance.url))

    async def main() -> None:
        stop = asyncio.Event()
        _install_signals(stop)
        await run_appliance(
            settings, ctx.db, on_ready=ready, stop=stop, plugins=demo_plugins(shown),
            serve_fastagi=False,
        )  # fmt: skip

    try:
        asyncio.run(main())
    except (RenderError, RuntimeError_) as exc:
        fail(str(exc), exc.code, as_json)
    except OSError as exc:
        fail(f"cannot start: {exc}", "port_in_use", as_json)
    finally:
        with contextlib.suppress(Exception):
            ctx.db.close()


COMMANDS = [run]
