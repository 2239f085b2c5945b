"""Results exports: the header row (script questions) is made formula-safe like the cells,
by the web download and by ``phonebank export`` alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin, create_bank, seed_list

from controller.commands import export as export_cmd
from controller.store.db import Database
from controller.store.results import EXPORTS

Client = TestClient[Any, Any]
EVIL = '=HYPERLINK("http://evil.example","click")'


def answer_with_a_formula_title(db: Database, bank_id: int) -> None:
    with db.write() as conn:
        contact_id = conn.execute("SELECT min(id) FROM contacts").fetchone()[0]
        conn.execute(
            "INSERT INTO script_answers (bank_id, contact_id, block_id, question, answer,"
            " created_at) VALUES (?, ?, 'intro', ?, '+Yes', '2026-05-01T22:00:00Z')",
            (bank_id, contact_id, EVIL),
        )


async def test_given_a_question_titled_like_a_formula_when_contacts_are_exported_then_the_header_is_neutralised(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 3))
    answer_with_a_formula_title(db, bank_id)
    web_csv = await (await client.get(f"/admin/banks/{bank_id}/export/contacts.csv")).text()
    cli_csv = io.StringIO()
    with db.read() as conn:
        export_cmd._write(EXPORTS["contacts"](conn, bank_id), cli_csv, False)
    for text in (web_csv, cli_csv.getvalue()):
        header, *rows = list(csv.reader(io.StringIO(text)))
        assert header[-1] == "'" + EVIL and header[0] == "contact_id"
        assert "'+Yes" in [row[-1] for row in rows]
    assert web_csv.replace("\r\n", "\n") == cli_csv.getvalue().replace("\r\n", "\n")
