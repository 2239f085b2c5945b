"""Calls that never reached a volunteer's room, and what the call screens say about them.

A preview call that ends before reaching the volunteer (busy, not in service, no answer) is
noted for them and their next contact is offered at once; the calls the pacer of a power
bank places for its waiting volunteers that end without a conversation are noted for the
bank, and the waiting volunteers' screens show the last few (:func:`dial_status`). The
notes themselves are kept in :mod:`controller.engine.call_notes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from controller.engine.call_notes import CallNote
from controller.engine.calls import CallKind, EngineCall
from controller.engine.previews import hold_next
from controller.model.banks import DialingMode
from controller.model.volunteers import Session, VState
from controller.store import contacts as contact_store

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner


def call_ended(runner: BankRunner, call: EngineCall, result: str, cause: str) -> None:
    """The runner closed a call's attempt (``result``, ``cause``). One that never reached a
    volunteer's room is noted: a preview call for the volunteer who pressed Call (who is
    offered their next contact at once), a power call for the bank's waiting volunteers.
    Their screens are told (a ``volunteer`` message each)."""
    if call.connected_at is not None:
        return
    now = runner.clock()
    if call.kind is CallKind.PREVIEW and call.reserved_for is not None:
        vid = call.reserved_for
        name = _contact_name(runner, call)
        runner.call_notes.add(
            CallNote.of(now, call.call_id, result, cause, name, call.claim.e164), vid
        )
        _offer_next(runner, vid)
        _announce(runner, [vid], call.call_id)
    elif runner.bank.dialing_mode is DialingMode.POWER:
        runner.call_notes.add(CallNote.of(now, call.call_id, result, cause))
        waiting = [s for s in runner.pool.of_bank(runner.bank_id) if s.state is VState.WAITING]
        _announce(runner, [s.volunteer_id for s in waiting], call.call_id)


def _contact_name(runner: BankRunner, call: EngineCall) -> str:
    members = call.claim.members
    person = contact_store.contact_detail(runner.db, members[0].contact_id) if members else None
    if person is None:
        return ""
    return f"{person.get('first_name') or ''} {person.get('last_name') or ''}".strip()


def _offer_next(runner: BankRunner, volunteer_id: int) -> None:
    """Preview: claim the volunteer's next contact, when they can call it now."""
    session = runner.pool.sessions.get(volunteer_id)
    if (
        session is None
        or not session.connected
        or session.state is not VState.WAITING
        or runner.mode != "running"
        or runner.bank.dialing_mode is not DialingMode.PREVIEW
    ):
        return
    hold_next(runner, volunteer_id)


def _announce(runner: BankRunner, volunteer_ids: list[int], call_id: str) -> None:
    for vid in volunteer_ids:
        s = runner.pool.sessions.get(vid)
        if s is not None:
            runner.bus.publish(
                "volunteer", runner.bank_id, volunteer_id=vid, state=s.state.value,
                conference=s.conference, call_ended=call_id,
            )  # fmt: skip


def dial_status(runner: BankRunner, session: Session) -> dict[str, Any]:
    """For the call screen: ``last_calls``, the notes since the volunteer last became ready
    (preview: the contacts they called; power: the bank's last numbers), newest first; and
    in a running power bank, while they wait, ``dialing``: the bank's calls on their way
    and whether the pacer found no number it may call now since they became ready (every
    number left is outside calling hours or waits for its retry)."""
    mode = runner.bank.dialing_mode
    notes: list[CallNote] = []
    if mode is DialingMode.PREVIEW:
        notes = runner.call_notes.recent(session.volunteer_id, session.since)
    elif mode is DialingMode.POWER:
        notes = runner.call_notes.recent(None, session.since)
    dialing = None
    if mode is DialingMode.POWER and runner.mode == "running" and session.state is VState.WAITING:
        in_flight = sum(1 for c in runner.calls.values() if c.in_flight)
        dialing = {"in_flight": in_flight, "nothing_to_call": False}
        if in_flight == 0:  # the pacer's latest decision, stored or not (decision_log.py)
            made = runner.decisions.latest
            fresh = made is not None and made.at >= session.since and made.fruitless
            dialing["nothing_to_call"] = fresh
    return {"last_calls": [n.to_dict() for n in notes], "dialing": dialing}
