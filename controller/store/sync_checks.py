"""Checks on CRM sync settings and instructions: URLs, API keys, and mapped field values.

The same checks serve ``phonebank sync`` and the admin page, so both refuse the same input
with the same words and change nothing.
"""

from __future__ import annotations

import ipaddress
import json
import sqlite3
from urllib.parse import urlsplit

from controller.errors import PhonebankError
from controller.model.fields import FieldError, validate_value

ANY_VALUE = "*"
KIND_LABELS = {
    "yesno": "a yes/no field: the value must be Yes or No",
    "number": "a number field: the value must be a number",
    "date": "a date field: the value must be a date like 2026-11-03",
    "timestamp": "a date-and-time field: the value must be a time like 2026-11-03T17:05:00"
    " (or * for every value)",
    "text": "a text field",
}


class SyncConfigError(PhonebankError):
    """Bad sync configuration; ``code`` is a machine-readable id."""


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, what: str, carries: str) -> str:
    """``url`` without its trailing slash: https:// only (plain http:// for this machine).

    ``carries`` names what would travel in clear text over http:// (for the message).
    """
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and _loopback(parts.hostname):
        return url  # a test server on this machine (nothing leaves it)
    if parts.scheme == "http":
        raise SyncConfigError(
            "insecure_url",
            f"{what} must start with https://, got {url!r}: over http:// {carries} would"
            " travel in clear text (http:// is accepted only for localhost or 127.0.0.1)",
        )
    raise SyncConfigError("bad_url", f"{what} must start with https:// (got {url!r})")


def check_api_key(key: str) -> str:
    if not key.strip():
        raise SyncConfigError(
            "empty_api_key", "the API key is empty: give the key VAN issued for the application"
        )
    if "|" in key:
        raise SyncConfigError("bad_api_key", "give the API key without the |mode suffix")
    return key


def check_value(field: sqlite3.Row, value: str) -> str:
    """The form of ``value`` that the field's answers take (what an instruction matches)."""
    if value == ANY_VALUE:
        return value
    name, kind = str(field["name"]), str(field["kind"])
    if not value.strip():
        raise SyncConfigError("empty_value", f"give a value of {name} (or * for every value)")
    if kind == "choice":
        options = {str(o).lower(): str(o) for o in json.loads(field["options"])}
        if value.strip().lower() not in options:
            choices = ", ".join(options.values())
            raise SyncConfigError(
                "unknown_value", f"{name} has no value {value!r} (choices: {choices})"
            )
        return options[value.strip().lower()]
    try:
        stored = validate_value(kind, [], value)
    except FieldError as exc:
        label = KIND_LABELS.get(kind, f"a {kind} field")
        raise SyncConfigError(exc.code, f"{name} is {label} (got {value!r})") from None
    # a script's answer to a yes/no field is its response label, Yes or No
    return stored.capitalize() if kind == "yesno" else stored
