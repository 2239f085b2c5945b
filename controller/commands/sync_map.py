"""``phonebank sync instructions / map / unmap``: what each field value records in VAN."""

from __future__ import annotations

from typing import Any

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app
from controller.commands.params import ID
from controller.store.sync_settings import (
    SyncConfigError,
    delete_instruction,
    list_instructions,
    set_instruction,
)


@click.command("instructions")
@json_option
@pass_app
def instructions(app: AppContext, as_json: bool) -> None:
    """List the sync instructions: what each field value records in VAN."""
    with app.db.read() as conn:
        items = list_instructions(conn)
    lines = [f"{i.field_name} = {i.value}: {_describe(i.as_dict())}" for i in items]
    emit([i.as_dict() for i in items], as_json, "\n".join(lines) or "No instructions.")


def _describe(i: dict[str, Any]) -> str:
    what = {
        "result_code": f"result code {i['result_code']!r}",
        "survey_response": f"survey question {i['survey_question_id']}"
        f" -> response {i['survey_response_id']}",
        "activist_code": f"activist code {i['activist_code_id']} ({i['activist_action']})",
    }[i["van_kind"]]
    off = "" if i["enabled"] else " [disabled]"
    return f"{what}, contact type {i['contact_type']!r}, input type {i['input_type']!r}{off}"


@click.command("map")
@click.argument("field")
@click.argument("value")
@click.option("--result-code", help="VAN result code name (e.g. 'Not Home').")
@click.option("--survey-question", "survey_question_id", type=ID, help="Survey question id.")
@click.option("--survey-response", "survey_response_id", type=ID, help="Survey response id.")
@click.option("--activist-code", "activist_code_id", type=ID, help="Activist code id.")
@click.option("--remove", is_flag=True, help="Remove the activist code instead of applying.")
@click.option("--contact-type", default="Phone", show_default=True, help="VAN contact type.")
@click.option("--input-type", default="API", show_default=True, help="VAN input type.")
@click.option("--disable", is_flag=True, help="Keep the instruction but send nothing.")
@json_option
@pass_app
def map_value(app: AppContext, field: str, value: str, as_json: bool, **opts: Any) -> None:
    """Set what FIELD = VALUE records in VAN (VALUE '*' matches any value; any other VALUE
    must be one FIELD can take: an option, Yes or No, a number, a date like 2026-11-03).

    Give exactly one of --result-code, --survey-question with --survey-response, or
    --activist-code. Example: phonebank sync map "Call Outcome" Busy --result-code "Not Home"
    """
    kinds = {
        "result_code": opts["result_code"],
        "survey_response": opts["survey_question_id"] or opts["survey_response_id"],
        "activist_code": opts["activist_code_id"],
    }
    chosen = [k for k, v in kinds.items() if v]
    if len(chosen) != 1:
        fail(
            "give exactly one of --result-code, --survey-question/--survey-response, "
            "--activist-code",
            "one_van_type",
            as_json,
        )
        return
    spec = {
        k: opts[k]
        for k in (
            "result_code",
            "survey_question_id",
            "survey_response_id",
            "activist_code_id",
            "contact_type",
            "input_type",
        )
    }
    spec["activist_action"] = "Remove" if opts["remove"] else "Apply"
    spec["enabled"] = not opts["disable"]
    try:
        with app.db.write() as conn:
            item = set_instruction(conn, field, value, chosen[0], **spec)
    except SyncConfigError as exc:
        fail(str(exc), exc.code, as_json)
        return
    emit(item.as_dict(), as_json, f"{item.field_name} = {item.value}: {_describe(item.as_dict())}")


@click.command("unmap")
@click.argument("field")
@click.argument("value")
@json_option
@pass_app
def unmap_value(app: AppContext, field: str, value: str, as_json: bool) -> None:
    """Delete the instruction for FIELD = VALUE (that value is then not synced)."""
    try:
        with app.db.write() as conn:
            removed = delete_instruction(conn, field, value)
    except SyncConfigError as exc:
        fail(str(exc), exc.code, as_json)
        return
    if not removed:
        fail(f"no instruction for {field} = {value}", "no_instruction", as_json)
    emit({"removed": True}, as_json, f"Removed the instruction for {field} = {value}.")


MAP_COMMANDS = [instructions, map_value, unmap_value]
