"""Bank page: scheduling the start (``bank start --at``) and changing who sees a bank."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from web_test_helpers import csrf_token, login

from controller.model.banks import Bank
from controller.store import banks as bank_store
from controller.store import users as user_store
from controller.store.db import Database

Client = TestClient[Any, Any]


def bank_of(db: Database, bank_id: int) -> Bank:
    with db.read() as conn:
        return bank_store.get(conn, bank_id)


async def published_bank(client: Client, token: str, db: Database, **extra: str) -> int:
    bank_id = await create_bank(client, token, seed_list(db, 2), **extra)
    await client.post(
        f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    return bank_id


async def test_given_a_published_bank_when_scheduling_inside_its_window_then_the_start_is_saved(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db)
    await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    done = await client.post(
        f"/admin/banks/{bank_id}/schedule", data={"_csrf": token, "at": at.isoformat()}
    )
    page = await done.text()
    assert done.status == 200 and "Start scheduled" in page
    assert f"Scheduled to start at {at.isoformat()}" in page
    bank = bank_of(db, bank_id)
    assert bank.scheduled_start == at and bank.state.value == "published"


async def test_given_a_past_time_or_a_cancel_when_scheduling_then_refused_or_taken_back(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db)
    await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    past = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    refused = await client.post(
        f"/admin/banks/{bank_id}/schedule", data={"_csrf": token, "at": past}
    )
    assert refused.status == 400 and "is in the past" in await refused.text()
    assert bank_of(db, bank_id).scheduled_start is None
    nothing = await client.post(f"/admin/banks/{bank_id}/unschedule", data={"_csrf": token})
    assert nothing.status == 400 and "no scheduled start" in await nothing.text()
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    await client.post(
        f"/admin/banks/{bank_id}/schedule", data={"_csrf": token, "at": at.isoformat()}
    )
    assert 'data-testid="unschedule"' in await (await client.get(f"/admin/banks/{bank_id}")).text()
    done = await client.post(f"/admin/banks/{bank_id}/unschedule", data={"_csrf": token})
    page = await done.text()
    assert done.status == 200 and "Scheduled start cancelled" in page
    assert 'data-testid="scheduled"' not in page
    bank = bank_of(db, bank_id)
    assert bank.scheduled_start is None and bank.state.value == "published"


async def test_given_a_campaign_window_when_scheduling_outside_it_then_the_cli_message_and_nothing_saved(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    opens = datetime.now(UTC) + timedelta(days=1)
    bank_id = await published_bank(client, token, db, window_start=opens.isoformat())
    await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    early = (opens - timedelta(hours=1)).isoformat()
    refused = await client.post(
        f"/admin/banks/{bank_id}/schedule", data={"_csrf": token, "at": early}
    )
    assert refused.status == 400
    assert "The scheduled start is outside the campaign window." in await refused.text()
    no_offset = await client.post(
        f"/admin/banks/{bank_id}/schedule", data={"_csrf": token, "at": "2030-01-01T18:00"}
    )
    assert no_offset.status == 400
    assert "use an ISO date-time with offset" in await no_offset.text()
    assert bank_of(db, bank_id).scheduled_start is None


async def test_given_a_draft_bank_when_scheduling_then_refused_as_the_cli_does(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db)
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    refused = await client.post(f"/admin/banks/{bank_id}/schedule", data={"_csrf": token, "at": at})
    assert refused.status == 400
    assert "Only a published, not yet started bank is scheduled." in await refused.text()
    assert bank_of(db, bank_id).scheduled_start is None


async def test_given_a_volunteer_or_a_visitor_when_scheduling_or_changing_visibility_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db)
    await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    await client.post("/logout", data={"_csrf": token})
    client.session.cookie_jar.clear()
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for path in ("schedule", "visibility"):
        anonymous = await client.post(f"/admin/banks/{bank_id}/{path}", data={"at": at})
        assert anonymous.status == 401, path
    make_user("vol")
    await login(client, "vol")
    vol_token = await csrf_token(client, "/phone")
    for path in ("schedule", "visibility"):
        refused = await client.post(
            f"/admin/banks/{bank_id}/{path}", data={"_csrf": vol_token, "at": at}
        )
        assert refused.status == 403, path
    assert bank_of(db, bank_id).scheduled_start is None


async def test_given_a_running_private_bank_when_changing_its_lists_then_saved_and_public_is_final(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    team_a = user_store.create_user_list(db, "Team A")
    team_b = user_store.create_user_list(db, "Team B")
    bank_id = await published_bank(client, token, db)
    private_a = {"_csrf": token, "user_list": str(team_a["id"])}
    await client.post(f"/admin/banks/{bank_id}/publish", data=private_a)
    await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
    page = await (await client.get(f"/admin/banks/{bank_id}")).text()
    assert 'data-testid="visibility-form"' in page and "Private to: Team A." in page
    to_b = {"_csrf": token, "user_list": str(team_b["id"])}
    saved = await client.post(f"/admin/banks/{bank_id}/visibility", data=to_b)
    assert saved.status == 200 and "Visibility saved." in await saved.text()
    assert bank_of(db, bank_id).user_list_ids == (team_b["id"],)
    unknown = await client.post(
        f"/admin/banks/{bank_id}/visibility", data={"_csrf": token, "user_list": "999"}
    )
    assert unknown.status == 400 and "There is no user list 999." in await unknown.text()
    public = await client.post(f"/admin/banks/{bank_id}/visibility", data={"_csrf": token})
    assert "A public bank can never become private again." in await public.text()
    again = await client.post(f"/admin/banks/{bank_id}/visibility", data=to_b)
    assert again.status == 400
    assert "A public bank can never become private again." in await again.text()
    bank = bank_of(db, bank_id)
    assert (bank.visibility, bank.state.value, bank.user_list_ids) == ("public", "running", ())


async def test_given_banks_in_several_states_when_filtering_by_state_then_only_those_show(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    draft = await published_bank(client, token, db)
    running = await create_bank(client, token, bank_of(db, draft).settings.list_id or 0)
    await client.post(
        f"/api/admin/banks/{running}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    for step in ("publish", "start"):
        await client.post(f"/admin/banks/{running}/{step}", data={"_csrf": token})
    page = await (await client.get("/admin/banks?state=running")).text()
    assert f'href="/admin/banks/{running}"' in page and f'href="/admin/banks/{draft}"' not in page
    every = await (await client.get("/admin/banks?state=nonsense")).text()
    assert f'href="/admin/banks/{running}"' in every and f'href="/admin/banks/{draft}"' in every


async def test_given_a_draft_when_deleted_from_its_page_then_gone_and_a_started_bank_is_kept(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    draft = await published_bank(client, token, db)
    page = await (await client.get(f"/admin/banks/{draft}")).text()
    assert 'data-testid="delete"' in page
    unticked = await client.post(f"/admin/banks/{draft}/delete", data={"_csrf": token})
    assert unticked.status == 400 and "tick the box" in await unticked.text()
    assert bank_of(db, draft).id == draft
    ticked = {"_csrf": token, "confirm": "yes"}
    gone = await client.post(f"/admin/banks/{draft}/delete", data=ticked)
    assert gone.status == 200 and str(gone.url).endswith(f"/admin/banks?deleted={draft}")
    assert f"Bank {draft} deleted." in await gone.text()
    with db.read() as conn:
        assert bank_store.list_all(conn) == []
    with db.read() as conn:  # the deleted draft's list stayed
        list_id = int(conn.execute("SELECT id FROM lists").fetchone()[0])
    started = await create_bank(client, token, list_id)
    await client.post(
        f"/api/admin/banks/{started}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    await client.post(f"/admin/banks/{started}/publish", data={"_csrf": token})
    await client.post(f"/admin/banks/{started}/start", data={"_csrf": token})
    assert bank_of(db, started).state.value == "running"
    page = await (await client.get(f"/admin/banks/{started}")).text()
    assert 'data-testid="delete"' not in page
    refused = await client.post(f"/admin/banks/{started}/delete", data=ticked)
    assert refused.status == 400 and "its calls and results are kept" in await refused.text()
    assert bank_of(db, started).state.value == "running"
