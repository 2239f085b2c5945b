"""The runner feeds its strategy and its figures: crafted runner state on a real SQLite file
(no PBX: nothing is originated, the AMI session is a stand-in that is never connected)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from controller.config import Settings
from controller.engine.bus import EventBus
from controller.engine.calls import EngineCall
from controller.engine.dialing import EngineConfig, new_call_id
from controller.engine.figures import publish_figures
from controller.engine.runner import BankRunner
from controller.engine.volunteers import VolunteerPool
from controller.model import banks as bank_model
from controller.store import attempts, banks, engine_log, queue
from controller.store.db import Database
from controller.telephony.tracker import CallState

AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)
NOW = AT.timestamp()
SCRIPT = '{"name": "s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'


class NoAmi:
    connected = False


def running_bank(
    db: Database, mode: str = "predictive", contacts: int = 40, seed: int = 1, name: str = "l"
) -> int:
    """A public bank started at ``AT`` over a synthetic list of ``contacts`` (its list and
    script called ``name``: give each bank of a test its own)."""
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, name, contacts, seed=seed)
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", (name, SCRIPT))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        base = {"title": "T", "description": "D", "list_id": list_id, "script_id": script_id,
                "dialing_mode": mode}  # fmt: skip
        bank_id = banks.create(conn, base).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, AT)
        return bank_id


def make_runner(
    db: Database,
    settings: Settings,
    mode: str = "predictive",
    contacts: int = 40,
    seed: int = 1,
    clock: Callable[[], float] = lambda: NOW,
) -> BankRunner:
    """The runner of a new :func:`running_bank`, its pool and itself on ``clock``."""
    bank_id = running_bank(db, mode, contacts, seed)
    ami: Any = NoAmi()
    return BankRunner(
        bank_id, db, ami, VolunteerPool(db, clock), EventBus(), settings, EngineConfig(),
        lambda _: [], clock,
    )  # fmt: skip


def dial(runner: BankRunner, state: CallState, **kw: Any) -> EngineCall:
    claim = queue.claim_next(runner.db, runner.bank_id, NOW, 1)[0]
    call = runner._record(claim, NOW, None, "", new_call_id(runner.bank_id, "c"))
    call.state = state
    for k, v in kw.items():
        setattr(call, k, v)
    runner.calls[call.call_id] = call
    return call


def end(runner: BankRunner, call: EngineCall, result: str) -> None:
    with runner.db.write() as conn:
        attempts.record_end(conn, call.attempt_id, NOW, result)
    runner.calls.pop(call.call_id)
    runner._stored_dirty = True


async def test_given_drops_still_on_the_line_when_figures_published_then_rate_counts_them(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)
    for _ in range(3):
        end(runner, dial(runner, CallState.BRIDGED, volunteer_id=1), "bridged")
    dial(runner, CallState.DROPPED, answered_at=NOW)  # safe-harbor message playing
    dial(runner, CallState.BRIDGED, volunteer_id=2, connected_at=NOW)  # talking
    runner.figures.dropped = 1
    publish_figures(runner)
    figures = runner.bus.figures(runner.bank_id) or {}
    assert figures["dropped"] == 1
    assert figures["abandon_rate"] == 0.2  # 1 dropped of 5 people reached
    ledger, _ = runner.store_figures(NOW)
    assert (ledger.live_humans, ledger.dropped) == (5, 1)


async def test_given_calls_ended_when_figures_published_then_rate_is_store_dropped_over_live(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)
    results = ["bridged", "bridged", "dropped", "machine", "no_answer", "bridged", "dropped"]
    for result in results:
        end(runner, dial(runner, CallState.ANSWERED), result)
    publish_figures(runner)
    figures = runner.bus.figures(runner.bank_id) or {}
    with db.read() as conn:
        live, dropped = engine_log.abandon_counts(conn, runner.bank_id, NOW)
    assert (live, dropped) == (5, 2)
    assert figures["abandon_rate"] == round(dropped / live, 4)


async def test_given_5_waiting_volunteers_when_the_runner_paces_back_to_back_then_one_burst(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)
    runner.ami.connected = True
    for vid in range(1, 6):
        runner.pool.enroll(runner.bank_id, vid)
        runner.pool.join_without_leg(vid)
    placed: list[int] = []
    runner.dial_claims = lambda claims, now, reserved_for=None: (  # type: ignore[method-assign]
        placed.append(len(claims)) or _keep(runner, claims, now)
    )
    for _ in range(10):  # every call event wakes the runner: decisions within milliseconds
        runner._pace()
    assert sum(placed) == 5, placed


def _keep(runner: BankRunner, claims: list[Any], now: float) -> int:
    for claim in claims:
        call = runner._record(claim, now, None, "", new_call_id(runner.bank_id, "c"))
        runner.calls[call.call_id] = call
    return len(claims)
