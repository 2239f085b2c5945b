"""Custom fields (survey answers, imported facts) and tags: names, kinds, value rules.

Two fields are built in and protected: ``Last Called At`` and ``Call Outcome`` (whose options
are the outcome catalogue). Nobody can delete them or change their options.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from controller.errors import PhonebankError
from controller.model.outcomes import OUTCOMES as OUTCOME_CATALOGUE

FIELD_KINDS = ("choice", "text", "number", "date", "yesno")
LAST_CALLED_AT = "Last Called At"
CALL_OUTCOME = "Call Outcome"
BUILTIN_FIELDS = (LAST_CALLED_AT, CALL_OUTCOME)
OUTCOMES = tuple(o.label for o in OUTCOME_CATALOGUE.values())  # the Call Outcome options
MAX_NAME = 64
MAX_TEXT = 2000
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


class FieldError(PhonebankError):
    """A field, value or tag that is not acceptable; ``code`` is machine-readable."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    options: tuple[str, ...] = ()
    is_default: bool = False


def validate_name(name: str, what: str = "field") -> str:
    clean = " ".join(name.split())
    if not clean:
        raise FieldError(f"bad_{what}_name", f"the {what} needs a name")
    if len(clean) > MAX_NAME:
        raise FieldError(f"bad_{what}_name", f"{what} names are at most {MAX_NAME} characters")
    return clean


def check_new_name(clean: str, what: str = "field") -> str:
    """A name for a new field or tag: no comma, since lists of them are written with commas
    (a bank's report fields and tags on its settings page, the CLI's --set)."""
    if "," in clean:
        raise FieldError(
            f"bad_{what}_name",
            f"a {what} name cannot contain a comma (lists of {what}s are written with commas)",
        )
    return clean


def is_builtin(name: str) -> bool:
    return name.strip().casefold() in {b.casefold() for b in BUILTIN_FIELDS}


def validate_field(
    name: str, kind: str, options: list[str] | tuple[str, ...] = (), is_default: bool = False
) -> FieldSpec:
    """A new custom field; built-in names and unknown kinds are refused."""
    clean = check_new_name(validate_name(name))
    if is_builtin(clean):
        raise FieldError("builtin_field", f"{clean!r} is a built-in field")
    if kind not in FIELD_KINDS:
        raise FieldError("bad_kind", f"kind must be one of {', '.join(FIELD_KINDS)}")
    opts = tuple(o.strip() for o in options if o.strip())
    if kind == "choice":
        if not opts:
            raise FieldError("no_options", "a choice field needs at least one option")
        if len({o.casefold() for o in opts}) != len(opts):
            raise FieldError("duplicate_option", "options must be different from each other")
    elif opts:
        raise FieldError("unexpected_options", f"a {kind} field takes no options")
    return FieldSpec(clean, kind, opts, is_default)


def validate_value(kind: str, options: tuple[str, ...] | list[str], value: str) -> str:
    """The stored form of ``value`` for a field of ``kind`` (raises ``FieldError``)."""
    text = value.strip()
    if kind == "text":
        if len(text) > MAX_TEXT:
            raise FieldError("too_long", f"text values are at most {MAX_TEXT} characters")
        return text
    if kind == "choice":
        for option in options:
            if option.casefold() == text.casefold():
                return option
        raise FieldError("not_an_option", f"{text!r} is not one of: {', '.join(options)}")
    if kind == "yesno":
        if text.lower() in _YES:
            return "yes"
        if text.lower() in _NO:
            return "no"
        raise FieldError("bad_yesno", f"answer yes or no, got {text!r}")
    return _typed(kind, text)


def _typed(kind: str, text: str) -> str:
    try:
        if kind == "number":
            number = float(text)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(text)
            return str(int(number)) if number.is_integer() else repr(number)
        if kind == "date":
            return date.fromisoformat(text).isoformat()
        if kind == "timestamp":
            return datetime.fromisoformat(text).isoformat()
    except ValueError:
        raise FieldError(f"bad_{kind}", f"not a valid {kind}: {text!r}") from None
    raise FieldError("bad_kind", f"unknown field kind {kind!r}")
