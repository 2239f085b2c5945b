"""What a previous engine process left open when it stopped mid-call, and conversations
whose report never came.

At start the engine closes, for every bank (running, paused or stopped), what is still open
in the store (:func:`recover_all`), once, before any bank's runner starts.
What the store knows decides each call's end: a call never answered is *No Answer*, one the
machine detection called a machine *Answering Machine*, one whose callee reached a
volunteer's room a conversation (*Not Recorded*: the report never came), and one answered
by a person nobody took *Dropped*. A number handed to a personal-phone volunteer may have
been a conversation (the appliance cannot know): *Not Recorded* too, never an automatic
*No Answer*. A call that already has an outcome (its report was stored, its end was not)
only gets its end. A conversation that ended but whose report was never filed is *Not
Recorded* too, unless a volunteer of a running bank may still file it (it ended within the
report grace: :func:`restore_owed` gives it back to them). Each outcome's rule then
reschedules or finishes the number: nothing is left dialing.

Each call is closed in its own transaction, and a bank's recovery never stops another's
(nor the engine's start): what cannot be closed is logged and left for the next start.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from controller.engine.calls import EngineCall
from controller.errors import PhonebankError
from controller.store import attempts, engine_log, queue
from controller.store.db import Database
from controller.telephony import actions
from controller.telephony.ami import AmiError, AmiSession
from controller.telephony.call_states import CallState

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner

log = logging.getLogger(__name__)
NOT_RECORDED = "not_recorded"  # the automatic outcome of a conversation never reported
CAUSE = "engine_restart"
PERSONAL_KIND = "m"  # the call id's kind of a number handed to a personal-phone volunteer
PERSONAL_CAUSE = "personal_phone"
_PERSONAL_ID = re.compile(rf"pb\d+{PERSONAL_KIND}-")


_PBX_CALL_ID = re.compile(r"pb\d+[cpr]-")  # outbound calls and their ring tones (not volunteers)


async def hang_up_left_calls(ami: AmiSession) -> int:
    """Hang up the outbound calls a previous engine process left on the PBX (the PBX kept
    running): nobody follows them now, so a person answering one would reach no volunteer
    and count nowhere. Their attempts are then closed by :func:`recover_all` like any call
    left open. Returns the channels hung up; a PBX that cannot list them is logged."""
    try:
        channels = await actions.core_show_channels(ami)
    except AmiError as exc:
        log.warning("engine: calls left on the PBX not listed: %s", exc)
        return 0
    left = [c.channel for c in channels if _PBX_CALL_ID.match(c.linkedid or c.uniqueid or "")]
    for channel in left:
        with contextlib.suppress(AmiError):
            await actions.hangup(ami, channel)
    if left:
        log.warning("engine: hung up %d channels of calls a previous run left", len(left))
    return len(left)


def is_personal(call_id: str) -> bool:
    """The attempt is a number handed to a personal-phone volunteer (no PBX call)."""
    return _PERSONAL_ID.match(call_id) is not None


def recover(db: Database, bank_id: int, now: float, owed_grace: float = 0.0) -> int:
    """Close what a previous engine process left open for this bank (it stopped mid-call):
    claims never dialed go back to the queue; attempts never ended get an end by what the
    store knows of them; ended conversations with no outcome get *Not Recorded*, except, in
    a running bank, the ones a volunteer still owes that ended less than ``owed_grace`` ago
    (a conversation cut by the stop included): their report is still theirs to file
    (:func:`restore_owed`). Returns the attempts closed (ended or given their outcome)."""
    with db.write() as conn:
        queue.release_stale(conn, bank_id, now)
        open_ = engine_log.open_attempts(conn, bank_id)
        keep = owed_grace > 0 and engine_log.bank_running(conn, bank_id)
    closed = sum(_closing(db, bank_id, row["id"], _end_open(row, now, keep)) for row in open_)
    with db.read() as conn:
        unreported = engine_log.owed_reports(conn, bank_id)
    for row in unreported:
        if keep and row["volunteer_id"] is not None and _ts(row["ended_at"]) >= now - owed_grace:
            continue
        closed += _closing(db, bank_id, row["id"], _not_recorded(row["id"], now))
    return closed


def restore_owed(runner: BankRunner) -> int:
    """The reports a volunteer owes for this bank's conversations that a previous run left
    unreported (kept by :func:`recover`): theirs to file again, due from the call's end
    (``Engine.expire_reports``); a volunteer owing several files the latest, the others are
    *Not Recorded*. Returns how many are owed."""
    with runner.db.read() as conn:
        owed = [r for r in engine_log.owed_reports(conn, runner.bank_id) if r["volunteer_id"]]
    latest = {int(r["volunteer_id"]): r for r in owed}  # oldest first: the last one stays
    now = runner.clock()
    for row in owed:
        if latest[int(row["volunteer_id"])] is not row:
            _closing(runner.db, runner.bank_id, row["id"], _not_recorded(row["id"], now))
    rows = list(latest.values())
    with runner.db.read() as conn:
        claims = {int(r["entry_id"]): queue.claim_of(conn, int(r["entry_id"])) for r in rows}
    for row in rows:
        ended, started = _ts(row["ended_at"]), _ts(row["started_at"])
        answered = _ts(row["answered_at"]) if row["answered_at"] else started
        call = EngineCall(
            str(row["call_id"]), int(row["id"]), claims[int(row["entry_id"])], started,
            state=CallState.ENDED, since=ended, answered_at=answered, verdict="HUMAN",
            volunteer_id=int(row["volunteer_id"]), connected_at=answered, ended=True,
        )  # fmt: skip
        runner.wrapups[int(row["volunteer_id"])] = call
        runner.pool.gone_since(runner.bank_id, int(row["volunteer_id"]), ended)
    return len(rows)


def _ts(iso: object) -> float:
    return datetime.fromisoformat(str(iso)).timestamp()


def recover_all(db: Database, now: float, owed_grace: float = 0.0) -> int:
    """:func:`recover` every bank that has something open (the engine's start); a bank
    whose recovery fails is logged and left for the next start. Volunteer sessions left
    open are closed first, at their last written totals."""
    with db.write() as conn:
        sessions = engine_log.close_left_open(conn)
    if sessions:
        log.info("closed %s volunteer sessions a previous run left open", sessions)
    with db.read() as conn:
        banks = engine_log.banks_to_recover(conn)
    closed = 0
    for bank_id in banks:
        try:
            closed += recover(db, bank_id, now, owed_grace)
        except (sqlite3.Error, PhonebankError):
            log.exception("bank %s: what a previous run left open was not closed", bank_id)
    return closed


def _closing(
    db: Database, bank_id: int, attempt_id: object, close: Callable[[sqlite3.Connection], None]
) -> int:
    """Run ``close`` in a transaction of its own: 1 when it was stored, 0 (logged) if not."""
    try:
        with db.write() as conn:
            close(conn)
    except (sqlite3.Error, PhonebankError):
        log.exception("bank %s: call attempt %s left open not closed", bank_id, attempt_id)
        return 0
    return 1


def _end_open(
    row: dict[str, object], now: float, keep_owed: bool = False
) -> Callable[[sqlite3.Connection], None]:
    """End an attempt left open by what the store knows of it (see the module); with
    ``keep_owed`` a conversation with a volunteer is only ended (its report still theirs)."""

    def close(conn: sqlite3.Connection) -> None:
        attempt_id = int(str(row["id"]))
        result = _result_of(row)
        attempts.record_end(conn, attempt_id, now, result, CAUSE)
        owed = keep_owed and result == "bridged" and row["volunteer_id"] is not None
        if result in ("bridged", "human") and not row["has_outcome"] and not owed:
            file_not_recorded(conn, attempt_id, (), now)

    return close


def _not_recorded(attempt_id: int, now: float) -> Callable[[sqlite3.Connection], None]:
    def close(conn: sqlite3.Connection) -> None:
        file_not_recorded(conn, attempt_id, (), now)

    return close


def _result_of(row: dict[str, object]) -> str:
    """The end of an attempt left open: a number handed to a personal-phone volunteer
    (``human``: they may have talked), a call already reported on (a conversation),
    unanswered, a machine, a conversation (the callee reached a volunteer's room) or a
    person nobody took (dropped)."""
    if is_personal(str(row["call_id"] or "")):
        return "human"
    if row["has_outcome"]:
        return "bridged"
    if not row["answered_at"]:
        return "no_answer"
    if str(row["amd_status"] or "").upper() == "MACHINE":
        return "machine"
    if row["connected"]:
        return "bridged"
    return "dropped"


def file_not_recorded(
    conn: sqlite3.Connection,
    attempt_id: int,
    contacts: Iterable[int],
    now: float,
    end_as: str = "",
    cause: str = CAUSE,
) -> list[int]:
    """File *Not Recorded* for a conversation whose report will not come (for
    ``contacts``, else everyone the call reached); its rule reschedules the number.

    With ``end_as`` (a result that files no outcome: ``human``, ``bridged``) an attempt
    still open (a number handed to a personal-phone volunteer) ends first, in the same
    transaction: nothing is left for the next start to close."""
    if end_as:
        _end_if_open(conn, attempt_id, now, end_as, cause)
    ids = list(contacts) or engine_log.attempt_contacts(conn, attempt_id)
    return [
        attempts.record_disposition(conn, attempt_id, NOT_RECORDED, c, None, "", now) for c in ids
    ]


def _end_if_open(
    conn: sqlite3.Connection, attempt_id: int, now: float, result: str, cause: str
) -> None:
    try:
        attempts.record_end(conn, attempt_id, now, result, cause)
    except attempts.AttemptError as exc:  # checked before anything is written
        if exc.code != "already_ended":
            raise
