"""``phonebank engine``: what the dialer engine recorded for a bank, and "stop now"."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app
from controller.model import banks as model
from controller.model.banks import BankError, State
from controller.store import banks as store
from controller.store import engine_log

ACTOR = "cli"


@click.group("engine")
def engine() -> None:
    """The dialer engine: per-bank figures and ending live calls at once.

    The engine runs inside `phonebank run`; it follows what these commands (and
    `phonebank bank start/pause/resume/stop`) write to the database within a second.
    """


@engine.command("status")
@click.argument("bank_id", type=int)
@json_option
@pass_app
def status(app: AppContext, bank_id: int, as_json: bool) -> None:
    """Calls made, bridged, dropped and in progress, numbers left, pacing decisions,
    volunteer sessions and hangtime (AMD verdict -> volunteer connected, p50/p95 seconds)
    for BANK_ID."""
    with app.db.read() as conn:
        try:
            bank = store.get(conn, bank_id)
        except BankError as exc:
            fail(str(exc), exc.code, as_json)
        data = {"bank_id": bank_id, "state": bank.state.value, **engine_log.summary(conn, bank_id)}
    emit(data, as_json)


@engine.command("decisions")
@click.argument("bank_id", type=int)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many of the latest decisions to show.")  # fmt: skip
@json_option
@pass_app
def decisions(app: AppContext, bank_id: int, limit: int, as_json: bool) -> None:
    """The latest pacing decisions of BANK_ID, newest last: when, how many numbers the pacer
    asked for and how many were dialed, calls it took back, why (reason), and the volunteers
    and calls it saw. With --json each decision includes its full inputs and figures."""
    with app.db.read() as conn:
        try:
            store.get(conn, bank_id)
        except BankError as exc:
            fail(str(exc), exc.code, as_json)
        items = engine_log.decisions(conn, bank_id)[-limit:]
    if as_json:
        emit(items, as_json)
        return
    lines = [_decision_line(d) for d in items] or ["No pacing decisions yet."]
    click.echo("\n".join(lines))


def _decision_line(d: dict[str, object]) -> str:
    inputs = d["inputs"] if isinstance(d["inputs"], dict) else {}
    vols = inputs.get("volunteers", [])
    waiting = sum(1 for v in vols if v.get("state") == "waiting")
    when = datetime.fromtimestamp(float(str(d["at"])), UTC).strftime("%Y-%m-%d %H:%M:%S")
    cancelled = len(d["cancel"]) if isinstance(d["cancel"], list) else 0
    return (
        f"{when}  {d['strategy']}: dial {d['dial']} (dialed {d['dialed']}), "
        f"take back {cancelled}; {d['reason']}; volunteers {len(vols)} ({waiting} waiting), "
        f"calls in flight {len(inputs.get('calls', []))}"
    )


@engine.command("stop-now")
@click.argument("bank_id", type=int)
@click.option("--yes", is_flag=True, help="Confirm: the bank stops for good, calls end now.")
@json_option
@pass_app
def stop_now(app: AppContext, bank_id: int, yes: bool, as_json: bool) -> None:
    """Stop BANK_ID and end its live conversations at once (needs --yes).

    `phonebank bank stop` lets conversations finish; this one hangs them up. Either way
    ringing calls are cancelled and volunteers then hear "this phone bank has ended".
    A bank that is already stopped may still have its remaining calls ended.
    """
    if not yes:
        fail("stopping is final and ends live calls; add --yes to confirm", "confirm_required",
             as_json)  # fmt: skip
    try:
        with app.db.write() as conn:
            bank = store.get(conn, bank_id)
            if bank.state is not State.STOPPED:
                bank = store.update(conn, bank_id, model.stop, ACTOR)
            engine_log.request_stop_now(conn, bank_id, ACTOR)
    except BankError as exc:
        fail(str(exc), exc.code, as_json)
    emit({"bank_id": bank_id, "state": bank.state.value, "calls": "ending"}, as_json,
         f"Bank {bank_id} is stopped; its live calls are being ended.")  # fmt: skip


COMMANDS = [engine]
