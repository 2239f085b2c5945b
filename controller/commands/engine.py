"""``phonebank engine``: what the dialer engine recorded for a bank, and "stop now"."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime

import click

from controller.commands.common import (
    AppContext,
    cli_actor,
    emit,
    fail,
    json_option,
    not_dialing_note,
    pass_app,
)
from controller.commands.params import ID
from controller.commands.progress import Progress, wanted
from controller.engine.dialing import EngineConfig, strategy_for
from controller.model import banks as model
from controller.model.banks import BankError, DialingMode, State
from controller.pacing import replay as replays
from controller.pacing.decision import Strategy
from controller.pacing.snapshot import AbandonLedger
from controller.store import banks as store
from controller.store import engine_log


@click.group("engine")
def engine() -> None:
    """The dialer engine: per-bank figures and ending live calls at once.

    The engine runs inside `phonebank run`; it follows what these commands (and
    `phonebank bank start/pause/resume/stop`) write to the database within a second.
    """


@engine.command("status")
@click.argument("bank_id", type=ID)
@json_option
@pass_app
def status(app: AppContext, bank_id: int, as_json: bool) -> None:
    """Calls made, bridged, dropped and in progress, numbers left, pacing decisions,
    volunteer sessions, hangtime p50/p95 in seconds (callee answer -> volunteer connected;
    verdict_: machine check -> connected), and the abandon rate and drops left over the
    rolling 30 days, for BANK_ID."""
    with app.db.read() as conn:
        try:
            bank = store.get(conn, bank_id)
        except BankError as exc:
            fail(str(exc), exc.code, as_json)
        live, dropped = engine_log.abandon_counts(conn, bank_id, time.time())
        ledger = AbandonLedger(live, dropped, bank.settings.abandon_cap_pct / 100)
        data = {
            "bank_id": bank_id, "state": bank.state.value, **engine_log.summary(conn, bank_id),
            "abandon_rate": round(ledger.rate, 4), "abandon_budget": round(ledger.budget, 2),
        }  # fmt: skip
    emit(data, as_json)


@engine.command("decisions")
@click.argument("bank_id", type=ID)
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
        items = engine_log.decisions(conn, bank_id, limit)
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


@engine.command("replay")
@click.argument("bank_id", type=ID)
@click.option("--since", help="First decision time (ISO date-time with offset).")
@click.option("--until", help="Replay decisions before this time (ISO date-time with offset).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Replay with this pacing setting changed (repeatable): abandon_cap_pct, or"
              f" a predictive tunable ({', '.join(replays.TUNABLES)}).")  # fmt: skip
@click.option("--strategy", type=click.Choice(replays.STRATEGIES),
              help="Replay every decision with this strategy (default: its own).")  # fmt: skip
@click.option("--ratio", type=float, help="Calls per ready volunteer of --strategy ratio.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many differences (and unreadable rows) to list.")  # fmt: skip
@click.option("--progress/--no-progress", default=None,
              help="Say on stderr how many decisions are replayed, every 2 s or so"
              " (default: only when stderr is a terminal). Never on stdout.")  # fmt: skip
@json_option
@pass_app
def replay(
    app: AppContext,
    bank_id: int,
    since: str | None,
    until: str | None,
    sets: tuple[str, ...],
    strategy: str | None,
    ratio: float | None,
    limit: int,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Decide BANK_ID's stored pacing decisions again, oldest first, each on the snapshot it
    was made from, with the bank's strategy (changed by --set/--strategy), and compare: how
    many replay identically, dial more or fewer numbers, cancel other calls or give another
    reason, then the first differences. Nothing is written. A long replay says how far it
    is on stderr ("replayed 12,000 of 51,000 decisions") when stderr is a terminal or with
    --progress."""
    start, end = _time("--since", since, as_json), _time("--until", until, as_json)
    began = time.perf_counter()
    with app.db.read() as conn:
        replayer = _replayer(app, conn, bank_id, (sets, strategy, ratio), as_json)
        last_id = engine_log.last_decision_id(conn, bank_id)
        total = engine_log.count_decisions(conn, bank_id, start, end, last_id)
        if not total:
            span = " in that time" if start is not None or end is not None else ""
            fail(f"bank {bank_id} has no stored pacing decisions{span}", "no_decisions", as_json)
        report = Progress(total, "replayed", "decisions") if wanted(progress) else None
        rows = engine_log.decision_rows(conn, bank_id, start, end, last_id=last_id)
        summary = replays.replay(rows, replayer, limit, report)
    if report is not None:
        report.finish(summary.replayed + summary.unreadable)
    data = {"bank_id": bank_id, "since": since, "until": until, "set": list(sets),
            "strategy": strategy, "ratio": ratio, **summary.to_dict(),
            "seconds": round(time.perf_counter() - began, 3)}  # fmt: skip
    emit(data, as_json, "\n".join(_replay_lines(data, summary)))


def _replayer(
    app: AppContext,
    conn: sqlite3.Connection,
    bank_id: int,
    how: tuple[tuple[str, ...], str | None, float | None],
    as_json: bool,
) -> replays.Replayer:
    """The replayer of BANK_ID's settings changed by (--set, --strategy, --ratio); a bad
    request ends the command with its error."""
    sets, strategy, ratio = how
    try:
        bank = store.get(conn, bank_id)
        plan = replays.make_plan(bank.settings, sets, strategy, ratio)
        replayer = replays.Replayer(plan, _builder(app))
        if plan.strategy is not None:
            replayer.strategy(plan.strategy)
    except (BankError, replays.ReplayError) as exc:
        fail(str(exc), exc.code, as_json)
        raise  # fail() exits; this line is never reached
    return replayer


def _builder(app: AppContext) -> Callable[[DialingMode], Strategy | None]:
    """The engine's own mode -> strategy function, with its production settings."""
    config = EngineConfig.from_settings(app.settings)
    return lambda mode: strategy_for(mode, config)


def _time(option: str, text: str | None, as_json: bool) -> float | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
        if when.tzinfo is None:
            raise ValueError("no offset")
    except ValueError:
        fail(f"{option} {text!r}: use an ISO date-time with offset, e.g. 2026-05-01T14:00+00:00",
             "time_format", as_json)  # fmt: skip
        return None
    return when.timestamp()


def _replay_lines(data: dict[str, object], s: replays.Summary) -> list[str]:
    used = ", ".join(f"{name} {n}" for name, n in sorted(s.strategies.items())) or "none"
    changed = " ".join(data["set"]) if isinstance(data["set"], list) and data["set"] else ""
    lines = [
        f"Replayed {s.replayed} decisions of bank {data['bank_id']} in {data['seconds']} s"
        f" (strategies: {used}{'; ' + changed if changed else ''}).",
        f"Identical: {s.identical} (of which figures differ: {s.figures_differ}).",
        f"Dialed more: {s.dialed_more} decisions; dialed fewer: {s.dialed_fewer} decisions.",
        f"Numbers asked for: stored {s.stored_dials} (dialed {s.stored_dialed}),"
        f" replayed {s.replayed_dials}.",
        f"Cancels that differ: {s.cancels_differ}; reasons that changed: {s.reasons_changed}.",
        f"Unreadable rows: {s.unreadable}.",
    ]
    lines += [
        f"{name}: not used by {used_by} ({n} decisions)"
        for name, per in sorted(s.unused.items())
        for used_by, n in sorted(per.items())
    ]
    lines += [f"  row {row_id}: {why}" for row_id, why in s.problems]
    if s.differences:
        lines.append(f"First {len(s.differences)} differences (stored -> replayed):")
        lines += [_difference_line(d) for d in s.differences]
    return lines


def _difference_line(d: replays.Difference) -> str:
    when = datetime.fromtimestamp(d.at, UTC).strftime("%Y-%m-%d %H:%M:%S")
    (a, b, c), (x, y, z) = d.stored, d.replayed
    return (
        f"{when}  dial {a} cancel {b} {c} -> dial {x} cancel {y} {z};"
        f" {d.waiting} waiting, {d.in_flight} calls in flight"
    )


@engine.command("stop-now")
@click.argument("bank_id", type=ID)
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
                bank = store.update(conn, bank_id, model.stop, cli_actor())
            engine_log.request_stop_now(conn, bank_id, cli_actor())
    except BankError as exc:
        fail(str(exc), exc.code, as_json)
    if not_dialing_note(app):  # no appliance: no PBX, so no live call to end
        emit({"bank_id": bank_id, "state": bank.state.value, "calls": "none"}, as_json,
             f"Bank {bank_id} is stopped. The appliance is not running, so it has no live"
             " calls to end.")  # fmt: skip
        return
    emit({"bank_id": bank_id, "state": bank.state.value, "calls": "ending"}, as_json,
         f"Bank {bank_id} is stopped; its live calls are being ended.")  # fmt: skip


COMMANDS = [engine]
