"""On the call screen a Wrong Number mark can be taken back while the call or its report is
still open (``/api/call/wrong-number/undo``), and not once the outcome is filed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asterisk.conftest import PbxPairInfo, pbx_pair  # noqa: F401 - the shared real-PBX fixture
from callscreen_engine import CallScreen, engine_app, join_bank, personal_bank

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


def flags(db: Database, e164: str) -> dict[int, int]:
    with db.read() as conn:
        rows = conn.execute("SELECT contact_id, wrong_number FROM phones WHERE e164 = ?", (e164,))
        return {int(r[0]): int(r[1]) for r in rows}


async def shown_marks(screen: CallScreen) -> dict[int, bool]:
    """Who the call screen shows as marked, from its state."""
    state: dict[str, Any] = await screen.state()
    return {int(p["id"]): bool(p["wrong_number"]) for p in state["contact"]["household"]}


async def test_given_a_household_member_marked_wrong_on_the_call_when_taken_back_then_the_mark_goes_until_the_outcome_is_filed(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("hal", can_make_calls=True, display_name="Hal House")
    bank_id = personal_bank(db, 4, household_every=2)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "hal")
        handed = await screen.post("/api/call/next")
        call = handed["live"]["call"]
        first, second = call["contact_ids"]
        e164 = call["e164"]

        marked = await screen.post("/api/call/wrong-number", {"contact_id": second})
        assert marked["status"] == 200 and marked["wrong_number"] is True
        assert flags(db, e164) == {first: 0, second: 1}
        assert await shown_marks(screen) == {first: False, second: True}

        undone = await screen.post("/api/call/wrong-number/undo", {"contact_id": second})
        assert (undone["status"], undone["wrong_number"], undone["banks_kept"]) == (
            200,
            False,
            False,
        )
        assert flags(db, e164) == {first: 0, second: 0}
        assert await shown_marks(screen) == {first: False, second: False}
        again = await screen.post("/api/call/wrong-number/undo", {"contact_id": second})
        assert (again["status"], again["error"]) == (409, "not_marked")
        assert again["message"] == "This person is not marked as a wrong number."
        stranger = await screen.post("/api/call/wrong-number/undo", {"contact_id": 99999})
        assert stranger["error"] == "not_in_call"

        await screen.post("/api/call/wrong-number", {"contact_id": second})
        filed = await screen.post("/api/call/outcome", {"outcome": "completed"})
        assert filed["status"] == 200
        late = await screen.post("/api/call/wrong-number/undo", {"contact_id": second})
        assert (late["status"], late["error"]) == (409, "no_call")
        assert flags(db, e164) == {first: 0, second: 1}
