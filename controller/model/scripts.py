"""Call scripts: a graph of blocks the volunteer walks through during a call.

A script is a list of blocks; the first one is where a call starts. Each block has a title,
a text (with dynamic variables such as ``{{ contact.first_name }}``) and responses; each
response leads to another block or ends the script (``next: null``). A block linked to a
custom field (``field: "Support"``) takes its responses from the field's options (they are
not editable there) and choosing one saves that field on the contact; ``next`` is where
every option goes, ``branches`` overrides it per option.

Texts (:mod:`controller.model.script_text`) render in a sandboxed jinja2 environment;
unknown variables and anything but showing values are validation problems.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from controller.model import script_paths, script_shape
from controller.model.script_text import VARIABLES as VARIABLES
from controller.model.script_text import Problem as Problem
from controller.model.script_text import ScriptError as ScriptError
from controller.model.script_text import check_text
from controller.model.script_text import context_for as context_for
from controller.model.script_text import render as render


@dataclass(frozen=True)
class Response:
    label: str
    next: str | None = None


@dataclass(frozen=True)
class Block:
    id: str
    title: str
    text: str = ""
    responses: tuple[Response, ...] = ()
    field: str | None = None
    next: str | None = None  # field blocks: where each option leads by default
    branches: Mapping[str, str | None] = dataclasses.field(default_factory=dict)

    def targets(self) -> Iterator[tuple[str, str | None]]:
        """(response label, next block) pairs this block can lead through."""
        for r in self.responses:
            yield r.label, r.next
        if self.field is not None:
            yield "(any option)", self.next
            yield from self.branches.items()


@dataclass(frozen=True)
class Script:
    name: str
    blocks: tuple[Block, ...] = ()

    def block(self, block_id: str) -> Block:
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise KeyError(block_id)

    @property
    def start(self) -> Block | None:
        return self.blocks[0] if self.blocks else None


def from_dict(data: Any) -> Script:
    """Build a script from parsed YAML/JSON; a file laid out wrongly is one ``bad_shape``
    problem saying what is wrong and where (see ``script_shape``)."""
    try:
        raw_blocks = script_shape.blocks_of(data)
        return _from_dict(data, raw_blocks)
    except script_shape.ShapeError as exc:
        raise ScriptError([Problem("bad_shape", str(exc))]) from exc
    except (TypeError, KeyError, AttributeError, ValueError) as exc:  # not foreseen above
        msg = f"the file is not laid out as a script: {script_shape.LAYOUT}"
        raise ScriptError([Problem("bad_shape", msg)]) from exc


def _from_dict(data: Mapping[str, Any], raw_blocks: list[Mapping[str, Any]]) -> Script:
    blocks = []
    for raw in raw_blocks:
        responses = tuple(
            Response(str(r["label"]), _opt(r.get("next"))) for r in raw.get("responses") or []
        )
        branches = {str(k): _opt(v) for k, v in (raw.get("branches") or {}).items()}
        blocks.append(
            Block(
                id=str(raw["id"]),
                title=str(raw.get("title") or raw["id"]),
                text=str(raw.get("text") or ""),
                responses=responses,
                field=_opt(raw.get("field")),
                next=_opt(raw.get("next")),
                branches=branches,
            )
        )
    return Script(name=str(data.get("name") or "").strip(), blocks=tuple(blocks))


def _opt(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def to_dict(script: Script) -> dict[str, Any]:
    out = []
    for b in script.blocks:
        item: dict[str, Any] = {"id": b.id, "title": b.title, "text": b.text}
        if b.field is not None:
            item["field"] = b.field
            item["next"] = b.next
            if b.branches:
                item["branches"] = dict(b.branches)
        else:
            item["responses"] = [{"label": r.label, "next": r.next} for r in b.responses]
        out.append(item)
    return {"name": script.name, "blocks": out}


def validate(script: Script, fields: Mapping[str, list[str]] | None = None) -> list[Problem]:
    """Every problem with ``script``. ``fields`` maps custom field names to their options."""
    fields = fields or {}
    problems: list[Problem] = []
    if not script.name:
        problems.append(Problem("name_required", "the script needs a name (`name: GOTV`)"))
    if not script.blocks:
        return [*problems, Problem("empty_script", "the script has no blocks")]
    problems += _check_ids(script)
    ids = {b.id for b in script.blocks}
    for b in script.blocks:
        problems += _check_block(b, ids, fields)
    reached = script_paths.reachable(script)
    for b in script.blocks:
        if b.id not in reached:
            problems.append(Problem("unreachable_block", f"block {b.id!r} is never reached", b.id))
    return problems + _no_end(script, fields)


def _no_end(script: Script, fields: Mapping[str, list[str]]) -> list[Problem]:
    """``script_no_end`` for each reachable block from which no answer ever ends the call."""
    out = []
    for block_id, loop in script_paths.trapped(script, fields).items():
        msg = (f"block {block_id!r} never reaches an end: its responses only lead to"
               f" {quoted(loop)}; give one of them a response that ends the script")  # fmt: skip
        out.append(Problem("script_no_end", msg, block_id))
    return out


def quoted(names: list[str]) -> str:
    """``'a'`` / ``'a' and 'b'`` / ``'a', 'b' and 'c'``."""
    items = [repr(n) for n in names]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _check_ids(script: Script) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for b in script.blocks:
        if b.id in seen:
            out.append(Problem("duplicate_block", f"block id {b.id!r} is used twice", b.id))
        seen.add(b.id)
    return out


def _check_block(b: Block, ids: set[str], fields: Mapping[str, list[str]]) -> list[Problem]:
    out: list[Problem] = []
    for label, target in b.targets():
        if target is not None and target not in ids:
            msg = f"block {b.id!r} response {label!r} leads to missing block {target!r}"
            out.append(Problem("dangling_branch", msg, b.id))
    if b.field is not None:
        if b.field not in fields:
            msg = (f"block {b.id!r} uses the field {b.field!r}, which does not exist"
                   " (`phonebank fields list` shows the fields)")  # fmt: skip
            out.append(Problem("unknown_field", msg, b.id))
        elif not fields[b.field]:
            msg = (f"block {b.id!r} asks the field {b.field!r}, which has no options to click:"
                   " a block can ask a choice or yes/no field")  # fmt: skip
            out.append(Problem("field_without_options", msg, b.id))
        else:
            for option in b.branches:
                if option not in fields[b.field]:
                    msg = f"block {b.id!r}: {option!r} is not an option of {b.field!r}"
                    out.append(Problem("unknown_option", msg, b.id))
        if b.responses:
            msg = f"block {b.id!r} takes its responses from field {b.field!r}; remove its own"
            out.append(Problem("field_responses_fixed", msg, b.id))
    elif not b.responses:
        pass  # a block without responses ends the script
    for text in (b.title, b.text):
        out += [Problem(p.code, p.message, b.id) for p in check_text(text)]
    return out


def responses_for(block: Block, fields: Mapping[str, list[str]]) -> list[Response]:
    """What the volunteer can click in ``block`` (field blocks: the field's options)."""
    if block.field is None:
        return list(block.responses)
    options = fields.get(block.field, [])
    return [Response(o, block.branches.get(o, block.next)) for o in options]


def render_block(
    block: Block, context: Mapping[str, Any], fields: Mapping[str, list[str]]
) -> dict[str, Any]:
    """A block ready for the call screen: rendered title and text, clickable responses."""
    return {
        "id": block.id,
        "title": render(block.title, context),
        "text": render(block.text, context),
        "field": block.field,
        "responses": [{"label": r.label, "next": r.next} for r in responses_for(block, fields)],
    }
