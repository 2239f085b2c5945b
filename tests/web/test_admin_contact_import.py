"""Uploading a contacts CSV on the web: a quote left open is refused, results read naturally."""

from __future__ import annotations

import html
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from test_admin_pages import admin
from web_test_helpers import run_import

from controller.store import contact_import
from controller.store.db import Database
from web.views.admin_contacts import (
    ABANDONED_AFTER,
    ImportJob,
    forget_abandoned,
    forget_old_jobs,
)

Client = TestClient[Any, Any]


def quote_csv(closed: bool) -> bytes:
    lines = ["FirstName,LastName,CellPhone"]
    lines += [f"P{i},X,617-555-020{i}" for i in range(5)]
    lines += ['Bad,"Two\nLines",617-555-0300' if closed else 'Bad,"Quote,617-555-0300']
    lines += [f"Q{i},Y,617-555-040{i}" for i in range(5)]
    return ("\n".join(lines) + "\n").encode()


async def upload(client: Client, token: str, data: bytes) -> tuple[str, str]:
    """(upload token, the mapping page's text) for ``data`` uploaded as list "Web"."""
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("list", "Web")
    form.add_field("file", data, filename="list.csv", content_type="text/csv")
    uploaded = await client.post("/admin/contacts/upload", data=form, allow_redirects=False)
    assert uploaded.status == 303
    location = uploaded.headers["Location"]
    page = html.unescape(await (await client.get(location)).text())
    return location.split("/")[-1].split("?")[0], page


def contact_count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0])


async def test_given_a_quote_that_never_closes_when_uploaded_then_refused_and_the_upload_deleted(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    upload_token, page = await upload(client, token, quote_csv(closed=False))
    reason = "line 7: a quote opens here and never closes: lines 7-12 (6 lines) read as one field"
    assert reason in page and "map-import" not in page
    started = await client.post(
        "/api/admin/contacts/import",
        json={"token": upload_token, "list": "Web", "mapping": {}},
        headers={"X-CSRF-Token": token},
    )
    assert started.status == 404  # the refused upload was deleted, not kept on disk
    assert contact_count(db) == 0


async def test_given_a_quoted_field_over_two_lines_when_uploaded_then_all_rows_import(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    upload_token, page = await upload(client, token, quote_csv(closed=True))
    assert 'data-column="CellPhone"' in page
    status = await run_import(client, token, upload_token)
    assert status["summary"] == (
        "Imported 11 contacts (11 phones) into “Web”; 0 duplicates merged; 0 rows rejected."
    )
    assert contact_count(db) == 11


async def test_given_one_good_row_and_one_bad_when_imported_then_the_result_speaks_in_the_singular(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    data = b"FirstName,CellPhone\nAnn,617-555-0101\nBo,12\n"
    upload_token, _ = await upload(client, token, data)
    status = await run_import(client, token, upload_token)
    assert status["summary"] == (
        "Imported 1 contact (1 phone) into “Web”; 0 duplicates merged; 1 row rejected."
    )
    assert status["report"]["imported"] == 1 and len(status["report"]["errors"]) == 1
    page = html.unescape(await (await client.get("/admin/contacts")).text())
    assert 'data-confirm="Delete the list Web and its 1 contact?"' in page


def test_given_uploads_left_at_the_mapping_step_when_a_day_old_then_forgotten(
    tmp_path: Path,
) -> None:
    old, fresh = tmp_path / "aaaa.csv", tmp_path / "bbbb.csv"
    for path in (old, fresh):
        path.write_text("FirstName,CellPhone\nAna,617-555-0100\n")
    now = time.time()
    os.utime(old, (now - ABANDONED_AFTER - 60, now - ABANDONED_AFTER - 60))
    assert forget_abandoned(tmp_path, now) == 1
    assert not old.exists() and fresh.exists()


def test_given_imports_finished_a_day_ago_when_another_starts_then_they_are_forgotten() -> None:
    now = time.time()
    jobs = {
        "old": ImportJob("A", 10, finished=True, finished_at=now - ABANDONED_AFTER - 60),
        "recent": ImportJob("B", 10, finished=True, finished_at=now - 60),
        "running": ImportJob("C", 10),
    }
    forget_old_jobs(jobs, now)
    assert sorted(jobs) == ["recent", "running"]


async def test_given_the_database_fails_during_an_import_when_asked_how_it_went_then_the_page_is_told(  # noqa: E501
    client: Client, make_user: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only a bad file: any failure ends the job with a message the page shows (it
    polled on forever), saying what is in the list and what to do."""

    def locked(*_args: Any, **_kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(contact_import, "import_csv", locked)
    token = await admin(client, make_user)
    upload_token, _page = await upload(client, token, quote_csv(closed=True))
    status = await run_import(client, token, upload_token)
    assert status["finished"] and status["report"] is None
    assert "database is locked" in status["error"]
    assert "import the file again into the same list" in status["error"]
