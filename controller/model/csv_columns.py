"""Contact CSV columns: the fields a column can fill, the names VAN exports use for them,
and the mapping of a file's header to fields (``--map COL=FIELD`` or the web's drop-downs).
No file access here."""

from __future__ import annotations

import re
from collections.abc import Iterable

TEXT_TARGETS = ("first_name", "last_name", "address", "city", "state", "zip5")
PHONE_KINDS = {"cell": "cell", "home": "home", "work": "work", "optin": "optin", "": "other"}
PHONE_PARTS = ("", "_dialing_prefix", "_country_code", "_id", "_accuracy")
PHONE_TARGETS = {
    (f"{kind}_phone" if kind else "phone") + part: (kind, part)
    for kind in PHONE_KINDS
    for part in PHONE_PARTS
}
TARGETS = ("van_id", *TEXT_TARGETS, *PHONE_TARGETS)

_ALIASES = {
    "vanid": "van_id",
    "voterfilevanid": "van_id",
    "firstname": "first_name",
    "lastname": "last_name",
    "address": "address",
    "streetaddress": "address",
    "city": "city",
    "state": "state",
    "zip5": "zip5",
    "zip": "zip5",
    "zipcode": "zip5",
    "phonenumber": "phone",
}
_PHONE_HEADER = re.compile(
    r"^(cell|mobile|home|work|optin)?phone(dialingprefix|countrycode|id|accuracy)?$"
)
_PART_NAMES = {"dialingprefix": "_dialing_prefix", "countrycode": "_country_code", "id": "_id"}


class CsvError(ValueError):
    """The file as a whole cannot be imported (nothing is changed)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def auto_target(header: str) -> str | None:
    """The field a VAN-style column name stands for, or None (a custom column)."""
    key = re.sub(r"[^a-z0-9]", "", header.lower())
    if key in _ALIASES:
        return _ALIASES[key]
    match = _PHONE_HEADER.match(key)
    if match is None:
        return None
    kind = {"mobile": "cell", None: ""}.get(match.group(1), match.group(1))
    part = _PART_NAMES.get(match.group(2) or "", f"_{match.group(2)}" if match.group(2) else "")
    return (f"{kind}_phone" if kind else "phone") + part


def check_header(header: list[str]) -> None:
    """Refuse a header that names a column twice (columns are mapped by name); nameless
    columns (blank cells at the end of a spreadsheet's rows) are skipped, however many."""
    named = [h for h in header if h.strip()]
    if len(set(named)) != len(named):
        dup = next(h for h in named if named.count(h) > 1)
        raise CsvError("duplicate_column", f"column {dup!r} appears twice in the header")


def guess_mapping(header: list[str]) -> dict[str, str]:
    """{column: target} as guessed with no mapping: a field from the first column named
    for it; later look-alikes and other columns are extra (a nameless one is skipped)."""
    chosen = {index: target for target, index in assign_columns(header, {})[0].items()}
    return {h: chosen.get(i, f"extra:{h}" if h.strip() else "skip") for i, h in enumerate(header)}


def unused_lookalikes(
    header: list[str], mapping: dict[str, str], targets: dict[str, int]
) -> list[str]:
    """A note per column named for a field another column gives (kept as extra)."""
    notes = []
    for index, column in enumerate(header):
        auto = auto_target(column)
        if column in mapping or auto is None or targets.get(auto, index) == index:
            continue
        notes.append(
            f"column {column!r} looks like {auto}, which column {header[targets[auto]]!r}"
            " already gives: it is kept as an extra column (not dialed)"
        )
    return notes


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["Mobile=cell_phone", "Ward=skip", "Pct=extra:Precinct"]`` -> {column: target}."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise CsvError("bad_mapping", f"mapping must look like COLUMN=FIELD, got {pair!r}")
        if target not in TARGETS and target != "skip" and not target.startswith("extra:"):
            choices = ", ".join(TARGETS)
            raise CsvError(
                "unknown_field",
                f"unknown field {target!r} for column {column!r}: use {choices},"
                " skip, or extra:NAME",
            )
        mapping[column] = target
    return mapping


def assign_columns(
    header: list[str], mapping: dict[str, str]
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    targets: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    for column, target in mapping.items():
        if target in targets:
            raise CsvError("duplicate_field", f"two columns are mapped to {target!r}")
        if target in TARGETS:
            targets[target] = header.index(column)
    for index, column in enumerate(header):
        if column in mapping:
            target = mapping[column]
            if target.startswith("extra:"):
                extra.append((index, target[6:].strip() or column))
            continue
        auto = auto_target(column)
        if auto is not None and auto not in targets:
            targets[auto] = index
        elif column.strip():
            extra.append((index, column.strip()))
    _check_extra_names(header, extra)
    return targets, extra


def _check_extra_names(header: list[str], extra: list[tuple[int, str]]) -> None:
    """Refuse two columns kept under one custom name: one's values would be dropped."""
    seen: dict[str, int] = {}
    for index, name in extra:
        if name in seen:
            first, second = header[seen[name]], header[index]
            raise CsvError(
                "duplicate_extra",
                f"columns {first!r} and {second!r} would both be kept as {name!r}: map one of"
                " them to another name, or skip it",
            )
        seen[name] = index
