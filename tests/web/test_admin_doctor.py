"""System check page: the checks of ``phonebank doctor``, for admins only."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin
from web_test_helpers import login

from controller.commands.doctor import diagnose
from controller.config import Settings

Client = TestClient[Any, Any]
ROW = re.compile(r'<tr data-ok="(yes|no)">.*?</td>\s*<td>(.*?)</td><td>(.*?)</td></tr>', re.S)


async def test_given_an_admin_when_opening_the_system_check_then_each_doctor_check_shows(
    client: Client, make_user: Callable[..., int], settings: Settings
) -> None:
    await admin(client, make_user)
    page = await (await client.get("/admin/doctor")).text()
    rows = [(html.unescape(name), ok == "yes") for ok, name, _ in ROW.findall(page)]
    expected = [(c.name, c.ok) for c in await diagnose(settings)]
    assert rows == expected and [name for name, _ in rows][:3] == [
        "asterisk runtime", "prompts", "settings"]  # fmt: skip
    failed = sum(1 for _, ok in expected if not ok)
    summary = "Every check passed." if failed == 0 else f"{failed} check"
    assert summary in page


async def test_given_a_manager_a_volunteer_or_a_visitor_when_opening_the_system_check_then_refused(
    client: Client, make_user: Callable[..., int]
) -> None:
    assert (await client.get("/admin/doctor", allow_redirects=False)).status == 302
    for who, role in (("vol", "volunteer"), ("mgr", "manager")):
        make_user(who, role=role)
        await login(client, who)
        assert (await client.get("/admin/doctor", allow_redirects=False)).status == 403, role
