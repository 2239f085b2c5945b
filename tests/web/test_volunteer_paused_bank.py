"""A paused bank as volunteers see it (the real app over aiohttp's test server, the engine on
the real PBX pair, the suite's real SQLite file): it stays in the feed and its page says it
is paused, in the site's layout; one already calling in it keeps the way to their call
screen; joining waits for the resume. A bank not open to them is a page of the site too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from asterisk.conftest import PbxPairInfo, pbx_pair  # noqa: F401 - the shared real-PBX fixture
from callscreen_engine import engine_app, join_bank, personal_bank
from web_test_helpers import csrf_token, login

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]

PAUSED = (
    "This phone bank is paused. Come back later: calling goes on when your organizer resumes it."
)


async def test_given_a_paused_bank_when_volunteers_open_it_then_it_shows_as_paused_and_the_one_calling_keeps_the_call_screen(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("cara", can_make_calls=True, display_name="Cara Caller")
    make_user("lena", can_make_calls=True, display_name="Lena Later")
    bank_id = personal_bank(db, 3)
    async with engine_app(pbx_pair, db) as client:
        await join_bank(client, bank_id, "cara")
        with db.write() as conn:
            banks.update(conn, bank_id, bank_model.pause)
        page = await (await client.get(f"/banks/{bank_id}")).text()
        assert "You are calling in this phone bank." in page and PAUSED in page
        assert 'href="/call"' in page

        await login(client, "lena")
        feed = await (await client.get("/banks")).text()
        assert "Spring Drive" in feed and PAUSED in feed
        response = await client.get(f"/banks/{bank_id}")
        page = await response.text()
        assert response.status == 200
        assert 'data-testid="paused"' in page and PAUSED in page
        assert 'id="join-personal"' not in page and 'href="/banks"' in page  # the site's menu
        token = await csrf_token(client, "/banks")
        headers = {"X-CSRF-Token": token, "Accept": "application/json"}
        refused = await client.post(f"/api/banks/{bank_id}/join", json={}, headers=headers)
        assert refused.status == 409
        assert (await refused.json()) == {"error": "bank_paused", "message": PAUSED}

        with db.write() as conn:
            banks.update(conn, bank_id, bank_model.stop)
        response = await client.get(f"/banks/{bank_id}")
        page = await response.text()
        assert response.status == 404 and response.content_type == "text/html"
        assert 'data-code="not_visible"' in page and 'href="/banks"' in page
