"""The engine as a plug-in of the appliance process (``phonebank run``).

``engine_plugin(appliance)`` starts an :class:`Engine` on the appliance's settings and
database once the PBX and the web app are up (the engine serves the FastAGI port itself),
adds an ``engine`` entry to the ``/health`` checks, makes it reachable from request
handlers through :func:`engine_of` (``engine_of(request.app)``), and closes it first on the
way down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from aiohttp import web

from controller.engine.engine import Engine
from web.app import HEALTH_CHECKS

if TYPE_CHECKING:
    from controller.commands.run import Appliance

_RUNNING: dict[int, Engine] = {}


def engine_of(app: web.Application) -> Engine | None:
    """The engine running beside this web app (None when there is none)."""
    return _RUNNING.get(id(app))


def _health(engine: Engine) -> Any:
    async def check() -> dict[str, Any]:
        modes = {str(bank_id): r.mode for bank_id, r in engine.runners.items()}
        return {"ok": engine.ami.connected, "banks": modes}

    return check


def engine_plugin(appliance: Appliance) -> AbstractAsyncContextManager[Engine]:
    return engine_plugin_at(0.0)(appliance)


def engine_plugin_at(clock_offset: float) -> Callable[[Appliance], Any]:
    """The engine plug-in with its clock shifted by ``clock_offset`` seconds (the demo)."""
    return lambda appliance: _engine(appliance, clock_offset)


@asynccontextmanager
async def _engine(appliance: Appliance, clock_offset: float) -> AsyncIterator[Engine]:
    engine = Engine(appliance.settings, appliance.db, clock_offset=clock_offset)
    await engine.start()
    _RUNNING[id(appliance.app)] = engine
    appliance.app[HEALTH_CHECKS]["engine"] = _health(engine)
    try:
        yield engine
    finally:
        _RUNNING.pop(id(appliance.app), None)
        await engine.close()
