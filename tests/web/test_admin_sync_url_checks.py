"""CRM sync page: a base URL with no host or with a space in it is refused with a message
that says so (capitalised like the other admin pages), and nothing is saved."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from test_admin_sync_checks import admin_token

from controller.store.db import Database
from controller.store.sync_checks import SyncConfigError
from controller.store.sync_settings import get_van_settings, save_webhook_settings

Client = TestClient[Any, Any]
REFUSED = [
    ("https://", "The base URL has no host: give it like https://api.example.org (got 'https://')."),
    ("https://exa mple.com", "The base URL has a space or a host name with a character it"
     " cannot have: 'https://exa mple.com'."),
    ("https://van.example.org:port/v4", "The base URL has a port that is not a number"),
    ("https://van.example.org:99999/v4", "The base URL has a port that is out of range"),
    ("https://van.example.org:0/v4", "The base URL has a port that is out of range"),
    ("ftp://x", "The base URL must start with https:// (got 'ftp://x')."),
]  # fmt: skip


async def test_given_a_base_url_without_host_or_with_a_space_when_saved_then_told_and_nothing_changes(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin_token(client, make_user)
    for url, message in REFUSED:
        form = {"_csrf": token, "application_name": "acme", "base_url": url}
        refused = await client.post("/admin/sync/settings", data=form)
        assert refused.status == 400 and message in html.unescape(await refused.text()), url
    mode = await client.post("/admin/sync/settings", data={"_csrf": token, "mode": "7"})
    assert "Mode must be 0 (VoterFile) or 1 (MyCampaign)." in html.unescape(await mode.text())
    with db.read() as conn:
        van = get_van_settings(conn)
    assert (van.application_name, van.base_url) == ("", "https://api.securevan.com/v4")
    good = {"_csrf": token, "application_name": "acme", "base_url": "https://api.example.org/"}
    assert (await client.post("/admin/sync/settings", data=good)).status == 200
    with db.read() as conn:
        assert get_van_settings(conn).base_url == "https://api.example.org"


@pytest.mark.parametrize("url", ["https://", "https://hooks.exa mple.com/x", "https://a..b/x"])
def test_given_a_webhook_url_without_a_usable_host_when_saved_then_refused(
    db: Database, url: str
) -> None:
    with pytest.raises(SyncConfigError) as refused, db.write() as conn:
        save_webhook_settings(conn, url)
    assert refused.value.code == "bad_url" and "the webhook URL has" in refused.value.message
