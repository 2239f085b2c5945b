from __future__ import annotations

import stat
from pathlib import Path

import pytest

from controller.config import SettingsError, load_settings


def test_given_no_settings_file_when_loaded_then_defaults_and_secrets_generated(
    home: Path,
) -> None:
    settings = load_settings(home)
    assert settings.pbx.ring_timeout >= 15
    first = settings.secrets()
    assert len(first["ami"]) >= 32
    mode = stat.S_IMODE((home / "secrets.toml").stat().st_mode)
    assert mode == 0o600
    assert settings.secrets().values == first.values  # stable once generated


def test_given_settings_file_when_loaded_then_values_override(home: Path) -> None:
    (home / "phonebank.toml").write_text('[web]\nport = 9999\n[trunk]\ndids = ["+15551230000"]\n')
    settings = load_settings(home)
    assert settings.web.port == 9999
    assert settings.trunk.dids == ("+15551230000",)


def test_given_unknown_setting_when_loaded_then_clear_error(home: Path) -> None:
    (home / "phonebank.toml").write_text("[web]\nprot = 1\n")
    with pytest.raises(SettingsError, match=r"unknown setting web\.prot \(WebSettings has: host"):
        load_settings(home)
