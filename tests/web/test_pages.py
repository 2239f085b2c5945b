"""Pages: security headers, escaping, cache-busted static files, health."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from web_test_helpers import login

Client = TestClient[Any, Any]


async def test_given_any_page_when_served_then_it_carries_the_hardening_headers(
    client: Client,
) -> None:
    response = await client.get("/login")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


async def test_given_the_layout_when_rendered_then_no_inline_script_and_versioned_assets(
    client: Client,
) -> None:
    html = await (await client.get("/login")).text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert 'name="viewport"' in html
    match = re.search(r'href="(/static/css/app\.css\?v=[^"]+)"', html)
    assert match, "stylesheet is not cache-busted"
    asset = await client.get(match.group(1))
    assert asset.status == 200
    assert "immutable" in asset.headers["Cache-Control"]
    assert "Set-Cookie" not in asset.headers


async def test_given_a_name_with_markup_when_shown_then_it_is_escaped(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("mal", display_name="<script>alert(1)</script>")
    await login(client, "mal")
    html = await (await client.get("/phone")).text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_given_the_health_page_when_anonymous_then_it_answers(client: Client) -> None:
    response = await client.get("/health")
    assert response.status == 200
    body = await response.json()
    assert body["ok"] is True
    assert all(c == {"ok": True} for c in body["components"].values())  # no details


async def test_given_an_unknown_path_when_requested_then_404_not_a_login_redirect(
    client: Client,
) -> None:
    response = await client.get("/no/such/page", allow_redirects=False)
    assert response.status == 404
