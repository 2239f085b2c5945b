"""What the call screen shows: banks as a volunteer sees them, the current contact with their
household and extra details, and the bank's script rendered for that contact.

Only the contacts of the volunteer's current call ever leave this module (the engine says
which: ``volunteer_ops.call_contact_ids``).
"""

from __future__ import annotations

from typing import Any

from controller.model import scripts as script_model
from controller.model.bank_settings import image_allowed
from controller.model.banks import Bank
from controller.model.outcomes import VOLUNTEER_OUTCOMES
from controller.store import banks as bank_store
from controller.store import contacts as contact_store
from controller.store import fields as field_store
from controller.store import scripts as script_store
from controller.store import start_progress
from controller.store.db import Database
from web.identity import CurrentUser

NOT_STARTED = "This phone bank has not started yet. Come back when your organizer starts it."
STARTING = "This phone bank is starting: calling opens in a moment."
PAUSED = (
    "This phone bank is paused. Come back later: calling goes on when your organizer resumes it."
)


def bank_card(bank: Bank, starting: bool = False) -> dict[str, Any]:
    """A bank in the volunteer's feed (no list, caller ids or other settings)."""
    s = bank.settings
    return {
        "id": bank.id,
        "title": s.title,
        "description": s.description,
        "image": s.image if image_allowed(s.image) else "",  # what the pages' CSP shows
        "disclaimer": s.disclaimer,
        "start_label": s.start_button_label or "Start calling",
        "state": bank.state.value,
        "running": bank.state.value == "running",
        "mode": s.dialing_mode.value,
        "paused": bank.state.value == "paused",
        "status_text": _status_text(bank.state.value, starting),
    }


def _status_text(state: str, starting: bool) -> str:
    if state == "running":
        return "Calling now"
    if state == "paused":
        return PAUSED
    return STARTING if starting else NOT_STARTED


def visible_bank(db: Database, user_id: int, bank_id: int) -> Bank | None:
    with db.read() as conn:
        return next((b for b in bank_store.visible_banks(conn, user_id) if b.id == bank_id), None)


def is_starting(db: Database, bank: Bank) -> bool:
    """Whether the bank's start is building its queue now (it opens once that is done)."""
    published = bank.state.value == "published" and bank.id is not None
    return published and start_progress.is_building(db.path, int(bank.id or 0))


def feed(db: Database, user_id: int) -> list[dict[str, Any]]:
    with db.read() as conn:
        banks = bank_store.visible_banks(conn, user_id)
    return [bank_card(b, is_starting(db, b)) for b in banks]


def outcomes() -> list[dict[str, str]]:
    return [{"code": o.code, "label": o.label} for o in VOLUNTEER_OUTCOMES]


def _volunteer_ctx(user: CurrentUser) -> dict[str, str]:
    first, _, last = user.label.partition(" ")
    return {"first_name": first, "last_name": last, "full_name": user.label}


def script_blocks(
    db: Database, bank: Bank, user: CurrentUser, contact: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Every block of the bank's script rendered for ``contact`` (placeholders when None)."""
    with db.read() as conn:
        stored = script_store.get(conn, int(bank.settings.script_id or 0))
        options = script_store.field_options(conn)
    if stored is None:
        return []
    person = contact or {"first_name": "(first name)", "last_name": "(last name)"}
    bank_ctx = {"title": bank.settings.title, "description": bank.settings.description}
    ctx = script_model.context_for(person, _volunteer_ctx(user), bank_ctx)
    out = []
    for block in stored.script.blocks:
        try:
            out.append(script_model.render_block(block, ctx, options))
        except script_model.ScriptError:
            out.append({"id": block.id, "title": block.title, "text": block.text,
                        "field": block.field, "responses": []})  # fmt: skip
    return out


def _details(bank: Bank, person: dict[str, Any]) -> list[dict[str, str]]:
    extra, values = person.get("extra") or {}, person.get("fields") or {}
    out = []
    for name in bank.settings.contact_details:
        value = extra.get(name, values.get(name, person.get(name, "")))
        out.append({"name": name, "value": "" if value is None else str(value)})
    return out


def _person(db: Database, contact_id: int) -> dict[str, Any] | None:
    return contact_store.contact_detail(db, contact_id)


def contact_view(
    db: Database, bank: Bank, user: CurrentUser, contact_ids: list[int], e164: str
) -> dict[str, Any] | None:
    """The call's contact, their household on this number, extra details and the script."""
    people = [p for p in (_person(db, c) for c in contact_ids) if p is not None]
    if not people:
        return None
    primary = people[0]
    primary["phone"] = e164
    return {
        "id": primary["id"],
        "name": f"{primary.get('first_name') or ''} {primary.get('last_name') or ''}".strip(),
        "e164": e164,
        "household": [
            {
                "id": p["id"],
                "name": f"{p.get('first_name') or ''} {p.get('last_name') or ''}",
                "wrong_number": any(n["wrong_number"] for n in p["phones"] if n["e164"] == e164),
            }
            for p in people
        ],
        "details": _details(bank, primary),
        "tags": primary.get("tags", []),
        "script": script_blocks(db, bank, user, primary),
    }


def report_options(db: Database, bank: Bank) -> dict[str, Any]:
    """The report form: the bank's tags and custom fields (with their options)."""
    with db.read() as conn:
        options = script_store.field_options(conn)
    fields = []
    for name in bank.settings.report_fields:
        field = field_store.get_field(db, name)
        if field is not None and not field["builtin"]:  # a bank saved before they were refused
            known = str(field["name"])  # as the field is spelled (choices are keyed by it)
            fields.append({"name": known, "kind": field["kind"], "options": options.get(known, [])})
    return {"tags": list(bank.settings.report_tags), "fields": fields}
