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
