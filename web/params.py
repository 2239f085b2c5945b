"""Ids and offsets read from URLs and forms: one strict parse, one clear refusal."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from controller.ids import ID_MAX, parse_id

__all__ = ["ID_MAX", "id_or_404", "int_or_400", "json_object", "parse_id", "refuse_json"]


def id_or_404(text: object) -> int:
    """An id from a URL: a number the store can hold, or 404 Not Found (no such thing)."""
    value = parse_id(text)
    if value is None:
        raise web.HTTPNotFound()
    return value


def int_or_400(text: object, what: str, *, maximum: int = ID_MAX) -> int:
    """A number from a form or query string, or 400 saying which box is wrong."""
    value = parse_id(text, maximum=maximum)
    if value is None:
        raise web.HTTPBadRequest(text=f"{what} must be a whole number (0 to {maximum}).")
    return value


def refuse_json(code: str, message: str) -> web.HTTPBadRequest:
    """A 400 for the JSON routes: ``{"error": code, "message": message}``."""
    body = json.dumps({"error": code, "message": message})
    return web.HTTPBadRequest(text=body, content_type="application/json")


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or 400 in words (not JSON, or not an object)."""
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
        body = None
    if not isinstance(body, dict):
        raise refuse_json("bad_json", "The request is not a JSON object.")
    return body
