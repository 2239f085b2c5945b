"""Reading a script file's parsed YAML/JSON into blocks, with the layout checked first.

A file laid out wrongly (``blocks`` that is not a list, a response without a label, ...)
is refused with one ``bad_shape`` problem that says, in the script's own terms, what is
wrong and where (``block 2 ('support'): responses must be a list of {label, next}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LAYOUT = "a script file has `name:` and `blocks:`, a list of blocks (`- id: ...`)"
RESPONSES = "responses must be a list of {label, next}, e.g. - {label: Yes, next: thanks}"
BRANCHES = 'branches must pair options with blocks, e.g. branches: {"Against": null}'


class ShapeError(Exception):
    """The file is not laid out as a script; the message says what is wrong, and where."""


def blocks_of(data: Any) -> list[Mapping[str, Any]]:
    """The raw blocks of a parsed script file, each checked to be laid out as a block."""
    if not isinstance(data, Mapping):
        raise ShapeError(f"the file is not a script: {LAYOUT}")
    name = data.get("name")
    if isinstance(name, (Mapping, list)):
        raise ShapeError("`name:` must be a text, such as name: GOTV")
    raw = data.get("blocks")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ShapeError(f"`blocks:` must be a list of blocks: {LAYOUT}")
    for number, block in enumerate(raw, start=1):
        _check_block(number, block)
    return raw


def _check_block(number: int, block: Any) -> None:
    if not isinstance(block, Mapping):
        raise ShapeError(f"block {number} must have an id, a title, a text and responses")
    if block.get("id") in (None, ""):
        raise ShapeError(f"block {number} has no id (each block starts with `- id: NAME`)")
    where = f"block {number} ({str(block['id'])!r})"
    for key in ("id", "title", "text", "field", "next"):
        if isinstance(block.get(key), (Mapping, list)):
            raise ShapeError(f"{where}: `{key}:` must be a text, not a list or a mapping")
    responses = block.get("responses")
    if responses is not None and not isinstance(responses, list):
        raise ShapeError(f"{where}: {RESPONSES}")
    for index, response in enumerate(responses or [], start=1):
        if not isinstance(response, Mapping) or response.get("label") in (None, ""):
            raise ShapeError(f"{where}: response {index} has no label; {RESPONSES}")
        if isinstance(response.get("next"), (Mapping, list)):
            raise ShapeError(f"{where}: response {index}: `next:` must be a block id or null")
    branches = block.get("branches")
    if branches is not None and not isinstance(branches, Mapping):
        raise ShapeError(f"{where}: {BRANCHES}")
    for target in (branches or {}).values():
        if isinstance(target, (Mapping, list)):
            raise ShapeError(f"{where}: {BRANCHES}")
