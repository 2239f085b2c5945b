"""Bank settings page: every setting of ``bank edit`` (``--set`` ones too); blanks clear."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import bank_of
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from web_test_helpers import csrf_token, login

from controller.model import banks as model
from controller.model.fields import validate_field
from controller.store import banks as bank_store
from controller.store import fields as field_store
from controller.store.db import Database

Client = TestClient[Any, Any]


def settings_form(token: str, list_id: int, **extra: str) -> dict[str, str]:
    base = {"_csrf": token, "title": "Web bank", "description": "Calls",
            "list_id": str(list_id), "dialing_mode": "power", "household": "one_call",
            "prevent_frequent_present": "1"}  # fmt: skip
    return {**base, **extra}


async def test_given_the_advanced_settings_when_saved_then_each_lands_and_blank_ones_clear_on_edit(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    field_store.add_field(db, validate_field("Support", "choice", ["Yes", "No"]))
    ends = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    bank_id = await create_bank(
        client, token, list_id, preferred_area_codes="212, 646", start_button_label="Go",
        contact_details="Ward", report_tags="Needs ride", report_fields="Support",
        suppress_other_bank_hours="12", voicemail_message="Sorry we missed you",
        window_end=ends.isoformat(), prevent_frequent_present="1",
    )  # fmt: skip
    s = bank_of(db, bank_id).settings
    assert (s.preferred_area_codes, s.start_button_label, s.contact_details) == (
        ("212", "646"), "Go", ("Ward",))  # fmt: skip
    assert (s.report_tags, s.report_fields, s.suppress_other_bank_hours) == (
        ("Needs ride",), ("Support",), 12)  # fmt: skip
    assert s.voicemail_message == "Sorry we missed you" and s.prevent_frequent is False
    assert s.window_end == ends
    page = await (await client.get(f"/admin/banks/{bank_id}/settings")).text()
    assert 'name="preferred_area_codes" value="212, 646"' in page
    form = settings_form(token, list_id, amd="on", preferred_area_codes="", contact_details="",
                         suppress_other_bank_hours="", voicemail_message="", window_end="",
                         prevent_frequent="on", start_button_label="")  # fmt: skip
    saved = await client.post(f"/admin/banks/{bank_id}/settings", data=form, allow_redirects=False)
    assert saved.status == 303, await saved.text()
    s = bank_of(db, bank_id).settings
    assert (s.preferred_area_codes, s.contact_details, s.voicemail_message) == ((), (), "")
    assert s.suppress_other_bank_hours is None and s.window_end is None and s.prevent_frequent
    assert s.start_button_label == "Go" and s.report_tags == ("Needs ride",)


async def test_given_bad_advanced_settings_when_saved_then_the_cli_message_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    bank_id = await create_bank(client, token, list_id)
    before = bank_of(db, bank_id).settings
    cases = (
        ({"preferred_area_codes": "012"}, "area code '012' must be three digits"),
        ({"suppress_other_bank_hours": "9999"}, "other-bank suppression must be 1 to 720 hours"),
        ({"suppress_other_bank_hours": "soon"}, "suppress_other_bank_hours must be a whole number"),
        ({"max_attempts": "2.7"}, "max_attempts must be a whole number"),
        ({"voicemail_message": "Hi"}, "a voicemail message needs answering machine detection on"),
        ({"report_fields": "Suport"}, "there is no custom field 'Suport' to ask in the report"),
    )
    for extra, message in cases:
        form = settings_form(token, list_id, amd="on", **extra)
        if "voicemail_message" in extra:
            form.pop("amd")
        refused = await client.post(f"/admin/banks/{bank_id}/settings", data=form)
        assert refused.status == 400, extra
        assert message in (await refused.text()).replace("&#39;", "'"), extra
    assert bank_of(db, bank_id).settings == before


async def test_given_a_volunteer_or_a_visitor_when_saving_settings_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    bank_id = await create_bank(client, token, list_id)
    before = bank_of(db, bank_id).settings
    await client.post("/logout", data={"_csrf": token})
    client.session.cookie_jar.clear()
    form = settings_form("", list_id, preferred_area_codes="212")
    assert (await client.post(f"/admin/banks/{bank_id}/settings", data=form)).status == 401
    make_user("vol")
    await login(client, "vol")
    vol_token = await csrf_token(client, "/phone")
    refused = await client.post(
        f"/admin/banks/{bank_id}/settings", data={**form, "_csrf": vol_token}
    )
    assert refused.status == 403 and bank_of(db, bank_id).settings == before
    assert isinstance(before, model.BankSettings)


async def test_given_a_running_bank_when_editing_then_settings_change_but_the_list_stays_frozen(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    bank_id = await create_bank(client, token, list_id)
    await client.post(
        f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    for step in ("publish", "start"):
        await client.post(f"/admin/banks/{bank_id}/{step}", data={"_csrf": token})
    form = settings_form(token, list_id, amd="on", title="Renamed while running")
    saved = await client.post(f"/admin/banks/{bank_id}/settings", data=form, allow_redirects=False)
    assert saved.status == 303 and bank_of(db, bank_id).settings.title == "Renamed while running"
    with db.write() as conn:
        other = bank_store.seed_synthetic_list(conn, "Other", 2)
    moved = {**form, "list_id": str(other), "title": "Moved"}
    refused = await client.post(f"/admin/banks/{bank_id}/settings", data=moved)
    assert refused.status == 400
    assert "the contact list is frozen once the bank has started" in await refused.text()
    settings = bank_of(db, bank_id).settings
    assert (settings.list_id, settings.title) == (list_id, "Renamed while running")
