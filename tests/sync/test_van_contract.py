"""The VAN client against the local server implementing VAN's published contract."""

from __future__ import annotations

import aiohttp
import pytest
from van_server import API_KEY, APP_NAME, VanServer

from controller.store.sync_settings import VanSettings
from controller.sync.errors import SyncError
from controller.sync.van import VanClient, canvass_body, check_credentials


def _settings(van: VanServer, key: str = API_KEY, mode: int = 1) -> VanSettings:
    return VanSettings(application_name=APP_NAME, api_key=key, mode=mode, base_url=van.url)


async def test_given_right_credentials_when_checked_then_echo_and_lookups_reported(
    van: VanServer,
) -> None:
    report = await check_credentials(_settings(van, mode=0))
    assert report["echo"] == "phonebank"
    assert report["lookups"] == {"resultCodes": 7, "contactTypes": 3, "inputTypes": 2}
    assert report["names"]["resultCodes"] == [
        "Canvassed", "Deceased", "Moved", "Not Home", "Other Language", "Refused", "Wrong Number",
    ]  # fmt: skip
    assert report["names"]["contactTypes"] == ["Auto Dial", "Phone", "Walk"]


async def test_given_wrong_api_key_when_checked_then_unauthorized_with_van_error_text(
    van: VanServer,
) -> None:
    with pytest.raises(SyncError) as caught:
        await check_credentials(_settings(van, key="wrong"))
    assert caught.value.status == 401
    assert caught.value.code == "UNAUTHORIZED"
    assert "denied" in caught.value.text
    assert van.requests == [("POST", "/v4/echoes", 401)]


async def test_given_names_when_resolving_then_ids_looked_up_once_and_cached(
    van: VanServer,
) -> None:
    async with VanClient(_settings(van)) as client:
        payload = {
            "contactType": "auto dial",
            "inputType": "API",
            "resultCode": "Not Home",
            "dateCanvassed": "2026-11-03T17:05:00Z",
            "phoneId": 77,
        }
        first = await client.body_for(payload)
        second = await client.body_for({**payload, "resultCode": "WN"})
    assert first == {
        "canvassContext": {
            "contactTypeId": 19,
            "inputTypeId": 11,
            "dateCanvassed": "2026-11-03T17:05:00Z",
            "phoneId": 77,
        },
        "resultCodeId": 1,
    }
    assert second["resultCodeId"] == 20
    lookups = [r for r in van.requests if r[0] == "GET"]
    assert len(lookups) == 3


async def test_given_unknown_result_code_name_when_resolving_then_refused_after_one_refresh(
    van: VanServer,
) -> None:
    async with VanClient(_settings(van)) as client:
        with pytest.raises(SyncError) as caught:
            await client.resolve("resultCodes", "Hostile")
    assert caught.value.code == "unknown_resultCodes"
    assert not caught.value.retryable
    assert [r[1] for r in van.requests].count("/v4/canvassResponses/resultCodes") == 2


def test_given_result_code_and_responses_when_building_body_then_refused() -> None:
    payload = {
        "dateCanvassed": "2026-11-03T17:05:00Z",
        "responses": [{"type": "ActivistCode", "activistCodeId": 5, "action": "Apply"}],
    }
    ids = {"contactTypes": 1, "inputTypes": 11, "resultCodes": 1}
    with pytest.raises(SyncError) as caught:
        canvass_body(payload, ids)
    assert caught.value.code == "result_and_responses"
    body = canvass_body(payload, {**ids, "resultCodes": None})
    assert "resultCodeId" not in body
    assert body["responses"] == payload["responses"]


async def test_given_both_result_code_and_responses_when_posted_raw_then_van_answers_400(
    van: VanServer,
) -> None:
    body = {
        "canvassContext": {"contactTypeId": 1},
        "resultCodeId": 1,
        "responses": [{"type": "ActivistCode", "activistCodeId": 5, "action": "Apply"}],
    }
    auth = aiohttp.encode_basic_auth(APP_NAME, f"{API_KEY}|1")
    async with (
        aiohttp.ClientSession(headers={"Authorization": auth}) as session,
        session.post(f"{van.url}/people/101/canvassResponses", json=body) as resp,
    ):
        data = await resp.json()
    assert resp.status == 400
    assert data["errors"][0]["code"] == "INVALID_PARAMETER"
    assert data["errors"][0]["properties"] == ["resultCodeId"]
    assert van.accepted == []


async def test_given_accepted_post_when_sent_then_only_204_counts(van: VanServer) -> None:
    async with VanClient(_settings(van)) as client:
        await client.post_canvass_response(
            101, {"canvassContext": {"contactTypeId": 1}, "resultCodeId": 2}
        )
        with pytest.raises(SyncError) as caught:
            await client.post_canvass_response(
                101, {"canvassContext": {"contactTypeId": 1}, "resultCodeId": 999}
            )
    assert caught.value.status == 400
    assert caught.value.code == "INVALID_PARAMETER"
    assert "not a valid resultCodeId" in caught.value.text
    assert not caught.value.retryable
    assert [a.body["resultCodeId"] for a in van.accepted] == [2]


async def test_given_van_unreachable_when_posting_then_retryable_network_error() -> None:
    settings = VanSettings(APP_NAME, API_KEY, 1, "http://127.0.0.1:9/v4")
    async with VanClient(settings, timeout=2) as client:
        with pytest.raises(SyncError) as caught:
            await client.echo()
    assert caught.value.code == "network"
    assert caught.value.retryable


def test_given_missing_credentials_when_client_built_then_clear_error() -> None:
    with pytest.raises(SyncError) as caught:
        VanClient(VanSettings())
    assert caught.value.code == "van_not_configured"
