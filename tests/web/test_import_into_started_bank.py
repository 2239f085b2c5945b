"""Importing more contacts into a list a started bank is calling: the import works, and the
result says that bank froze the list at its start and will not call the new contacts (the
page and `contacts import` say the same)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from click.testing import CliRunner
from test_admin_contact_import import upload
from test_admin_pages import GOOD_SCRIPT, admin, create_bank
from web_test_helpers import run_import

from cli import main
from controller.store.db import Database

Client = TestClient[Any, Any]
FIRST = b"FirstName,LastName,CellPhone\nAna,Lopez,617-555-0100\nBo,Kim,617-555-0101\n"
MORE = b"FirstName,LastName,CellPhone\nCy,Ng,617-555-0102\n"


async def test_given_a_running_bank_on_a_list_when_more_contacts_are_imported_then_told(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    status = await run_import(client, token, (await upload(client, token, FIRST))[0])
    assert status["report"]["started_banks"] == [] and "already calling" not in status["summary"]
    list_id = status["report"]["list_id"]
    bank_id = await create_bank(client, token, list_id)
    headers = {"X-CSRF-Token": token}
    await client.post(f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers=headers)
    await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
    status = await run_import(client, token, (await upload(client, token, MORE))[0])
    assert status["report"]["imported"] == 1 and status["report"]["started_banks"] == [bank_id]
    assert f"Bank {bank_id} is already calling this list" in status["summary"]
    assert "will not call the new contacts" in status["summary"]


def test_given_a_running_bank_on_a_list_when_imported_on_the_command_line_then_told(
    home: Path, tmp_path: Path
) -> None:
    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--home", str(home), *args])

    (tmp_path / "first.csv").write_bytes(FIRST)
    (tmp_path / "more.csv").write_bytes(MORE)
    (tmp_path / "s.yaml").write_text(
        "name: Hi\nblocks:\n  - id: a\n    title: Hi\n    text: Hello\n"
        "    responses:\n      - label: Done\n"
    )
    assert run("contacts", "import", str(tmp_path / "first.csv"), "--list", "L").exit_code == 0
    assert run("script", "import", str(tmp_path / "s.yaml")).exit_code == 0
    created = run("bank", "create", "--title", "T", "--description", "D", "--list", "1",
                  "--script", "Hi", "--json")  # fmt: skip
    assert created.exit_code == 0, created.output
    for step in (["publish", "1"], ["start", "1"]):
        assert run("bank", *step).exit_code == 0
    more = run("contacts", "import", str(tmp_path / "more.csv"), "--list", "L")
    assert more.exit_code == 0 and "1 contact imported" in more.output
    assert "Bank 1 is already calling this list" in more.output
