"""The volunteer's browser phone: the page, its credentials, and its SIP socket."""

from __future__ import annotations

from aiohttp import web

from web.access import Access, access, allowed, current_user
from web.identity import signed_in_user
from web.keys import DB, PHONES, SESSION_KEY, SESSIONS
from web.middleware import socket_origin_refused
from web.phones import WS_PATH, SipGate, credentials_payload
from web.render import render


@access(Access.CALLER)
async def phone_page(request: web.Request) -> web.StreamResponse:
    return render(request, "phone.html")


@access(Access.CALLER)
async def credentials(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    assert user is not None  # guaranteed by Access.CALLER
    account = await request.app[PHONES].account_for(user.id, user.label)
    response = web.json_response(credentials_payload(account))
    response.headers["Cache-Control"] = "no-store"
    return response


@access(Access.CALLER)
async def socket(request: web.Request) -> web.StreamResponse:
    refused = socket_origin_refused(request)
    if refused is not None:
        return refused
    user = current_user(request)
    assert user is not None  # guaranteed by Access.CALLER
    phones = request.app[PHONES]
    account = await phones.account_for(user.id, user.label)
    db, manager, session = request.app[DB], request.app[SESSIONS], request[SESSION_KEY]

    def still_allowed() -> bool:  # the sign-in too: a revoked session may not call
        fresh = signed_in_user(db, manager, session)
        return fresh is not None and allowed(Access.CALLER, fresh)

    return await phones.relay(request, SipGate(account.username, still_allowed), user.id)


def setup(app: web.Application) -> None:
    app.router.add_get("/phone", phone_page, name="phone")
    app.router.add_get("/api/phone/credentials", credentials, name="api_phone_credentials")
    app.router.add_get(WS_PATH, socket, name="phone_socket")
