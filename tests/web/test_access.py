"""Every route declares who may reach it, and admin routes refuse everyone else.

The walk covers the whole router as built by ``init_app``, so a page added later by any
module of ``web/views/`` is checked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from web_test_helpers import csrf_token, login

from web.access import ATTRIBUTE, Access, handler_access

Client = TestClient[Any, Any]
WALKED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def routes(app: web.Application, levels: set[Access]) -> list[tuple[str, str]]:
    found = []
    for route in app.router.routes():
        if isinstance(route.resource, web.StaticResource) or route.method not in WALKED_METHODS:
            continue
        if handler_access(route.handler) in levels:
            assert route.resource is not None
            path = re.sub(r"\{[^}]+\}", "1", route.resource.canonical)
            found.append((route.method, path))
    return found


async def send(client: Client, method: str, path: str, token: str | None) -> Any:
    headers = {"X-CSRF-Token": token} if token else {}
    return await client.request(method, path, headers=headers, allow_redirects=False)


def test_given_the_built_app_when_walking_every_route_then_each_declares_its_access(
    client: Client,
) -> None:
    undeclared = [
        f"{route.method} {route.resource.canonical if route.resource else '?'}"
        for route in client.app.router.routes()
        if not isinstance(route.resource, web.StaticResource)
        and route.method != "HEAD"
        and not hasattr(route.handler, ATTRIBUTE)
    ]
    assert undeclared == []
    assert routes(client.app, {Access.STAFF, Access.ADMIN}), "no admin route to walk"


async def test_given_an_anonymous_visitor_when_opening_any_admin_route_then_login_or_401(
    client: Client,
) -> None:
    for method, path in routes(client.app, {Access.STAFF, Access.ADMIN, Access.CALLER}):
        response = await send(client, method, path, None)
        if method == "GET" and not path.startswith("/api/"):
            assert response.status == 302, (method, path)
            assert response.headers["Location"].startswith("/login?next="), (method, path)
        else:
            assert response.status == 401, (method, path)
            if path.startswith("/api/"):  # a form post to a page gets the 401 page instead
                assert (await response.json())["error"] == "login_required"


async def test_given_a_volunteer_when_opening_any_admin_route_then_403(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("vera")
    await login(client, "vera")
    token = await csrf_token(client, "/phone")
    for method, path in routes(client.app, {Access.STAFF, Access.ADMIN}):
        response = await send(client, method, path, token)
        assert response.status == 403, (method, path)


async def test_given_a_manager_when_opening_admin_only_routes_then_403_but_staff_routes_open(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("maya", role="manager")
    await login(client, "maya")
    token = await csrf_token(client, "/admin")
    for method, path in routes(client.app, {Access.ADMIN}):
        assert (await send(client, method, path, token)).status == 403, (method, path)
    assert (await client.get("/admin")).status == 200


async def test_given_a_user_who_may_not_call_when_opening_the_phone_then_403(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("otto", can_make_calls=False)
    await login(client, "otto")
    for path in ("/phone", "/api/phone/credentials"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path
    assert (await client.get("/account")).status == 200
