"""Stop now: stop a bank and end its live conversations at once (``engine stop-now``).

``Stop`` lets conversations finish; this one hangs them up. Either way ringing calls are
cancelled. A bank already stopped may still have its remaining calls ended. The
confirmation box is required, as ``--yes`` is.
"""

from __future__ import annotations

from aiohttp import web

from controller.model import banks as model
from controller.store import banks as store
from controller.store import engine_log
from web.access import Access, access
from web.keys import DB
from web.views.admin_bank_steps import plain_message
from web.views.admin_banks import actor_of, bank_page, changed
from web.views.admin_common import DOMAIN_ERRORS, bank_id_of, form_data, load_bank

CONFIRM = "Stopping now is final and ends live calls: tick the box to confirm."


@access(Access.STAFF)
async def stop_now(request: web.Request) -> web.StreamResponse:
    bank_id = bank_id_of(request)
    bank = load_bank(request)
    if (await form_data(request)).get("confirm") != "yes":
        return bank_page(request, error=CONFIRM)
    try:
        with request.app[DB].write() as conn:
            if bank.state is not model.State.STOPPED:
                store.update(conn, bank_id, model.stop, actor_of(request))
            engine_log.request_stop_now(conn, bank_id, actor_of(request))
    except DOMAIN_ERRORS as exc:
        return bank_page(request, error=plain_message("stop", exc, load_bank(request)))
    changed(request, bank_id, "stop-now")


def setup(app: web.Application) -> None:
    app.router.add_post("/admin/banks/{bank_id:\\d+}/stop-now", stop_now)
