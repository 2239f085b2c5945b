"""A preview volunteer who presses Call on a number the appliance may not dial (outside the
trunk's allowed pattern) is told why in words, not a server error; nothing is dialed or
written for it and the next contact comes. The real app and engine on the real PBX pair."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from asterisk.conftest import PbxPairInfo, pbx_pair  # noqa: F401 - the shared real-PBX fixture
from callscreen_engine import engine_app, join_bank, personal_bank

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]
ABROAD = "+44207946"  # London: a list can bring it in; the default pattern is North American


def preview_bank_abroad(db: Database) -> int:
    """A started preview bank whose every number is a London one (as an import can bring)."""
    bank_id = personal_bank(db, 3)
    with db.write() as conn:
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, {"dialing_mode": "preview"}))
        conn.execute(
            "UPDATE queue_entries SET e164 = ? || printf('%04d', id) WHERE bank_id = ?",
            (ABROAD, bank_id),
        )
    return bank_id


async def test_given_a_previewed_number_outside_the_pattern_when_call_is_pressed_then_a_clear_refusal(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    uid = make_user("paz", can_make_calls=True)
    bank_id = preview_bank_abroad(db)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "paz")
        screen.engine.pool.join_without_leg(uid)  # as if their phone line were in the room
        shown = await screen.post("/api/call/next")
        assert shown["status"] == 200, shown

        refused = await screen.post("/api/call/dial")

        assert refused["status"] == 409, refused
        assert refused["error"] == "number_not_allowed"
        assert "ask for the next contact" in refused["message"]
        after = await screen.post("/api/call/next")
        assert after["status"] == 200, after
    with db.read() as conn:
        dialed = [r[0] for r in conn.execute("SELECT e164 FROM call_attempts")]
        reasons = [r[0] for r in conn.execute("SELECT done_reason FROM queue_entries")]
    assert dialed == [] and reasons.count("not_allowed") == 1
