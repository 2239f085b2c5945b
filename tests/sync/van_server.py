"""A local HTTP server following NGP VAN's published API v4 contract, for tests.

Implements what Phonebank uses: ``POST /v4/echoes``, the canvass-response lookups
(``GET /v4/canvassResponses/{resultCodes,contactTypes,inputTypes}``) and
``POST /v4/people/{vanId}/canvassResponses`` (204 on success). Authentication is HTTP Basic:
user = application name, password = ``apiKey|mode`` (mode 0 or 1). Errors use VAN's body
``{"errors": [{"code", "text", "properties", "referenceCode"}]}``.

Faults are planned per upcoming canvass-response POST with :meth:`VanServer.plan`:
``("status", 429, {"Retry-After": "1"})``, ``("status", 503)``, ``("stall", seconds)`` (answer
late and record nothing), ``("accept_and_hang", seconds)`` (record the response, then hold the
204 back: a client dying now never learns VAN has it), ``("ok",)`` (answer normally).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

APP_NAME = "phonebank-test"
API_KEY = "test-key-0000"
RESULT_CODES = [
    {"resultCodeId": 1, "name": "Not Home", "mediumName": "NH", "shortName": "NH"},
    {"resultCodeId": 2, "name": "Refused", "mediumName": "Ref", "shortName": "R"},
    {"resultCodeId": 4, "name": "Deceased", "mediumName": "Dec", "shortName": "D"},
    {"resultCodeId": 5, "name": "Moved", "mediumName": "Mov", "shortName": "M"},
    {"resultCodeId": 20, "name": "Wrong Number", "mediumName": "WN", "shortName": "WN"},
    {"resultCodeId": 23, "name": "Other Language", "mediumName": "Lang", "shortName": "OL"},
    {"resultCodeId": 14, "name": "Canvassed", "mediumName": "Canv", "shortName": "C"},
]
CONTACT_TYPES = [
    {"contactTypeId": 1, "name": "Phone", "channelTypeName": "Phone"},
    {"contactTypeId": 19, "name": "Auto Dial", "channelTypeName": "Phone"},
    {"contactTypeId": 2, "name": "Walk", "channelTypeName": "Walk"},
]
INPUT_TYPES = [{"inputTypeId": 11, "name": "API"}, {"inputTypeId": 4, "name": "Phone"}]
LOOKUPS: dict[str, list[dict[str, Any]]] = {
    "resultCodes": RESULT_CODES,
    "contactTypes": CONTACT_TYPES,
    "inputTypes": INPUT_TYPES,
}


@dataclass
class Accepted:
    van_id: int
    body: dict[str, Any]


@dataclass
class VanServer:
    app_name: str = APP_NAME
    api_key: str = API_KEY
    people: set[int] | None = None  # None: every positive VanID exists
    accepted: list[Accepted] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, status
    planned: list[tuple[Any, ...]] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _accepted_event: asyncio.Event = field(default_factory=asyncio.Event)
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def plan(self, *faults: tuple[Any, ...]) -> None:
        self.planned.extend(faults)

    def posts_for(self, van_id: int) -> list[dict[str, Any]]:
        return [a.body for a in self.accepted if a.van_id == van_id]

    async def wait_accepted(self, count: int) -> None:
        while len(self.accepted) < count:
            self._accepted_event.clear()
            await self._accepted_event.wait()

    async def __aenter__(self) -> VanServer:
        app = web.Application(middlewares=[self._log_middleware])
        app.router.add_post("/v4/echoes", self._echo)
        app.router.add_get("/v4/canvassResponses/{kind}", self._lookup)
        app.router.add_post("/v4/people/{van_id}/canvassResponses", self._canvass)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/v4"
        return self

    def release(self) -> None:
        """Let held-back answers (``accept_and_hang``) go now."""
        self._release.set()

    async def __aexit__(self, *exc: object) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _log_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not self._authorized(request):
            resp: web.StreamResponse = error(401, "UNAUTHORIZED", "Authorization has been denied.")
        else:
            resp = await handler(request)
        self.requests.append((request.method, request.path, resp.status))
        return resp

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        key, _, mode = password.rpartition("|")
        return user == self.app_name and key == self.api_key and mode in ("0", "1")

    async def _echo(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"message": body.get("message")})

    async def _lookup(self, request: web.Request) -> web.Response:
        items = LOOKUPS.get(request.match_info["kind"])
        if items is None:
            return error(404, "NOT_FOUND", "Resource not found.")
        return web.json_response(items)

    async def _canvass(self, request: web.Request) -> web.Response:
        fault = self.planned.pop(0) if self.planned else None
        if fault and fault[0] == "status":
            headers = fault[2] if len(fault) > 2 else {}
            return error(fault[1], "SERVER_FAULT", f"planned HTTP {fault[1]}", headers=headers)
        if fault and fault[0] == "stall":
            await asyncio.sleep(fault[1])
            return error(503, "TIMEOUT", "stalled")
        van_id = int(request.match_info["van_id"]) if request.match_info["van_id"].isdigit() else 0
        if van_id <= 0 or (self.people is not None and van_id not in self.people):
            return error(404, "NOT_FOUND", "The specified person does not exist.")
        body = await request.json()
        problem = validate_canvass(body)
        if problem:
            return error(400, "INVALID_PARAMETER", problem[1], properties=[problem[0]])
        self.accepted.append(Accepted(van_id, body))
        self._accepted_event.set()
        if fault and fault[0] == "accept_and_hang":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), fault[1])
        return web.Response(status=204)


def _ids(kind: str) -> set[int]:
    key = {"resultCodes": "resultCodeId", "contactTypes": "contactTypeId"}.get(kind, "inputTypeId")
    return {int(item[key]) for item in LOOKUPS[kind]}


def validate_canvass(body: dict[str, Any]) -> tuple[str, str] | None:
    """(property, text) of the first contract violation in a canvass-response body."""
    context = body.get("canvassContext") or {}
    code, responses = body.get("resultCodeId"), body.get("responses")
    if code is not None and responses:
        return "resultCodeId", "resultCodeId must be null when responses are specified."
    if code is None and not responses:
        return "responses", "Either resultCodeId or responses must be specified."
    if code is not None and code not in _ids("resultCodes"):
        return "resultCodeId", f"'{code}' is not a valid resultCodeId."
    if context.get("contactTypeId") not in (None, *_ids("contactTypes")):
        return "canvassContext.contactTypeId", "Invalid contactTypeId."
    if context.get("inputTypeId") not in (None, *_ids("inputTypes")):
        return "canvassContext.inputTypeId", "Invalid inputTypeId."
    if context.get("dateCanvassed"):
        try:
            datetime.fromisoformat(str(context["dateCanvassed"]).replace("Z", "+00:00"))
        except ValueError:
            return "canvassContext.dateCanvassed", "dateCanvassed is not a valid date."
    for item in responses or []:
        if item.get("type") not in ("SurveyResponse", "ActivistCode", "VolunteerActivity"):
            return "responses", f"Unknown response type {item.get('type')!r}."
    return None


def error(
    status: int,
    code: str,
    text: str,
    properties: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    item = {"code": code, "text": text, "properties": properties or [], "referenceCode": ""}
    item["referenceCode"] = uuid.uuid4().hex[:8].upper()
    return web.json_response({"errors": [item]}, status=status, headers=headers)
