"""Do Not Call on the contacts page: bulk upload with a per-line report, taking a number off."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from test_admin_pages import admin
from web_test_helpers import csrf_token, login

from controller.store import dnc as dnc_store
from controller.store.db import Database

Client = TestClient[Any, Any]
NUMBERS = "number\n(212) 555-0101\n212-555-0102\n12\n+12125550101\nnot a phone\n"


def upload(token: str, text: str, reason: str = "") -> FormData:
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("reason", reason)
    form.add_field("file", text.encode(), filename="dnc.csv", content_type="text/csv")
    return form


def numbers(db: Database) -> list[str]:
    return sorted(e["e164"] for e in dnc_store.entries(db))


async def test_given_a_file_of_numbers_when_uploaded_then_good_ones_are_added_and_bad_lines_reported(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    dnc_store.add(db, "2125550102")
    done = await client.post(
        "/admin/contacts/dnc/import", data=upload(token, NUMBERS, "lawyer letter")
    )
    page = await done.text()
    assert done.status == 200
    assert (
        "1 number added, 1 already on Do Not Call. 1 line repeated a number given earlier in"
        " the file. 2 lines skipped" in page
    )
    assert '<td class="num">4</td>' in page and '<td class="num">6</td>' in page
    assert numbers(db) == ["+12125550101", "+12125550102"]
    added = next(e for e in dnc_store.entries(db) if e["e164"] == "+12125550101")
    assert (added["reason"], added["source"]) == ("lawyer letter", "web upload")


async def test_given_no_file_when_uploading_then_a_message_and_the_list_is_unchanged(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    refused = await client.post("/admin/contacts/dnc/import", data={"_csrf": token})
    assert refused.status == 400 and "choose a file of numbers" in await refused.text()
    assert numbers(db) == []


async def test_given_a_file_with_a_line_too_long_for_csv_when_uploading_then_a_message_and_nothing_added(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    text = "2125550101\n" + "2" * 200_000 + "\n2125550103\n"
    refused = await client.post("/admin/contacts/dnc/import", data=upload(token, text))
    page = await refused.text()
    assert refused.status == 400
    assert "Do Not Call upload: line 2: not readable as CSV" in page and "nothing was added" in page
    assert numbers(db) == []


async def test_given_a_listed_number_when_taken_off_with_confirmation_then_it_is_gone(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    dnc_store.add(db, "2125550103")
    form = {"_csrf": token, "number": "(212) 555-0103"}
    unconfirmed = await client.post("/admin/contacts/dnc/remove", data=form)
    assert unconfirmed.status == 400 and "Tick the box" in await unconfirmed.text()
    assert numbers(db) == ["+12125550103"]
    unknown = await client.post(
        "/admin/contacts/dnc/remove", data={**form, "number": "2125550199", "confirm": "yes"}
    )
    assert "+12125550199 is not on Do Not Call." in await unknown.text()
    removed = await client.post("/admin/contacts/dnc/remove", data={**form, "confirm": "yes"})
    assert removed.status == 200 and "+12125550103 removed from Do Not Call." in (
        await removed.text()
    )
    assert numbers(db) == []


async def test_given_a_volunteer_or_a_visitor_when_uploading_or_removing_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    dnc_store.add(db, "2125550104")
    for path in ("/admin/contacts/dnc/import", "/admin/contacts/dnc/remove"):
        assert (await client.post(path, data={"number": "2125550104"})).status == 401
    make_user("vol")
    await login(client, "vol")
    token = await csrf_token(client, "/phone")
    assert (
        await client.post("/admin/contacts/dnc/import", data=upload(token, "2125550105\n"))
    ).status == 403
    form = {"_csrf": token, "number": "2125550104", "confirm": "yes"}
    assert (await client.post("/admin/contacts/dnc/remove", data=form)).status == 403
    assert numbers(db) == ["+12125550104"]


async def test_given_a_number_when_added_twice_on_the_page_then_the_cli_wording_each_time(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    form = {"_csrf": token, "number": "(212) 555-0108", "reason": "asked"}
    first = await client.post("/admin/contacts/dnc", data=form)
    assert first.status == 200 and "+12125550108 added to Do Not Call." in await first.text()
    again = await client.post("/admin/contacts/dnc", data=form)
    assert "+12125550108 was already on Do Not Call." in await again.text()
    assert numbers(db) == ["+12125550108"]


async def test_given_a_listed_number_when_checking_numbers_then_each_answer_is_right(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    await admin(client, make_user)
    dnc_store.add(db, "2125550106")
    listed = await client.get("/admin/contacts/dnc/check?number=(212)+555-0106")
    assert "+12125550106 is on Do Not Call." in await listed.text()
    unlisted = await client.get("/admin/contacts/dnc/check?number=2125550107")
    assert "+12125550107 is not on Do Not Call." in await unlisted.text()
    bad = await client.get("/admin/contacts/dnc/check?number=12")
    assert bad.status == 400 and "not a valid phone number" in await bad.text()
    assert numbers(db) == ["+12125550106"]


async def test_given_more_numbers_than_a_page_when_paging_the_list_then_each_shows_once(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    await admin(client, make_user)
    dnc_store.add_many(db, [f"+1212555{n:04d}" for n in range(120)])
    shown: list[str] = []
    path = "/admin/contacts"
    for _ in range(5):
        page = await (await client.get(path)).text()
        entries = page.split('data-testid="dnc-entries"')[1].split("</ul>")[0]
        shown += re.findall(r"<li>(\+\d+) ", entries)
        older = re.search(r'href="(/admin/contacts\?dnc_offset=\d+)" data-testid="dnc-older"', page)
        if older is None:
            break
        path = older.group(1)
    assert sorted(shown) == [f"+1212555{n:04d}" for n in range(120)]


async def test_given_a_file_with_one_bad_line_when_uploaded_then_the_notice_says_one_line(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    done = await client.post(
        "/admin/contacts/dnc/import", data=upload(token, "2125550101\n,only a reason\n", "x")
    )
    page = await done.text()
    assert "1 line skipped (listed below)." in page and "no phone number" in page
    assert numbers(db) == ["+12125550101"]
