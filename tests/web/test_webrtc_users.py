"""Browser phone accounts: generated once, kept private, rendered as digests only."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from controller.telephony.webrtc_users import (
    CONTEXT,
    PJSIP_INCLUDE,
    REALM,
    ROOM_EXTEN,
    WebrtcAccounts,
    render_pjsip,
)


def test_given_a_new_volunteer_when_ensured_then_a_private_account_is_created_once(
    tmp_path: Path,
) -> None:
    accounts = WebrtcAccounts(tmp_path / "webrtc")
    first, created = accounts.ensure(7, "Ana")
    again, changed = accounts.ensure(7, "Ana")
    assert created and not changed
    assert again == first
    assert first.username == "webrtc-7" and first.room == "volunteer-7"
    assert len(first.password) >= 24
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600


def test_given_two_volunteers_when_ensured_then_their_passwords_differ(tmp_path: Path) -> None:
    accounts = WebrtcAccounts(tmp_path)
    assert accounts.ensure(1)[0].password != accounts.ensure(2)[0].password


def test_given_accounts_when_rendered_then_the_config_holds_digests_never_passwords(
    tmp_path: Path,
) -> None:
    accounts = WebrtcAccounts(tmp_path)
    ana, _ = accounts.ensure(7, 'Ana "the" Caller')
    text = render_pjsip(accounts.all())
    expected = hashlib.md5(f"webrtc-7:{REALM}:{ana.password}".encode()).hexdigest()
    assert f"password_digest = md5:{expected}" in text
    assert ana.password not in text
    assert "[webrtc-7](phonebank-volunteer-webrtc)" in text
    assert "set_var = PB_CONFERENCE=volunteer-7" in text
    assert 'callerid = "Ana the Caller" <webrtc-7>' in text


def test_given_the_pbx_templates_when_read_then_the_browser_context_only_joins_its_room() -> None:
    root = Path(__file__).resolve().parents[2] / "asterisk"
    pjsip = (root / "conf" / "pbx" / "pjsip.conf.j2").read_text()
    assert f"#tryinclude {PJSIP_INCLUDE}" in pjsip
    template = pjsip.split("[phonebank-volunteer-webrtc](!)")[1].split("\n\n")[0]
    assert f"context = {CONTEXT}" in template
    dialplan = (root / "dialplan" / "pbx-extensions.conf.j2").read_text()
    context = dialplan.split(f"[{CONTEXT}]")[1].split("\n\n")[0]
    assert f"exten => {ROOM_EXTEN},1," in context
    assert "ConfBridge(${PB_CONFERENCE}," in context
    assert "Dial(" not in context


def test_given_a_revoked_volunteer_when_written_then_the_endpoint_disappears(
    tmp_path: Path,
) -> None:
    accounts = WebrtcAccounts(tmp_path / "acc")
    accounts.ensure(7)
    accounts.ensure(8)
    etc = tmp_path / "etc"
    etc.mkdir()
    assert accounts.write_config(etc) is True
    assert accounts.write_config(etc) is False  # unchanged: no reload needed
    assert accounts.revoke(7) is True
    assert accounts.revoke(7) is False
    assert accounts.write_config(etc) is True
    text = (etc / PJSIP_INCLUDE).read_text()
    assert "[webrtc-8]" in text and "[webrtc-7]" not in text
