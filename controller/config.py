"""Appliance settings: one TOML file per installation, plus generated secrets.

Settings live in ``<home>/phonebank.toml`` (optional: every key has a default) and secrets in
``<home>/secrets.toml`` (generated on first use, mode 0600, never committed). ``home`` is
``$PHONEBANK_HOME`` or ``./var`` beside the project.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    trusted_proxies: tuple[str, ...] = ()  # reverse proxies whose X-Forwarded-For is read


@dataclass(frozen=True)
class PbxSettings:
    """The appliance's own Asterisk instance."""

    ami_port: int = 5038
    sip_port: int = 5060
    http_port: int = 8088
    rtp_start: int = 10000
    rtp_end: int = 10999
    fastagi_port: int = 4573
    ring_timeout: int = 20
    sip_bind: str = "127.0.0.1"  # SIP/UDP listen address; 0.0.0.0 for a remote trunk
    external_address: str = ""  # public address announced in SIP/SDP behind NAT
    pin_tries: int = 3  # dial-in PIN attempts before the call is refused


@dataclass(frozen=True)
class CarrierSettings:
    """The simulated phone network (demo and tests only)."""

    enabled: bool = True
    ami_port: int = 5039
    sip_port: int = 5070
    rtp_start: int = 11000
    rtp_end: int = 11999


@dataclass(frozen=True)
class TrunkSettings:
    """The SIP trunk to the phone network. Defaults point at the simulated carrier."""

    host: str = "127.0.0.1"
    port: int = 5070
    auth: str = "ip"  # "ip" or "credentials"
    username: str = ""
    password: str = ""
    dids: tuple[str, ...] = ("+15550100100",)
    caller_ids: tuple[str, ...] = ("+15550100100",)
    allowed_pattern: str = r"^\+1[2-9]\d{2}[2-9]\d{6}$"
    register: bool = False  # send a SIP REGISTER (providers that route DIDs to a login)


@dataclass(frozen=True)
class Settings:
    home: Path
    web: WebSettings = field(default_factory=WebSettings)
    pbx: PbxSettings = field(default_factory=PbxSettings)
    carrier: CarrierSettings = field(default_factory=CarrierSettings)
    trunk: TrunkSettings = field(default_factory=TrunkSettings)

    @property
    def db_path(self) -> Path:
        return self.home / "phonebank.db"

    @property
    def runtime_dir(self) -> Path:
        return self.home / "runtime"

    def secrets(self) -> Secrets:
        return Secrets.load_or_create(self.home / "secrets.toml")


SECRET_NAMES = ("ami", "carrier_ami", "trunk", "session_key", "webhook")


@dataclass(frozen=True)
class Secrets:
    values: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    @classmethod
    def load_or_create(cls, path: Path) -> Secrets:
        values: dict[str, str] = {}
        if path.exists():
            values = {k: str(v) for k, v in tomllib.loads(path.read_text()).items()}
        missing = [n for n in SECRET_NAMES if n not in values]
        if missing:
            for name in missing:
                values[name] = secrets.token_urlsafe(32)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = "".join(f'{k} = "{v}"\n' for k, v in sorted(values.items()))
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
        return cls(values)


def default_home() -> Path:
    return Path(os.environ.get("PHONEBANK_HOME", PROJECT_ROOT / "var")).resolve()


def _merge(obj: Any, data: dict[str, Any]) -> Any:
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ValueError(f"unknown setting {type(obj).__name__}.{key}")
        current = getattr(obj, key)
        if is_dataclass(current):
            changes[key] = _merge(current, value)
        elif isinstance(current, tuple):
            changes[key] = tuple(value)
        else:
            changes[key] = value
    return replace(obj, **changes)


def load_settings(home: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Read ``<home>/phonebank.toml`` over the defaults; ``overrides`` win over both."""
    home = (home or default_home()).resolve()
    settings = Settings(home=home)
    path = home / "phonebank.toml"
    if path.exists():
        settings = _merge(settings, tomllib.loads(path.read_text()))
    if overrides:
        settings = _merge(settings, overrides)
    return settings
