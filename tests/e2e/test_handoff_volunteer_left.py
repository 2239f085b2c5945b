"""On the real PBX: a volunteer whose line drops right after a person was handed to them. The
person never waits in an empty room: they hear the safe-harbor message, and the call counts
as dropped (never connected)."""

from __future__ import annotations

import pytest
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.model.volunteers import Session, VState
from controller.store import queue
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]


async def test_given_a_person_handed_to_a_volunteer_when_the_volunteers_line_drops_then_safe_harbor_and_dropped(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    bank_id = make_bank(env.db, 6, dialing_mode="preview")
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    runner = env.engine.runners[bank_id]
    await carrier.set_personas({n: "human:1:30" for n in bank_numbers(env.db, bank_id)})
    await env.sims.add(bank_id, 9301)

    def drop_line_when_handed(session: Session) -> None:
        if session.volunteer_id == 9301 and session.state is VState.BUSY:
            env.sims._spawn(env.sims.remove(9301))  # their phone hangs up at that moment

    env.engine.pool.listen(drop_line_when_handed)
    now = env.engine.clock()
    runner.dial_claims(queue.claim_next(env.db, bank_id, now, 1), now)
    (call_id,) = list(runner.calls)

    def row() -> dict[str, object]:
        with env.db.read() as conn:
            found = conn.execute(
                "SELECT a.*, d.outcome, (SELECT count(*) FROM call_hangtimes AS h"
                " WHERE h.attempt_id = a.id) AS connected FROM call_attempts AS a"
                " LEFT JOIN dispositions AS d ON d.attempt_id = a.id WHERE a.call_id = ?",
                (call_id,),
            ).fetchone()
        return dict(found)

    await wait_until(lambda: row()["ended_at"] is not None, 60, lambda: f"the call ends: {row()}")
    env.engine.pool.unlisten(drop_line_when_handed)
    ended = row()
    assert (ended["result"], ended["outcome"], ended["connected"]) == ("dropped", "dropped", 0)
    assert env.engine.pool.sessions[9301].state is VState.DISCONNECTED
    heard = await carrier.wait_call_ended(str(ended["e164"]))
    assert heard.heard == ["safe_harbor"]
    figures = env.engine.bus.figures(bank_id)
    assert figures is not None and figures["dropped"] == 1 and figures["assigned"] == 1
