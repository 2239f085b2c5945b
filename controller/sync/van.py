"""NGP VAN (EveryAction) API v4 client: lookups, canvass responses, the echo check.

Authentication is HTTP Basic with the application name as user and ``apiKey|mode`` as
password (mode 0 = VoterFile, 1 = MyCampaign). Result-code, contact-type and input-type ids
are looked up by name once and cached (looked up again once when a name is missing, in case
it was just added in VAN). Only ``204 No Content`` counts as a recorded canvass response.
"""

from __future__ import annotations

import time
from typing import Any

import aiohttp

from controller.store.sync_settings import VanSettings
from controller.sync.backoff import parse_retry_after
from controller.sync.errors import SyncError

LOOKUPS = {
    "resultCodes": "resultCodeId",
    "contactTypes": "contactTypeId",
    "inputTypes": "inputTypeId",
}
NAME_KEYS = ("name", "mediumName", "shortName")


def van_error(status: int, body: Any, retry_after: float | None = None) -> SyncError:
    """A :class:`SyncError` from a VAN error response (``{"errors": [{code, text, ...}]}``)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else {}
    code = str(first.get("code") or f"http_{status}")
    text = str(first.get("text") or f"VAN answered HTTP {status}")
    props = first.get("properties")
    if props:
        text += f" (properties: {', '.join(str(p) for p in props)})"
    if first.get("referenceCode"):
        text += f" [reference {first['referenceCode']}]"
    retryable = status in (401, 403, 408, 429) or status >= 500
    return SyncError(code, text, retryable=retryable, status=status, retry_after=retry_after)


def canvass_body(payload: dict[str, Any], ids: dict[str, int | None]) -> dict[str, Any]:
    """The POST body for one outbox payload, given the resolved VAN ids."""
    context: dict[str, Any] = {
        "contactTypeId": ids["contactTypes"],
        "inputTypeId": ids["inputTypes"],
        "dateCanvassed": payload["dateCanvassed"],
    }
    if payload.get("phoneId"):
        context["phoneId"] = payload["phoneId"]
    responses = payload.get("responses")
    if responses and ids.get("resultCodes") is not None:
        raise SyncError(
            "result_and_responses",
            "a canvass response has a result code or responses, never both",
            retryable=False,
        )
    body: dict[str, Any] = {"canvassContext": context}
    if responses:
        body["responses"] = responses
    else:
        body["resultCodeId"] = ids["resultCodes"]
    return body


class VanClient:
    """One VAN account. Use ``async with VanClient(settings) as van: ...``."""

    def __init__(self, settings: VanSettings, timeout: float = 30.0) -> None:
        if not settings.configured:
            raise SyncError(
                "van_not_configured",
                "set the VAN application name and API key first (phonebank sync configure)",
                retryable=True,
            )
        self.settings = settings
        self.timeout = timeout
        self._auth = aiohttp.encode_basic_auth(
            settings.application_name, f"{settings.api_key}|{settings.mode}"
        )
        self._session: aiohttp.ClientSession | None = None
        self._cache: dict[str, dict[str, int]] = {}
        self._names: dict[str, list[str]] = {}

    async def __aenter__(self) -> VanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"Accept": "application/json", "Authorization": self._auth},
            )
        return self._session

    async def _request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = f"{self.settings.base_url}/{path.lstrip('/')}"
        try:
            async with self._client().request(method, url, json=body) as resp:
                text = await resp.text()
                data = await _json(resp, text)
                if resp.status >= 400:
                    wait = parse_retry_after(resp.headers.get("Retry-After"), time.time())
                    raise van_error(resp.status, data, wait)
                return resp.status, data
        except TimeoutError as exc:
            text = f"VAN did not answer in {self.timeout:g} s"
            raise SyncError("timeout", text, retryable=True, reached=method != "GET") from exc
        except aiohttp.ClientError as exc:
            sent = method != "GET" and not isinstance(exc, aiohttp.ClientConnectorError)
            text = f"cannot reach VAN: {exc}"
            raise SyncError("network", text, retryable=True, reached=sent) from exc

    async def echo(self, message: str = "phonebank") -> str:
        """Check the credentials: VAN echoes the message back (401 when they are wrong)."""
        _, data = await self._request("POST", "echoes", {"message": message})
        return str(data.get("message", "")) if isinstance(data, dict) else ""

    async def lookup(self, kind: str, refresh: bool = False) -> dict[str, int]:
        """Name (lower-cased; also medium and short names) -> id for one lookup list."""
        if refresh or kind not in self._cache:
            _, data = await self._request("GET", f"canvassResponses/{kind}")
            items = data.get("items", []) if isinstance(data, dict) else data or []
            table: dict[str, int] = {}
            for item in items:
                for key in NAME_KEYS:
                    if item.get(key):
                        table.setdefault(str(item[key]).lower(), int(item[LOOKUPS[kind]]))
            self._cache[kind] = table
            self._names[kind] = sorted({str(i["name"]) for i in items if i.get("name")})
        return self._cache[kind]

    async def names(self, kind: str) -> list[str]:
        """The names (as VAN spells them) in one lookup list, sorted."""
        await self.lookup(kind)
        return self._names.get(kind, [])

    async def resolve(self, kind: str, name: str | None) -> int | None:
        if not name:
            return None
        for refresh in (False, True):
            found = (await self.lookup(kind, refresh=refresh)).get(name.lower())
            if found is not None:
                return found
        label = {"resultCodes": "result code", "contactTypes": "contact type"}.get(
            kind, "input type"
        )
        raise SyncError(f"unknown_{kind}", f"VAN has no {label} named {name!r}", retryable=False)

    async def body_for(self, payload: dict[str, Any]) -> dict[str, Any]:
        ids = {
            "contactTypes": await self.resolve("contactTypes", payload.get("contactType")),
            "inputTypes": await self.resolve("inputTypes", payload.get("inputType")),
            "resultCodes": await self.resolve("resultCodes", payload.get("resultCode")),
        }
        return canvass_body(payload, ids)

    async def post_canvass_response(self, van_id: int, body: dict[str, Any]) -> None:
        status, _ = await self._request("POST", f"people/{int(van_id)}/canvassResponses", body)
        if status != 204:
            raise SyncError(
                "unexpected_status",
                f"VAN answered HTTP {status} instead of 204; not counted as sent",
                retryable=False,
                status=status,
                reached=True,
            )


async def _json(resp: aiohttp.ClientResponse, text: str) -> Any:
    if not text:
        return None
    try:
        return await resp.json(content_type=None)
    except ValueError:
        return {"errors": [{"code": f"http_{resp.status}", "text": text[:300]}]}


async def check_credentials(settings: VanSettings, timeout: float = 15.0) -> dict[str, Any]:
    """Echo plus the three lookups: what ``phonebank sync test`` reports."""
    async with VanClient(settings, timeout=timeout) as van:
        echoed = await van.echo("phonebank")
        counts = {kind: len(set((await van.lookup(kind)).values())) for kind in LOOKUPS}
        names = {kind: await van.names(kind) for kind in LOOKUPS}
    return {"echo": echoed, "lookups": counts, "names": names}


def describe_lookups(report: dict[str, Any]) -> list[str]:
    """One line per lookup list of a :func:`check_credentials` report: count and names."""
    labels = {
        "resultCodes": "Result codes",
        "contactTypes": "Contact types",
        "inputTypes": "Input types",
    }
    return [
        f"{labels[kind]} ({len(names)}): {', '.join(names) or '(none)'}"
        for kind, names in report["names"].items()
    ]
