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

from controller.errors import PhonebankError

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
    def simulated_network(self) -> bool:
        """Whether calls go to the simulated carrier (on, and the trunk points at it): the
        only network where made-up numbers (the demo's) and simulated volunteers may call."""
        trunk, carrier = self.trunk, self.carrier
        local = trunk.host in ("127.0.0.1", "localhost")
        return carrier.enabled and local and trunk.port == carrier.sip_port

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


class SettingsError(PhonebankError):
    """``phonebank.toml`` cannot be read or names a setting wrongly (code ``bad_settings``)."""

    def __init__(self, message: str) -> None:
        super().__init__("bad_settings", message)


def _merge(obj: Any, data: Any, section: str = "") -> Any:
    """``obj`` with the values of ``data``; each key must be a setting of ``obj`` and each
    value of the setting's type (a table for a section, a list of texts for a list)."""
    name = type(obj).__name__
    if not isinstance(data, dict):
        raise SettingsError(f"[{section}] must be a section of settings (a table), not a value")
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{section}.{key}" if section else key
        if key not in known or key == "home":
            names = ", ".join(k for k in known if k != "home")
            raise SettingsError(f"unknown setting {where} ({name} has: {names})")
        current = getattr(obj, key)
        if is_dataclass(current):
            changes[key] = _merge(current, value, where)
        else:
            changes[key] = _typed(current, value, where)
    return replace(obj, **changes)


def _typed(current: Any, value: Any, where: str) -> Any:
    """``value`` if it has the type of the default ``current`` (a list as a tuple)."""
    if isinstance(current, tuple):
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise SettingsError(f'{where} must be a list of texts, like ["+15550100100"]')
    if type(value) is type(current):  # exactly: true is no whole number here
        return value
    kind = {bool: "true or false", int: "a whole number", str: "a text in quotes"}
    raise SettingsError(f"{where} must be {kind.get(type(current), 'a value')}, got {value!r}")


def load_settings(home: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Read ``<home>/phonebank.toml`` over the defaults; ``overrides`` win over both.
    Raises :class:`SettingsError` naming what is wrong with the file."""
    home = (home or default_home()).resolve()
    settings = Settings(home=home)
    path = home / "phonebank.toml"
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path} is not valid TOML: {exc}") from None
        settings = _merge(settings, data)
    if overrides:
        settings = _merge(settings, overrides)
    return settings
