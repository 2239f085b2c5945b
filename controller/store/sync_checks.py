"""Checks on CRM sync settings and instructions: URLs, API keys, and mapped field values.

The same checks serve ``phonebank sync`` and the admin page, so both refuse the same input
with the same words and change nothing.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sqlite3
from urllib.parse import urlsplit

from controller.errors import PhonebankError
from controller.model.fields import FieldError, validate_value

ANY_VALUE = "*"
_HOST = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$")
KIND_LABELS = {
    "yesno": "a yes/no field: the value must be Yes or No",
    "number": "a number field: the value must be a number",
    "date": "a date field: the value must be a date like 2026-11-03",
    "timestamp": "a date-and-time field: map it with *",
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
    """``url`` without its trailing slash: https:// only (plain http:// for this machine),
    with a host name or address and no spaces.

    ``carries`` names what would travel in clear text over http:// (for the message).
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise SyncConfigError("bad_url", f"{what} must start with https:// (got {url!r})")
    if not parts.hostname:
        raise SyncConfigError(
            "bad_url", f"{what} has no host: give it like https://api.example.org (got {url!r})"
        )
    _check_host(url, parts.hostname, what)
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise SyncConfigError(
            "insecure_url",
            f"{what} must start with https://, got {url!r}: over http:// {carries} would"
            " travel in clear text (http:// is accepted only for localhost or 127.0.0.1)",
        )
    return url.rstrip("/")


def _check_host(url: str, host: str, what: str) -> None:
    """Refuse a space anywhere, a host that is neither a name nor an address, a bad port."""
    if any(c.isspace() for c in url) or not (_is_address(host) or _HOST.match(host)):
        raise SyncConfigError(
            "bad_url", f"{what} has a space or a host name with a character it cannot have: {url!r}"
        )
    try:
        port = urlsplit(url).port
    except ValueError as exc:  # "out of range" or "could not be cast"
        wrong = "is out of range" if "range" in str(exc) else "is not a number"
        raise SyncConfigError("bad_url", f"{what} has a port that {wrong}: {url!r}") from None
    if port == 0:
        raise SyncConfigError("bad_url", f"{what} has a port that is out of range: {url!r}")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


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
    if kind == "timestamp":  # each attempt has its own time: a given one would never come
        raise SyncConfigError(
            "bad_timestamp", f"{name} has a new value at every call: map it with * (got {value!r})"
        )
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
