"""Rendering the Asterisk configuration: per-instance directories, least privilege, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.config import load_settings
from controller.telephony import render


def test_given_default_settings_when_rendered_then_each_instance_has_real_directories(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path)
    dirs = render.render_pair(settings)
    pbx = (dirs["pbx"] / "etc" / "asterisk.conf").read_text()
    carrier = (dirs["carrier"] / "etc" / "asterisk.conf").read_text()
    assert "[directories]\n" in pbx
    assert "[directories](!)" not in pbx
    assert render.asterisk_base(dirs["pbx"]) + "/run" in pbx
    assert render.asterisk_base(dirs["carrier"]) + "/run" in carrier
    assert render.asterisk_base(dirs["pbx"]) != render.asterisk_base(dirs["carrier"])
    assert (dirs["pbx"] / "sounds" / "safe-harbor.wav").is_file()


def test_given_default_settings_when_rendered_then_trunk_is_matched_by_ip_and_port(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path)
    pjsip = (render.render_instance(settings, "pbx") / "etc" / "pjsip.conf").read_text()
    assert f"match = 127.0.0.1:{settings.carrier.sip_port}" in pjsip
    assert "direct_media = no" in pjsip
    assert "dtmf_mode = rfc4733" in pjsip
    assert "webrtc = yes" in pjsip


def test_given_real_provider_when_rendered_then_no_test_markers_and_credentials_used(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path, {
        "carrier": {"enabled": False},
        "trunk": {"host": "sip.provider.example", "port": 5060, "auth": "credentials",
                  "username": "acct1", "password": "pw-1", "register": True},
    })  # fmt: skip
    etc = render.render_instance(settings, "pbx") / "etc"
    pjsip = (etc / "pjsip.conf").read_text()
    assert "MARKERS=0" in (etc / "extensions.conf").read_text()
    assert "outbound_auth = trunk-auth" in pjsip
    assert "type = registration" in pjsip
    assert "match = sip.provider.example:5060" in pjsip


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"trunk": {"host": "evil\n[x]"}}, "trunk.host"),
        ({"trunk": {"dids": ["+1555;x"]}}, "trunk.dids"),
        ({"trunk": {"auth": "credentials"}}, "trunk.auth"),
        ({"pbx": {"ring_timeout": 0}}, "ring_timeout"),
    ],
)
def test_given_unusable_setting_when_rendering_then_clear_error_and_nothing_written(
    tmp_path: Path, overrides: dict[str, dict[str, object]], setting: str
) -> None:
    settings = load_settings(tmp_path, overrides)
    with pytest.raises(render.RenderError) as error:
        render.render_pair(settings)
    assert error.value.code == "invalid_setting"
    assert setting in str(error.value)
    assert not settings.runtime_dir.exists()


def test_given_bad_volunteer_name_when_writing_endpoints_then_refused(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    bad = render.VolunteerEndpoint("Vol]\n[trunk", "pw", "room-1")
    with pytest.raises(render.RenderError) as error:
        render.write_volunteers(settings, [bad])
    assert error.value.code == "invalid_setting"
    assert not (render.config_dir(settings) / "pjsip_volunteers.conf").exists()


def test_given_allowed_pattern_when_translated_then_posix_or_empty_when_unsafe() -> None:
    assert render.posix_pattern(r"^\+1[2-9]\d{2}[2-9]\d{6}$") == "^[+]1[2-9][0-9]{2}[2-9][0-9]{6}$"
    assert render.posix_pattern(r"^\+1\s+$") == ""
    assert render.posix_pattern('^"${x}"$') == ""
