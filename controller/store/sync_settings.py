"""CRM sync configuration: sync instructions per custom-field value, VAN and webhook settings.

A sync instruction says what to record in NGP VAN when a contact's custom field takes a
value: a canvass result code (e.g. Call Outcome = Busy -> result "Not Home"), or a script
response (survey question answer or activist code). Names (result code, contact type, input
type) are resolved to VAN ids when sending, so an instruction can be written offline.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import Any

from controller.store.sync_checks import (
    ANY_VALUE,
    SyncConfigError,
    check_api_key,
    check_url,
    check_value,
)

__all__ = ["ANY_VALUE", "SyncConfigError"]

VAN_KINDS = ("result_code", "survey_response", "activist_code")
DEFAULT_VAN_BASE_URL = "https://api.securevan.com/v4"
VAN_MODES = {0: "VoterFile", 1: "MyCampaign"}


@dataclass(frozen=True)
class Instruction:
    id: int
    field_name: str
    value: str
    van_kind: str
    contact_type: str
    input_type: str
    result_code: str | None
    survey_question_id: int | None
    survey_response_id: int | None
    activist_code_id: int | None
    activist_action: str
    enabled: bool

    def responses(self) -> list[dict[str, Any]] | None:
        """The VAN ``responses`` array for script answers (None for a result code)."""
        if self.van_kind == "survey_response":
            return [
                {
                    "type": "SurveyResponse",
                    "surveyQuestionId": self.survey_question_id,
                    "surveyResponseId": self.survey_response_id,
                }
            ]
        if self.van_kind == "activist_code":
            return [
                {
                    "type": "ActivistCode",
                    "activistCodeId": self.activist_code_id,
                    "action": self.activist_action,
                }
            ]
        return None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_SELECT = (
    "SELECT i.*, f.name AS field_name FROM sync_instructions AS i"
    " JOIN custom_fields AS f ON f.id = i.field_id"
)


def _instruction(row: sqlite3.Row) -> Instruction:
    return Instruction(
        id=row["id"],
        field_name=row["field_name"],
        value=row["value"],
        van_kind=row["van_kind"],
        contact_type=row["contact_type"],
        input_type=row["input_type"],
        result_code=row["result_code"],
        survey_question_id=row["survey_question_id"],
        survey_response_id=row["survey_response_id"],
        activist_code_id=row["activist_code_id"],
        activist_action=row["activist_action"],
        enabled=bool(row["enabled"]),
    )


def list_instructions(conn: sqlite3.Connection) -> list[Instruction]:
    rows = conn.execute(f"{_SELECT} ORDER BY f.name, i.value").fetchall()
    return [_instruction(r) for r in rows]


def find_instruction(conn: sqlite3.Connection, field_name: str, value: str) -> Instruction | None:
    """The instruction for this field and value (an exact value beats ``*``), None when
    there is none or the one that applies is disabled: a value disabled on its own sends
    nothing, even with a ``*`` instruction for the field."""
    row = conn.execute(
        f"{_SELECT} WHERE f.name = ? COLLATE NOCASE"
        " AND (i.value = ? OR i.value = ?) ORDER BY i.value = ? DESC LIMIT 1",
        (field_name, value, ANY_VALUE, value),
    ).fetchone()
    return _instruction(row) if row and row["enabled"] else None


def _field(conn: sqlite3.Connection, field_name: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT id, name, kind, options FROM custom_fields WHERE name = ? COLLATE NOCASE",
        (field_name,),
    ).fetchone()
    if row is None:
        raise SyncConfigError("unknown_field", f"no custom field named {field_name!r}")
    return row


def _check_kind(van_kind: str, spec: dict[str, Any]) -> None:
    if van_kind not in VAN_KINDS:
        raise SyncConfigError("unknown_van_kind", f"VAN type must be one of {', '.join(VAN_KINDS)}")
    has_code = bool(spec.get("result_code"))
    has_responses = any(
        spec.get(k) is not None
        for k in ("survey_question_id", "survey_response_id", "activist_code_id")
    )
    if has_code and has_responses:
        raise SyncConfigError(
            "result_and_responses",
            "an instruction records either a result code or a script response, never both",
        )
    required = {
        "result_code": ("result_code",),
        "survey_response": ("survey_question_id", "survey_response_id"),
        "activist_code": ("activist_code_id",),
    }[van_kind]
    missing = [k for k in required if spec.get(k) in (None, "")]
    if missing:
        raise SyncConfigError(
            f"missing_{missing[0]}", f"a {van_kind} instruction needs {', '.join(missing)}"
        )
    if spec.get("activist_action", "Apply") not in ("Apply", "Remove"):
        raise SyncConfigError("bad_activist_action", "activist action must be Apply or Remove")


def set_instruction(
    conn: sqlite3.Connection, field_name: str, value: str, van_kind: str, **spec: Any
) -> Instruction:
    """Create or replace the instruction for ``field_name`` = ``value``.

    ``spec`` keys: result_code, contact_type, input_type, survey_question_id,
    survey_response_id, activist_code_id, activist_action, enabled.
    """
    field = _field(conn, field_name)
    value = check_value(field, value)
    _check_kind(van_kind, spec)
    columns = {
        "contact_type": spec.get("contact_type") or "Phone",
        "input_type": spec.get("input_type") or "API",
        "result_code": spec.get("result_code"),
        "survey_question_id": spec.get("survey_question_id"),
        "survey_response_id": spec.get("survey_response_id"),
        "activist_code_id": spec.get("activist_code_id"),
        "activist_action": spec.get("activist_action") or "Apply",
        "enabled": 1 if spec.get("enabled", True) else 0,
    }
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{k} = excluded.{k}" for k in columns)
    conn.execute(
        f"INSERT INTO sync_instructions (field_id, value, van_kind, {names})"
        f" VALUES (?, ?, ?, {marks}) ON CONFLICT (field_id, value) DO UPDATE SET"
        f" van_kind = excluded.van_kind, {updates},"
        " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        (field["id"], value, van_kind, *columns.values()),
    )
    row = conn.execute(
        f"{_SELECT} WHERE i.field_id = ? AND i.value = ?", (field["id"], value)
    ).fetchone()
    return _instruction(row)


def delete_instruction(conn: sqlite3.Connection, field_name: str, value: str) -> bool:
    field = _field(conn, field_name)
    with contextlib.suppress(SyncConfigError):  # else removed as typed (an older value)
        value = check_value(field, value)
    cur = conn.execute(
        "DELETE FROM sync_instructions WHERE field_id = ? AND value = ?", (field["id"], value)
    )
    return cur.rowcount > 0


@dataclass(frozen=True)
class VanSettings:
    application_name: str = ""
    api_key: str = ""
    mode: int = 1
    base_url: str = DEFAULT_VAN_BASE_URL

    @property
    def configured(self) -> bool:
        return bool(self.application_name and self.api_key)

    def public(self) -> dict[str, Any]:
        """Settings safe to print: the API key is only reported as set or not."""
        return {
            "application_name": self.application_name,
            "api_key": "set" if self.api_key else "not set",
            "mode": self.mode,
            "mode_name": VAN_MODES.get(self.mode, "?"),
            "base_url": self.base_url,
        }


@dataclass(frozen=True)
class WebhookSettings:
    url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.url)


def _read(conn: sqlite3.Connection, prefix: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT key, value FROM sync_settings WHERE key LIKE ?", (f"{prefix}.%",)
    ).fetchall()
    return {r["key"][len(prefix) + 1 :]: r["value"] for r in rows}


def _write(conn: sqlite3.Connection, prefix: str, values: dict[str, str]) -> None:
    for key, value in values.items():
        conn.execute(
            "INSERT INTO sync_settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (f"{prefix}.{key}", value),
        )


def get_van_settings(conn: sqlite3.Connection) -> VanSettings:
    raw = _read(conn, "van")
    return VanSettings(
        application_name=raw.get("application_name", ""),
        api_key=raw.get("api_key", ""),
        mode=int(raw.get("mode", "1")),
        base_url=raw.get("base_url", DEFAULT_VAN_BASE_URL),
    )


def save_van_settings(conn: sqlite3.Connection, **changes: Any) -> VanSettings:
    """Update some of application_name, api_key, mode (0 or 1), base_url."""
    unknown = set(changes) - {"application_name", "api_key", "mode", "base_url"}
    if unknown:
        raise SyncConfigError("unknown_setting", f"unknown VAN setting(s): {sorted(unknown)}")
    values = {k: v for k, v in changes.items() if v is not None}
    if "mode" in values and int(values["mode"]) not in VAN_MODES:
        raise SyncConfigError("bad_mode", "mode must be 0 (VoterFile) or 1 (MyCampaign)")
    if "base_url" in values:
        values["base_url"] = check_url(str(values["base_url"]), "the base URL", "the API key")
    if "api_key" in values:
        values["api_key"] = check_api_key(str(values["api_key"]))
    _write(conn, "van", {k: str(v) for k, v in values.items()})
    return get_van_settings(conn)


def get_webhook_settings(conn: sqlite3.Connection) -> WebhookSettings:
    return WebhookSettings(url=_read(conn, "webhook").get("url", ""))


def save_webhook_settings(conn: sqlite3.Connection, url: str) -> WebhookSettings:
    """Set the webhook URL ("" turns the webhook off)."""
    if url:
        url = check_url(url, "the webhook URL", "the call outcomes")
    _write(conn, "webhook", {"url": url})
    return get_webhook_settings(conn)
