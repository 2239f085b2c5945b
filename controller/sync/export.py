"""CSV of canvass results laid out for VAN's bulk upload (one row per canvass response).

Organizers who prefer VAN's *Bulk Upload* to the API (or who sync after the fact) export the
outbox's VAN rows; each column maps one-to-one onto a field of VAN's canvass-results upload.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from controller.store.outbox import OutboxRow

COLUMNS = (
    "VANID",
    "DateCanvassed",
    "ContactType",
    "InputType",
    "ResultCode",
    "SurveyQuestionID",
    "SurveyResponseID",
    "ActivistCodeID",
    "ActivistCodeAction",
    "PhoneID",
    "PhonebankRowID",
)


def _responses(row: OutboxRow) -> dict[str, object]:
    fields: dict[str, object] = {}
    for item in row.payload.get("responses") or []:
        if item.get("type") == "SurveyResponse":
            fields["SurveyQuestionID"] = item.get("surveyQuestionId")
            fields["SurveyResponseID"] = item.get("surveyResponseId")
        elif item.get("type") == "ActivistCode":
            fields["ActivistCodeID"] = item.get("activistCodeId")
            fields["ActivistCodeAction"] = item.get("action")
    return fields


def write_bulk_csv(rows: Iterable[OutboxRow], out: TextIO) -> int:
    """Write the VAN rows (rows without a VanID are left out); return the rows written."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in rows:
        payload = row.payload
        if row.target != "van" or not payload.get("vanId"):
            continue
        writer.writerow(
            {
                "VANID": payload["vanId"],
                "DateCanvassed": payload.get("dateCanvassed", ""),
                "ContactType": payload.get("contactType", ""),
                "InputType": payload.get("inputType", ""),
                "ResultCode": "" if payload.get("responses") else payload.get("resultCode", ""),
                "PhoneID": payload.get("phoneId") or "",
                "PhonebankRowID": row.id,
                **_responses(row),
            }
        )
        count += 1
    return count
