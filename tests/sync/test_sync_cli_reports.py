"""`phonebank sync` as an organizer meets it: refusals with their reasons, `sync test` naming
VAN's lookups, `sync run` saying what it sent, `sync list --status in_doubt`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import add_contact, queue_outcome
from van_server import API_KEY, APP_NAME, VanServer

from controller.commands.common import AppContext
from controller.commands.sync import sync
from controller.model.fields import validate_field
from controller.store import fields as field_store
from controller.store import outbox
from controller.store.db import Database

Env = dict[str, str | None]


def run(home: Path, *args: str, stdin: str | None = None, env: Env | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(sync, list(args), input=stdin, obj=AppContext(home=home), env=env)


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def refused(result: Result) -> dict[str, str]:
    assert result.exit_code == 1, result.output
    return dict(json.loads(result.output))


def configure_van(home: Path, van: VanServer) -> None:
    done = run(home, "configure", "--app-name", APP_NAME, "--api-key-stdin", "--base-url",
               van.url, stdin=API_KEY + "\n")  # fmt: skip
    assert done.exit_code == 0, done.output


def test_given_http_urls_when_configured_then_refused_and_nothing_changed(
    home: Path, db: Database
) -> None:
    base = refused(run(home, "configure", "--app-name", "acme", "--base-url",
                       "http://example.org", "--json"))  # fmt: skip
    assert base["error"] == "insecure_url" and "clear text" in base["message"]
    hook = refused(run(home, "configure", "--app-name", "acme", "--webhook-url",
                       "http://crm.example.org/hook", "--json"))  # fmt: skip
    assert hook["error"] == "insecure_url"
    status = ok_json(run(home, "status", "--json"))
    assert status["van"]["application_name"] == ""
    assert status["van"]["base_url"] == "https://api.securevan.com/v4"
    assert status["webhook"]["url"] == "(off)"
    local = ok_json(run(home, "configure", "--base-url", "http://127.0.0.1:8080/v4", "--json"))
    assert local["van"]["base_url"] == "http://127.0.0.1:8080/v4"


@pytest.mark.parametrize(
    ("args", "stdin", "env", "code", "words"),
    [
        (["--api-key-env", "PB_TEST_NOPE_VAR"], None, {}, "api_key_env_unset",
         "the variable PB_TEST_NOPE_VAR is not set"),
        (["--api-key-env", "PB_TEST_KEY"], None, {"PB_TEST_KEY": " "}, "empty_api_key",
         "the variable PB_TEST_KEY is empty"),
        (["--api-key-stdin"], "\n", {}, "empty_api_key", "no API key on standard input"),
    ],
)  # fmt: skip
def test_given_no_key_in_variable_or_stdin_when_configured_then_says_so_and_nothing_changed(
    home: Path,
    db: Database,
    args: list[str],
    stdin: str | None,
    env: Env,
    code: str,
    words: str,
) -> None:
    answer = refused(run(home, "configure", "--app-name", "x", *args, "--json", stdin=stdin,
                         env={"PB_TEST_NOPE_VAR": None, **env}))  # fmt: skip
    assert answer["error"] == code and words in answer["message"]
    assert "|mode" not in answer["message"]
    text = run(home, "configure", "--app-name", "x", *args, stdin=stdin,
               env={"PB_TEST_NOPE_VAR": None, **env})  # fmt: skip
    assert text.exit_code == 1 and f"Error: {words}" in text.output
    assert ok_json(run(home, "status", "--json"))["van"] == {
        "application_name": "",
        "api_key": "not set",
        "mode": 1,
        "mode_name": "MyCampaign",
        "base_url": "https://api.securevan.com/v4",
    }


def test_given_a_yesno_field_when_mapping_a_value_it_never_takes_then_refused(
    home: Path, db: Database
) -> None:
    field_store.add_field(db, validate_field("Supports Measure A", "yesno"))
    bad = refused(run(home, "map", "Supports Measure A", "maybe", "--survey-question", "3001",
                      "--survey-response", "1", "--json"))  # fmt: skip
    assert bad["error"] == "bad_yesno" and "must be Yes or No" in bad["message"]
    assert all(i["field_name"] != "Supports Measure A"
               for i in ok_json(run(home, "instructions", "--json")))  # fmt: skip
    good = ok_json(run(home, "map", "Supports Measure A", "yes", "--survey-question", "3001",
                       "--survey-response", "9001", "--json"))  # fmt: skip
    assert good["value"] == "Yes"


async def test_given_local_van_when_sync_test_then_names_of_each_lookup_printed(
    home: Path, db: Database, van: VanServer
) -> None:
    configure_van(home, van)
    result = await asyncio.to_thread(run, home, "test")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "VAN accepted the credentials (MyCampaign).",
        "Result codes (7): Canvassed, Deceased, Moved, Not Home, Other Language, Refused,"
        " Wrong Number",
        "Contact types (3): Auto Dial, Phone, Walk",
        "Input types (2): API, Phone",
    ]


async def test_given_nothing_waiting_when_sync_run_until_idle_then_says_so_in_text_and_json(
    home: Path, db: Database, van: VanServer
) -> None:
    configure_van(home, van)
    text = await asyncio.to_thread(run, home, "run", "--until-idle")
    assert text.exit_code == 0 and text.output == "Nothing was waiting to be sent.\n"
    data = ok_json(await asyncio.to_thread(run, home, "run", "--until-idle", "--json"))
    assert data["workers"] == {"van": {"sent": 0, "retried": 0, "failed": 0, "last_error": None}}
    assert data["outbox"]["van"]["pending"] == 0


async def test_given_rows_waiting_when_sync_run_until_idle_then_sent_and_failed_counted(
    home: Path, db: Database, van: VanServer
) -> None:
    configure_van(home, van)
    van.people = {1001}
    for n, van_id in enumerate(("1001", "1002"), start=1):
        contact_id, _ = add_contact(db, van_id)
        queue_outcome(db, contact_id, "Busy", source_id=n)
    result = await asyncio.to_thread(run, home, "run", "--until-idle")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("NGP VAN: sent 1, failed 1, retries 0 (last error: NOT_FOUND")
    assert len(van.accepted) == 1


def test_given_no_target_configured_when_sync_run_json_then_json_refusal(
    home: Path, db: Database
) -> None:
    assert refused(run(home, "run", "--until-idle", "--json"))["error"] == "not_configured"


def test_given_an_in_doubt_row_when_listing_in_doubt_then_only_that_row(
    home: Path, db: Database
) -> None:
    first, second = (add_contact(db, v)[0] for v in ("1001", "1002"))
    (doubtful,) = queue_outcome(db, first, "Busy", source_id=1)
    queue_outcome(db, second, "Busy", source_id=2)
    with db.write() as conn:  # a worker died mid-send; the next claim finds its lease over
        outbox.claim_due(conn, "van", "dead", 100.0, 1.0, limit=1)
        (again,) = outbox.claim_due(conn, "van", "live", 200.0, 1.0, limit=1)
        outbox.mark_sent(conn, again.id, "live")
    listed = ok_json(run(home, "list", "--status", "in_doubt", "--json"))
    assert [(r["id"], r["status"], r["in_doubt"]) for r in listed] == [(doubtful, "sent", True)]
    text = run(home, "list", "--status", "in_doubt")
    assert text.output.startswith(f"#{doubtful} van sent tries=2 in-doubt")
    assert len(ok_json(run(home, "list", "--json"))) == 2
