"""Who may reach the pbx: only the trunk (by IP and port) and volunteers with credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import AmiProbe, PbxPairInfo

pytestmark = pytest.mark.pbx


async def test_given_stranger_on_loopback_when_calling_the_did_directly_then_never_answered(
    pbx_pair: PbxPairInfo, ami: AmiProbe, sip_phone: Callable[..., Any]
) -> None:
    pbx_port = pbx_pair.settings.pbx.sip_port
    stranger = await sip_phone("stranger", "", pbx_port)
    await stranger.command("dial", f"sip:{pbx_pair.did}@127.0.0.1:{pbx_port}")
    closed = await stranger.wait_event("CALL_CLOSED")
    channels = [e for e in ami.find("Newchannel") if e.get("Channel", "").startswith("PJSIP/")]
    assert not [e for e in stranger.events if e.get("type") == "CALL_ESTABLISHED"]
    assert channels == []
    assert closed["type"] == "CALL_CLOSED"


async def test_given_a_stranger_calling_as_user_trunk_when_calling_the_did_then_not_taken_for_the_trunk(  # noqa: E501
    pbx_pair: PbxPairInfo, ami: AmiProbe, sip_phone: Callable[..., Any]
) -> None:
    """The trunk is known by its address and port only: a caller whose From names the
    trunk's endpoint (`trunk`) from anywhere else gets no call into the dial-in path."""
    pbx_port = pbx_pair.settings.pbx.sip_port
    impostor = await sip_phone("trunk", "", pbx_port)
    await impostor.command("dial", f"sip:{pbx_pair.did}@127.0.0.1:{pbx_port}")
    await impostor.wait_event("CALL_CLOSED")
    channels = [e for e in ami.find("Newchannel") if e.get("Channel", "").startswith("PJSIP/")]
    assert not [e for e in impostor.events if e.get("type") == "CALL_ESTABLISHED"]
    assert channels == []
