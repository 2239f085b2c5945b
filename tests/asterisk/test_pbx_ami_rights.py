"""The controller's AMI account on the real PBX has only the rights the controller uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.telephony.carrier import Carrier
from controller.telephony.fastagi import FastAgiServer, PinDecision, PinRequest

from .conftest import AmiProbe, PbxPairInfo

pytestmark = pytest.mark.pbx


async def test_given_controller_ami_user_when_originating_the_system_application_then_refused_and_nothing_runs(  # noqa: E501
    ami: AmiProbe, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    reply = await ami.action(
        {
            "Action": "Originate",
            "Channel": "Local/s@phonebank-nowhere",
            "Application": "System",
            "Data": f"touch {marker}",
        }
    )
    assert reply.get("Response") == "Error"
    assert "Forbidden" in reply.get("Message", "")
    assert not marker.exists()


async def test_given_controller_ami_user_when_writing_astdb_or_reloading_then_permission_denied(
    ami: AmiProbe,
) -> None:
    put = await ami.action({"Action": "DBPut", "Family": "x", "Key": "y", "Val": "z"})
    reload = await ami.action({"Action": "Reload", "Module": "res_pjsip.so"})
    assert put.get("Response") == "Error" and "Permission denied" in put.get("Message", "")
    assert reload.get("Response") == "Error" and "Permission denied" in reload.get("Message", "")


async def test_given_controller_ami_user_when_the_calls_it_needs_are_asked_then_allowed(
    ami: AmiProbe,
) -> None:
    listing = await ami.action({"Action": "CoreShowChannels"})
    hangup = await ami.action({"Action": "Hangup", "Channel": "PJSIP/nobody-00000001"})
    getvar = await ami.action({"Action": "Getvar", "Variable": "PJSIP_AOR(trunk,contact)"})
    assert listing.get("Response") == "Success"
    assert hangup.get("Message") == "No such channel"  # allowed, just nothing to hang up
    assert getvar.get("Response") == "Success" and getvar.get("Value")


async def test_given_a_volunteer_typing_a_pin_when_the_controller_listens_then_no_digit_reaches_it(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier
) -> None:
    seen: list[str] = []

    async def check_pin(request: PinRequest) -> PinDecision:
        seen.append(request.pin)
        return PinDecision.accept("room-never") if request.pin == "4321" else PinDecision()

    async with FastAgiServer(check_pin=check_pin, port=pbx_pair.fastagi_port):
        await carrier.call_pbx(pbx_pair.did, dtmf="8642#wwwwww8642#wwwwww8642#", wait=2, stay=60)
        pin = await ami.user_event("PhonebankPin", timeout=60, Tries="3")
        await ami.wait_for("Hangup", timeout=30, Context="phonebank-volunteer-dialin")
    assert seen == ["8642"] * 3 and pin["Result"] == "wrong_pin"  # the digits were typed
    assert not [e for e in ami.events if e.get("Event", "").startswith("DTMF")]
