"""Preview mode's contacts: the one claimed and shown to each volunteer before they press
Call (:attr:`BankRunner.previews`), given back when they leave or the bank stops, and the
preview call a volunteer placed while it rings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from controller.engine.calls import CallKind, EngineCall
from controller.store import dial_check, queue
from controller.store.queue import Claim

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner


def claim_dict(claim: Claim) -> dict[str, Any]:
    return {
        "entry_id": claim.entry_id,
        "e164": claim.e164,
        "contact_ids": [m.contact_id for m in claim.members],
    }


def hold_next(runner: BankRunner, volunteer_id: int) -> Claim | None:
    """The contact held for this volunteer; else the next one is claimed and held for them
    (None: nothing left to call)."""
    held = runner.previews.get(volunteer_id)
    if held is not None:
        return held
    claim = dial_check.next_callable(runner.db, runner.bank_id, runner.clock())
    if claim is None:
        return None
    runner.previews[volunteer_id] = claim
    return claim


def release_preview(runner: BankRunner, volunteer_id: int) -> None:
    """The contact held for this volunteer goes back to its old place in the queue."""
    held = runner.previews.pop(volunteer_id, None)
    if held is not None:
        with runner.db.write() as conn:
            queue.release(conn, held.entry_id)


def release_previews(runner: BankRunner) -> None:
    """Every contact held for a volunteer goes back (the bank stops)."""
    for volunteer_id in list(runner.previews):
        release_preview(runner, volunteer_id)


def placed_preview(runner: BankRunner, volunteer_id: int) -> EngineCall | None:
    """The preview call this volunteer pressed Call for, while it rings."""
    for call in runner.calls.values():
        mine = call.reserved_for == volunteer_id and not (call.ended or call.released)
        if call.kind is CallKind.PREVIEW and mine:
            return call
    return None
