"""Who may reach which route.

Every handler declares its audience with ``@access(...)``:

- ``PUBLIC``: anyone (login page, health, static files).
- ``USER``: any signed-in user.
- ``CALLER``: a signed-in user allowed to make calls (the volunteer screens and phone).
- ``STAFF``: admins and managers (the admin pages and API).
- ``ADMIN``: admins only.

A handler without a declaration is treated as ``ADMIN`` (deny by default). Anonymous
visitors are sent to the login page (pages) or get ``401`` JSON (``/api/...``); signed-in
users without the role get ``403``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar

from aiohttp import web

from web.identity import CurrentUser

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Callable[..., Any])
ATTRIBUTE = "__phonebank_access__"
USER_KEY = web.RequestKey("phonebank_user", CurrentUser)


class Access(Enum):
    PUBLIC = "public"
    USER = "user"
    CALLER = "caller"
    STAFF = "staff"
    ADMIN = "admin"


def access(level: Access) -> Callable[[H], H]:
    """Declare who may call the decorated handler."""

    def mark(handler: H) -> H:
        setattr(handler, ATTRIBUTE, level)
        return handler

    return mark


def route_access(request: web.Request) -> Access:
    """The declared access of the matched route (static files are public)."""
    route = request.match_info.route
    if isinstance(route.resource, web.StaticResource):
        return Access.PUBLIC
    if request.match_info.http_exception is not None:
        return Access.PUBLIC  # 404/405 pages: nothing to protect
    return handler_access(route.handler)


def handler_access(handler: Any) -> Access:
    level = getattr(handler, ATTRIBUTE, None)
    return level if isinstance(level, Access) else Access.ADMIN


def allowed(level: Access, user: CurrentUser | None) -> bool:
    if level is Access.PUBLIC:
        return True
    if user is None:
        return False
    if level is Access.USER:
        return True
    if level is Access.CALLER:
        return user.can_make_calls
    if level is Access.STAFF:
        return user.role in ("admin", "manager")
    return user.role == "admin"


def current_user(request: web.Request) -> CurrentUser | None:
    return request.get(USER_KEY)


def is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
