"""What a volunteer's call screen asks of the running engine.

The web layer never reaches into runners and pools itself: it calls these functions with
the signed-in volunteer's id. Each works only on that volunteer's own session and call, so a
page can never act on (or see) another volunteer's call. Refusals raise
:class:`VolunteerError` with a machine-readable ``code``.

- :func:`power_dial_news`: whether news of a power bank's dialing changes their screen.
- :func:`live_state`: the volunteer's state, the wait so far, and their current call (the
  one they talk to, or the one whose report is due), as a plain dict.
- :func:`ready` / :func:`pause`: queue for the next call, or stop taking calls. Ready is
  refused while the last call's outcome is not filed (``outcome_required``).
- :func:`hang_up`, :func:`end_session`, :func:`file`: end the conversation, leave the bank,
  file the outcome with the report, all or nothing (personal-phone calls are closed the
  personal-phone way); :func:`check_filing` checks a filing without writing.
- :class:`PinThrottle`: limits on wrong PINs per caller, per PIN and in all.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from controller.engine import modes, previews, unreached
from controller.engine.calls import EngineCall
from controller.engine.pin_throttle import PinThrottle as PinThrottle
from controller.model import outcomes
from controller.model.banks import DialingMode
from controller.model.outcomes import Outcome, OutcomeError
from controller.model.volunteers import Session, VolunteerError, VState
from controller.telephony import actions
from controller.telephony.ami import AmiError
from controller.telephony.call_states import TERMINAL, CallState

if TYPE_CHECKING:
    from controller.engine.engine import Engine
    from controller.engine.runner import BankRunner


def session_of(engine: Engine, volunteer_id: int) -> Session | None:
    return engine.pool.sessions.get(volunteer_id)


def runner_of(engine: Engine, volunteer_id: int) -> BankRunner | None:
    session = session_of(engine, volunteer_id)
    return engine.runners.get(session.bank_id) if session is not None else None


# The call states that change what a waiting power volunteer sees (``unreached.dial_status``):
# a call placed, no longer on its way (a volunteer took it, dropped, a machine), or ended.
DIAL_NEWS = TERMINAL | {CallState.DIALING, CallState.BRIDGED, CallState.DROPPED, CallState.MACHINE}


def power_dial_news(engine: Engine, volunteer_id: int, message: dict[str, Any]) -> bool:
    """Whether a bus message about a bank's dialing (``call`` or ``pacing``) changes this
    volunteer's screen: they wait in that power bank, and the message places or ends a call
    or says numbers stopped (or started again) being callable."""
    if message.get("topic") == "call" and message.get("state") not in DIAL_NEWS:
        return False
    session, runner = session_of(engine, volunteer_id), runner_of(engine, volunteer_id)
    return (
        runner is not None
        and session is not None
        and runner.bank_id == message.get("bank_id")
        and runner.bank.dialing_mode is DialingMode.POWER
        and session.state is VState.WAITING
    )


def current_call(engine: Engine, volunteer_id: int) -> EngineCall | None:
    """The call this volunteer is on, else the call whose outcome they still owe."""
    session, runner = session_of(engine, volunteer_id), runner_of(engine, volunteer_id)
    if session is None or runner is None:
        return None
    if session.call_id and session.call_id in runner.calls:
        call = runner.calls[session.call_id]
        if call.volunteer_id == volunteer_id and not call.released:  # released: report only
            return call
    return runner.wrapups.get(volunteer_id) or previews.placed_preview(runner, volunteer_id)


def call_contact_ids(engine: Engine, volunteer_id: int) -> list[int]:
    """The contacts this volunteer may see now: the household of their current call."""
    call = current_call(engine, volunteer_id)
    if call is not None and (call.connected_at is not None or call.kind.value == "preview"):
        return [m.contact_id for m in call.claim.members]
    runner = runner_of(engine, volunteer_id)
    held = runner.previews.get(volunteer_id) if runner is not None else None
    return [m.contact_id for m in held.members] if held is not None else []


def _call_dict(call: EngineCall, volunteer_id: int, runner: BankRunner) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "attempt_id": call.attempt_id,
        "e164": call.claim.e164,
        "contact_ids": [m.contact_id for m in call.claim.members],
        "connected": call.connected_at is not None,
        "connected_at": call.connected_at,
        "ended": call.ended or call.call_id not in runner.calls,
        "needs_outcome": volunteer_id in runner.wrapups,
        "state": call.state.value,
    }


def live_state(engine: Engine, volunteer_id: int) -> dict[str, Any]:
    """Everything the call screen shows about this volunteer, right now."""
    session, runner = session_of(engine, volunteer_id), runner_of(engine, volunteer_id)
    if session is None or runner is None:
        return {"state": "not_joined", "bank_id": None, "call": None}
    now = engine.clock()
    call = current_call(engine, volunteer_id)
    preview = runner.previews.get(volunteer_id)
    connected = call is not None and call.connected_at is not None
    shown = connected or (call is not None and call.kind.value == "preview")
    return {
        "state": session.state.value,
        "bank_id": session.bank_id,
        "bank_mode": runner.mode,
        "dialing_mode": runner.bank.dialing_mode.value,
        "via": session.via,
        "since": session.since,
        "waited": max(0.0, now - session.since),
        "calls_taken": session.calls_assigned,
        "call": _call_dict(call, volunteer_id, runner) if call and shown else None,
        "ringing": call is not None and not connected and not call.ended,
        "preview": previews.claim_dict(preview) if preview is not None else None,
        "rejoining": rejoining(engine, session),
        **unreached.dial_status(runner, session),
    }


def rejoining(engine: Engine, session: Session) -> bool:
    """Whether the volunteer's browser line dropped a moment ago and, once their browser
    phone is back in their room, they are back in the bank (``engine_events``)."""
    bank_id = engine.pool.dropped_from(session.volunteer_id, engine.clock())
    return session.via == "browser" and bank_id is not None and modes.open_to_join(engine, bank_id)


def _require_session(engine: Engine, volunteer_id: int) -> tuple[Session, BankRunner]:
    session, runner = session_of(engine, volunteer_id), runner_of(engine, volunteer_id)
    if session is None or runner is None or not session.connected:
        raise VolunteerError("not_joined", "join a phone bank first")
    return session, runner


def ready(engine: Engine, volunteer_id: int) -> Session:
    """Queue for the next call; refused until the last call's outcome is filed."""
    session, runner = _require_session(engine, volunteer_id)
    if volunteer_id in runner.wrapups:
        raise VolunteerError("outcome_required", "file the outcome of your last call first")
    if runner.mode not in ("running",):
        raise VolunteerError("bank_not_running", f"the phone bank is {runner.mode}")
    if session.state is VState.WAITING:
        return session
    session = engine.pool.ready(volunteer_id)
    runner.wake.set()
    return session


def pause(engine: Engine, volunteer_id: int) -> Session:
    """Stop taking calls; refused while the volunteer's preview call rings."""
    session, runner = _require_session(engine, volunteer_id)
    if session.state is VState.IDLE:
        return session
    if previews.placed_preview(runner, volunteer_id) is not None:
        raise VolunteerError("call_ringing", "Your call is still ringing: hang up first.")
    return engine.pool.pause(volunteer_id)


async def hang_up(engine: Engine, volunteer_id: int) -> bool:
    """Hang up the person this volunteer is talking to (the volunteer stays in the room)."""
    call = current_call(engine, volunteer_id)
    runner = runner_of(engine, volunteer_id)
    if call is None or runner is None or call.call_id not in runner.calls or call.released:
        return False  # nothing on the line, or a message being left on it (not theirs now)
    channels = [call.callee_channel] if call.callee_channel else engine.channels_of(call.call_id)
    for channel in channels:
        with contextlib.suppress(AmiError):
            await actions.hangup(engine.ami, channel)
    return bool(channels)


async def end_session(engine: Engine, volunteer_id: int) -> None:
    """Leave the bank: the volunteer's line is closed and they leave the pool at once. One
    whose phone never connected leaves too, their "call me" still ringing called off."""
    engine.pool.dropped.pop(volunteer_id, None)  # leaving on purpose: the line is not back
    session = session_of(engine, volunteer_id)
    if session is None or session.state is VState.DISCONNECTED:
        return
    if not session.connected:
        call_id = engine.callme_guard.pending.get(volunteer_id)
        for channel in engine.channels_of(call_id) if call_id else []:
            with contextlib.suppress(AmiError):
                await actions.hangup(engine.ami, channel)
        engine.pool.leave(volunteer_id)
        return
    await hang_up(engine, volunteer_id)
    leg = engine.pool.legs.get(volunteer_id)
    if leg is not None:
        with contextlib.suppress(AmiError):
            await actions.hangup(engine.ami, leg.channel)
    engine.pool.leave(volunteer_id)
    engine.pool.dropped.pop(volunteer_id, None)  # its line's end may have come meanwhile


def check_filing(
    engine: Engine, volunteer_id: int, outcome: str, contact_id: int | None = None
) -> Outcome:
    """Whether this volunteer may file ``outcome`` now (for ``contact_id``, else everyone on
    the call), writing nothing: a call in wrap-up, a person of that call, and an outcome
    the call screen offers (the dialer's automatic ones are its own)."""
    runner = runner_of(engine, volunteer_id)
    if runner is None:
        raise VolunteerError("not_joined", "join a phone bank first")
    call = runner.wrapups.get(volunteer_id)
    if call is None:
        raise VolunteerError("nothing_to_report", "there is no call to report on")
    if contact_id is not None and contact_id not in [m.contact_id for m in call.claim.members]:
        raise VolunteerError("not_in_call", "that person was not on this call")
    item = outcomes.outcome(outcome)
    if item.automatic:
        raise OutcomeError(
            "not_a_volunteer_outcome", f"{item.label!r} is recorded by the dialer, not filed"
        )
    return item


def file(
    engine: Engine,
    volunteer_id: int,
    outcome: str,
    notes: str = "",
    contact_id: int | None = None,
    report: Callable[[sqlite3.Connection], None] | None = None,
) -> list[int]:
    """File the outcome of the volunteer's call (every household member unless one is named).

    Checked first (:func:`check_filing`); ``report`` (the fields and tags filed with it) is
    written in the outcome's transaction, so a refusal stores none of it and leaves the
    volunteer in wrap-up to file again."""
    item = check_filing(engine, volunteer_id, outcome, contact_id)
    runner = runner_of(engine, volunteer_id)
    assert runner is not None  # checked
    if runner.bank.dialing_mode is DialingMode.PERSONAL:
        return modes.file_personal(engine, volunteer_id, item.code, notes, report, contact_id)
    return runner.file_outcome(volunteer_id, item.code, notes, contact_id, report)
