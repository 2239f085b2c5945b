"""Setting values parsed by their declared type (pure: no I/O).

A settings dataclass field's type picks its :class:`Kind`: ``bool``, ``int``, ``float``,
``str``, ``tuple[str, ...]``, ``datetime`` or a ``StrEnum``, each possibly ``| None``. A
kind takes a value already of its type (a form that converted it, a stored setting) or as
text (``--set NAME=VALUE``, a form box) and gives the typed value, or raises
:class:`WrongType`. Text rules:

- boolean: true/false, yes/no, on/off, 1/0 (any case);
- integer: whole numbers only (``2.7`` is refused); number: any finite number;
- text: taken as written (``123`` is the text "123");
- list: a JSON list (``["212","646"]``) or comma-separated (``212,646``); blank items drop;
- datetime: ISO 8601 (``2026-05-02T16:00:00-04:00``);
- choice: one of the enum's values.

``None`` is taken only by a setting that may be unset (``| None``); for those a blank text
means ``None`` too.
"""

from __future__ import annotations

import json
import math
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Union, get_args, get_origin

TRUE = frozenset({"true", "yes", "on", "1"})
FALSE = frozenset({"false", "no", "off", "0"})
WHOLE = re.compile(r"^[+-]?[0-9]+$")  # ASCII digits only ("٣" is no number to a person)


class WrongType(ValueError):
    """A value its setting's type cannot take."""


@dataclass(frozen=True)
class Kind:
    """``name``: the type's machine-readable name; ``expected``: what it takes, for people."""

    name: str
    expected: str
    convert: Callable[[Any], Any]
    optional: bool = False

    def parse(self, value: Any) -> Any:
        if value is None or (self.optional and isinstance(value, str) and not value.strip()):
            if self.optional:
                return None
            raise WrongType(self.expected)
        return self.convert(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE or word in FALSE:
        return word in TRUE
    raise WrongType


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and WHOLE.match(value.strip()):
        return int(value.strip())
    raise WrongType


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise WrongType
    if isinstance(value, str) and not value.isascii():
        raise WrongType  # float() reads other scripts' digits; a setting is written in ASCII
    try:
        number = float(value)
    except ValueError:
        raise WrongType from None
    if not math.isfinite(number):
        raise WrongType
    return number


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise WrongType
    return value


def _text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise WrongType from None
        else:
            value = text.split(",")
    if not isinstance(value, list | tuple):
        raise WrongType
    if any(isinstance(v, bool) or not isinstance(v, str | int) for v in value):
        raise WrongType
    return tuple(str(v).strip() for v in value if str(v).strip())


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise WrongType
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise WrongType from None


def _choice(kind: type[StrEnum]) -> Kind:
    def convert(value: Any) -> StrEnum:
        try:
            return kind(value.strip() if isinstance(value, str) else value)
        except ValueError:
            raise WrongType from None

    known = ", ".join(m.value for m in kind)
    return Kind("choice", f"one of: {known}", convert)


SIMPLE = {
    bool: Kind("boolean", "true or false (also yes/no, on/off, 1/0)", _boolean),
    int: Kind("integer", "a whole number", _integer),
    float: Kind("number", "a number", _number),
    str: Kind("text", "text", _text),
    datetime: Kind("datetime", "an ISO date-time (2026-05-02T16:00:00-04:00)", _datetime),
}
TEXT_LIST = Kind("list", 'a list: JSON (["a","b"]) or comma-separated (a,b)', _text_list)


def kind_of(hint: Any) -> Kind:
    """The kind of a field's (evaluated) type hint."""
    args = get_args(hint)
    if get_origin(hint) in (Union, types.UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        found = kind_of(inner)
        return Kind(found.name, f"{found.expected}, or empty for none", found.convert, True)
    if get_origin(hint) is tuple and args in ((str, ...),):
        return TEXT_LIST
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return _choice(hint)
    if hint in SIMPLE:
        return SIMPLE[hint]
    raise TypeError(f"no setting kind for {hint!r}")
