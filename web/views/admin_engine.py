"""A bank's dialer record: the engine's stored figures and its latest pacing decisions.

The same reads as ``phonebank engine status`` and ``phonebank engine decisions``: when,
how many numbers the pacer asked for and how many were dialed, calls it took back, why,
and the volunteers and calls it saw.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from controller.store import engine_log
from web.access import Access, access
from web.keys import DB
from web.params import parse_id
from web.render import render
from web.views.admin_common import load_bank

LIMITS = (20, 100, 1000)


def decision_row(d: dict[str, Any]) -> dict[str, Any]:
    inputs = d["inputs"] if isinstance(d["inputs"], dict) else {}
    volunteers = inputs.get("volunteers", [])
    return {
        "when": datetime.fromtimestamp(float(d["at"]), UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "strategy": d["strategy"], "dial": d["dial"], "dialed": d["dialed"],
        "take_back": len(d["cancel"]) if isinstance(d["cancel"], list) else 0,
        "reason": d["reason"], "volunteers": len(volunteers),
        "waiting": sum(1 for v in volunteers if v.get("state") == "waiting"),
        "calls": len(inputs.get("calls", [])),
    }  # fmt: skip


@access(Access.STAFF)
async def engine_page(request: web.Request) -> web.StreamResponse:
    bank = load_bank(request)
    assert bank.id is not None
    text = request.query.get("limit", "")
    limit = parse_id(text)
    limit = limit if limit in LIMITS else LIMITS[0]
    with request.app[DB].read() as conn:
        summary = engine_log.summary(conn, bank.id)
        rows = [decision_row(d) for d in engine_log.decisions(conn, bank.id, limit)]
    context = {"bank": bank, "summary": summary, "decisions": rows, "limit": limit,
               "limits": LIMITS, "error": "", "notice": ""}  # fmt: skip
    return render(request, "admin/engine.html", context)


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/banks/{bank_id:\\d+}/engine", engine_page)
