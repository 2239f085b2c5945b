"""Jinja2 pages: one autoescaping environment, cache-busted static URLs, CSRF in context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from web.access import current_user
from web.keys import JINJA, SESSION_KEY

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_ROUTE = "static"


def make_environment(app: web.Application) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )

    def static(path: str) -> str:
        resource = app.router[STATIC_ROUTE]
        assert isinstance(resource, web.StaticResource)
        return str(resource.url_for(filename=path, append_version=True))

    env.globals["static"] = static
    return env


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    """Render ``template`` with the current user and CSRF token available to it."""
    session = request.get(SESSION_KEY)
    values: dict[str, Any] = {
        "user": current_user(request),
        "csrf_token": session.csrf if session is not None else "",
        "request_path": request.path,
    }
    values.update(context or {})
    body = request.app[JINJA].get_template(template).render(values)
    response = web.Response(text=body, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
