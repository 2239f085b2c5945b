"""Results of a bank: overview, outcomes, answer tallies, per-volunteer totals; CSV exports.

Exports are the same as ``phonebank export`` (same columns, same formula-safe cells) and are
streamed row by row, so a large bank downloads in constant memory.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from controller.commands.export import safe_row
from controller.store import admin_stats, results
from controller.store.results import EXPORTS
from web.access import Access, access
from web.keys import DB
from web.render import render
from web.views.admin_common import bank_id_of, load_bank

ROWS_PER_WRITE = 500


@access(Access.STAFF)
async def results_page(request: web.Request) -> web.StreamResponse:
    bank = load_bank(request)
    bank_id = bank_id_of(request)
    with request.app[DB].read() as conn:
        volunteers = list(results.export_volunteers(conn, bank_id))
        context: dict[str, Any] = {
            "bank": bank,
            "engagement": results.engagement(conn, bank_id),
            "outcomes": results.outcome_counts(conn, bank_id),
            "calls": results.call_figures(conn, bank_id),
            "call_results": admin_stats.result_counts(conn, bank_id),
            "tallies": admin_stats.answer_tallies(conn, bank_id),
            "volunteer_header": volunteers[0],
            "volunteers": volunteers[1:],
            "kinds": list(EXPORTS),
            "error": "",
            "notice": "",
        }
    return render(request, "admin/results.html", context)


@access(Access.STAFF)
async def export_csv(request: web.Request) -> web.StreamResponse:
    """``/admin/banks/{id}/export/{kind}.csv``: attempts, contacts or volunteers."""
    kind = request.match_info["kind"]
    if kind not in EXPORTS:
        raise web.HTTPNotFound()
    bank = load_bank(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="bank-{bank.id}-{kind}.csv"',
            "Cache-Control": "no-store",
        }
    )
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with request.app[DB].stream() as conn:  # waits on the browser: not the shared reader
        rows = EXPORTS[kind](conn, bank_id_of(request))
        writer.writerow(safe_row(next(rows)))
        for n, row in enumerate(rows, start=1):
            writer.writerow(safe_row(row))
            if n % ROWS_PER_WRITE == 0:
                await response.write(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/banks/{bank_id:\\d+}/results", results_page, name="admin_results")
    app.router.add_get("/admin/banks/{bank_id:\\d+}/export/{kind}.csv", export_csv)
