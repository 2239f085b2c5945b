"""The browser phone's relay on the real PBX once the sign-in it was opened with is taken
back: the next REGISTER closes the socket."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from test_phone_pbx import (  # noqa: F401 - the shared fixture
    PASSWORD,
    PhoneServer,
    phone_server,
    relay_session,
    sip_register,
)

from controller.store import web_sessions
from controller.store.db import Database
from web.phones import FORBIDDEN

pytestmark = [pytest.mark.pbx, pytest.mark.browser]


def test_given_an_open_phone_when_its_sign_in_is_revoked_then_registering_again_cuts_it_off(
    phone_server: PhoneServer,  # noqa: F811
    make_user: Callable[..., int],
    db: Database,
) -> None:
    user_id = make_user("vera", PASSWORD)
    name = f"webrtc-{user_id}"

    def revoke() -> None:
        reason = web_sessions.SIGNED_OUT_EVERYWHERE
        assert web_sessions.revoke_user(db, user_id, time.time(), reason) == 1

    messages = [sip_register(name, 1), sip_register(name, 2)]
    seen = phone_server.call(relay_session(phone_server, "vera", messages, revoke))
    assert seen == [("text", "SIP/2.0 401 Unauthorized"), ("closed", FORBIDDEN)]
