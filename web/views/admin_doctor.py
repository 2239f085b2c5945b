"""System check (admins): the checks of ``phonebank doctor`` on a page.

The Asterisk runtime and prompts, the settings, then either (the appliance is running)
the AMI login and the trunk's reachability, or (it is not) that the configured ports are
free. The checks run in a worker thread: the PBX runtime check starts a process.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from controller.commands.doctor import Check, diagnose
from controller.config import Settings
from web.access import Access, access
from web.keys import SETTINGS
from web.render import render


def _run(settings: Settings) -> list[Check]:
    return asyncio.run(diagnose(settings))


@access(Access.ADMIN)
async def doctor_page(request: web.Request) -> web.StreamResponse:
    checks = await asyncio.get_running_loop().run_in_executor(None, _run, request.app[SETTINGS])
    failed = sum(1 for c in checks if not c.ok)
    context = {"checks": checks, "failed": failed, "error": "", "notice": ""}
    return render(request, "admin/doctor.html", context)


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/doctor", doctor_page)
