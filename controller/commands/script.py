"""``phonebank script``: import, export, validate and delete call scripts (YAML or JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import click
import yaml

from controller.commands.common import (
    AppContext,
    emit,
    fail,
    json_option,
    pass_app,
    plural,
    write_file,
)
from controller.model import scripts as model
from controller.model.scripts import Problem, Script, ScriptError
from controller.store import scripts as store


@click.group("script")
def script() -> None:
    """Call scripts: blocks of text with responses that branch to other blocks.

    File format (YAML or JSON): `name`, then `blocks`, a list of {id, title, text,
    responses: [{label, next}]}; `next: null` ends the script, and every block needs a way
    to an end (a loop needs a response that leads out). A block with `field: NAME`
    takes its responses from that custom field's options and saves the answer on the
    contact (`next` for all options, `branches: {option: block}` per option). Texts may use
    {{ contact.first_name }}, {{ volunteer.first_name }}, {{ bank.title }} and similar.
    """


MAX_SCRIPT_BYTES = 1_000_000  # a script of hundreds of blocks is well under 100 kB
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: fast on big files
_BOOL = "tag:yaml.org,2002:bool"


class _Loader(_BASE):  # type: ignore[misc,valid-type]
    """YAML as a script is written: yes / no / on / off are words (a response labelled Yes
    must read Yes); only true / false are booleans (YAML 1.2)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_LOADER = _Loader


def _load(path: Path, name: str = "") -> Script:
    """The script in ``path`` (YAML, or JSON by its suffix); ``name`` is the file as the
    organizer knows it (an upload's own name), used in messages."""
    shown = name or path.name
    if not path.is_file():
        raise ScriptError([Problem("no_such_file", f"no such file: {path}")])
    if path.stat().st_size > MAX_SCRIPT_BYTES:
        size = f"{path.stat().st_size / 1e6:.1f} MB"
        msg = f"{shown} is {size}: a script file may be at most 1 MB (is it the right file?)"
        raise ScriptError([Problem("file_too_big", msg)])
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.load(text, _LOADER)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError, RecursionError) as exc:
        problem = Problem("parse_error", f"{shown} cannot be read: {_unreadable(exc)}")
        raise ScriptError([problem]) from exc
    return model.from_dict(data)


def _unreadable(exc: Exception) -> str:
    """Why a script file cannot be read, in words, with the line where it shows."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text (save it as UTF-8)"
    if isinstance(exc, json.JSONDecodeError):
        return f"it is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or ""
    said = " at ".join(p for p in (problem, where) if p)
    return f"it is not valid YAML ({said})" if said else "it is not valid YAML"


def _problems_text(problems: list[Problem]) -> str:
    """One line per problem; the block is added when the message does not name it."""
    return "\n".join(f"  [{p.code}] {p.text}" for p in problems)


REFUSALS = ("script_exists", "script_in_use")  # about saving, not about the script's content


def _report(problems: list[Problem], as_json: bool) -> None:
    data = [{"code": p.code, "message": p.message, "block": p.block} for p in problems]
    if as_json:
        click.echo(json.dumps({"error": problems[0].code, "problems": data}, indent=2), err=True)
    elif len(problems) == 1 and problems[0].code in REFUSALS:
        click.echo(f"Error: {problems[0].message}", err=True)
    else:
        click.echo(f"Error: the script has {plural(len(problems), 'problem')}:", err=True)
        click.echo(_problems_text(problems), err=True)
    raise SystemExit(1)


@script.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_app
def validate(app: AppContext, file: Path, as_json: bool) -> None:
    """Check FILE without saving it: dangling branches, unreachable blocks, blocks that
    never reach an end, unknown variables or fields. Exits 1 and lists every problem."""
    try:
        loaded = _load(file)
    except ScriptError as exc:
        _report(exc.problems, as_json)
        return
    with app.db.read() as conn:
        problems = store.check(conn, loaded)
    if problems:
        _report(problems, as_json)
    emit({"ok": True, "name": loaded.name, "blocks": len(loaded.blocks)}, as_json,
         f"Script {loaded.name!r} is valid ({plural(len(loaded.blocks), 'block')}).")  # fmt: skip


@script.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Overwrite the script with the same name (refused while a started or"
              " stopped bank uses it; draft and published banks using it follow).")  # fmt: skip
@json_option
@pass_app
def import_(app: AppContext, file: Path, replace: bool, as_json: bool) -> None:
    """Validate and save the script in FILE (nothing is saved if it has problems).

    With --replace, the same-named script is updated, unless a running, paused or stopped
    bank uses it (script_in_use: import it under another name and attach that to the
    banks meant to change). Draft and published banks using it follow, and are named.
    """
    try:
        loaded = _load(file)
        with app.db.write() as conn:
            script_id = store.save(conn, loaded, replace=replace)
            using = store.banks_using(conn, script_id)
    except ScriptError as exc:
        _report(exc.problems, as_json)
        return
    text = f"Saved script {script_id}: {loaded.name!r} ({plural(len(loaded.blocks), 'block')})."
    if using:
        verb = "shows" if len(using) == 1 else "show"
        text += f" Used by {store.bank_list(using)}, which now {verb} it."
    banks = [i for i, _ in using]
    emit({"id": script_id, "name": loaded.name, "blocks": len(loaded.blocks), "banks": banks},
         as_json, text)  # fmt: skip


@script.command("export")
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True, help="The file format to print or write.")  # fmt: skip
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the screen.")  # fmt: skip
@json_option
@pass_app
def export(app: AppContext, ref: str, fmt: str, output: Path | None, as_json: bool) -> None:
    """Print the script REF (id or name) as YAML or JSON, ready to edit and re-import.

    --json is the same as --format json.
    """
    fmt = "json" if as_json else fmt
    with app.db.read() as conn:
        found = store.get(conn, ref)
    if found is None:
        fail(f"there is no script {ref!r}", "unknown_script", fmt == "json")
        return
    data = model.to_dict(found.script)
    if fmt == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if output:
        write_file(output, lambda fh: fh.write(text), fmt == "json")
    else:
        click.echo(text, nl=False)


@script.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List saved scripts with the banks using them (one no bank uses can be deleted)."""
    with app.db.read() as conn:
        rows = store.list_all(conn)
    text = "\n".join(f"{r['id']}\t{r['name']}\t{r['blocks']} blocks\t{_users(r)}"
                     for r in rows)  # fmt: skip
    emit(rows, as_json, text or "No scripts.")


def _users(row: dict[str, object]) -> str:
    banks = cast(list[tuple[int, str]], row["bank_states"])
    return f"used by {store.bank_list(banks)}" if banks else "used by no bank"


@script.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Confirm: the script is gone for good.")
@json_option
@pass_app
def delete(app: AppContext, name: str, yes: bool, as_json: bool) -> None:
    """Delete the saved script NAME (or its id; needs --yes).

    Refused (script_in_use, naming each bank and its state) while any bank uses it, even a
    draft: attach another script to that bank first (a started or stopped bank keeps its
    script for good). The custom fields its blocks linked are no longer in use by it.
    """
    if not yes:
        fail("deleting a script is final; add --yes to confirm", "confirm_required", as_json)
    try:
        with app.db.write() as conn:
            gone = store.delete(conn, name)
    except ScriptError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit({"id": gone.id, "name": gone.script.name, "deleted": True}, as_json,
         f"Script {gone.id} ({gone.script.name!r}) deleted.")  # fmt: skip


COMMANDS = [script]
