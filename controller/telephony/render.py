"""Render the Asterisk configuration of the appliance (``pbx``) and the simulated carrier.

Templates live in ``asterisk/conf/{common,pbx,carrier}/*.j2`` and
``asterisk/dialplan/<instance>-extensions.conf.j2``; they are rendered with the settings and
the generated secrets into ``settings.runtime_dir/<instance>/``:

``etc/`` configuration, ``lib/`` AstDB, ``spool/``, ``run/`` (control socket, pid),
``log/``, ``sounds/`` (the prompts, copied from the provisioning cache) and ``recordings/``.

Asterisk sees that directory at :func:`asterisk_base` (``/srv/phonebank/<key>``): the
runtime bind-mounts it there, so the same files serve a chroot and a system Asterisk.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from controller.config import PROJECT_ROOT, Settings
from controller.errors import PhonebankError

TEMPLATES = PROJECT_ROOT / "asterisk"
INSTANCES = ("pbx", "carrier")
AMI_USERS = {"pbx": "phonebank", "carrier": "carrier"}
SUBDIRS = ("etc", "lib", "lib/keys", "spool", "run", "log", "sounds", "recordings")
DEFAULT_PERSONA = "human:1:10"
CARRIER_PHONES = 4
CARRIER_PHONE_NUMBER = "+1555010{:04d}"

_SAFE = {
    "host": re.compile(r"^[A-Za-z0-9.\-]{1,253}$"),
    "did": re.compile(r"^\+?[0-9]{3,20}$"),
    "word": re.compile(r"^[A-Za-z0-9_.@+\-]{0,128}$"),
    "name": re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$"),
    "room": re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$"),
}


class RenderError(PhonebankError):
    """A setting that cannot go into an Asterisk config; ``code`` is machine-readable."""


@dataclass(frozen=True)
class AmiCredentials:
    host: str
    port: int
    username: str
    secret: str


@dataclass(frozen=True)
class CarrierPhone:
    """A phone on the simulated network (registers to the carrier, may dial the DIDs)."""

    name: str
    number: str
    password: str


@dataclass(frozen=True)
class VolunteerEndpoint:
    """A volunteer's own SIP endpoint on the pbx: reaches ``conference`` and nothing else."""

    name: str
    password: str
    conference: str
    kind: str = "phone"  # "phone" (SIP over UDP) or "webrtc"


def cache_dir() -> Path:
    """Where provisioning keeps the Asterisk root and the prompts."""
    override = os.environ.get("PHONEBANK_CACHE")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "phonebank"


def sounds_source() -> Path:
    return cache_dir() / "sounds"


def instance_dir(settings: Settings, instance: str) -> Path:
    if instance not in INSTANCES:
        raise RenderError("unknown_instance", f"unknown Asterisk instance {instance!r}")
    return settings.runtime_dir / instance


def config_dir(settings: Settings, instance: str = "pbx") -> Path:
    """The instance's ``etc/``: where includes such as the volunteer endpoints are written."""
    return instance_dir(settings, instance) / "etc"


def asterisk_base(host_dir: Path) -> str:
    """The path at which Asterisk sees ``host_dir`` (a bind mount made by the runtime)."""
    key = hashlib.sha256(str(host_dir.resolve()).encode()).hexdigest()[:12]
    return f"/srv/phonebank/{key}"


def ami_credentials(settings: Settings, instance: str = "pbx") -> AmiCredentials:
    port = settings.pbx.ami_port if instance == "pbx" else settings.carrier.ami_port
    secret_name = "ami" if instance == "pbx" else "carrier_ami"
    return AmiCredentials("127.0.0.1", port, AMI_USERS[instance], settings.secrets()[secret_name])


def carrier_phones(settings: Settings) -> list[CarrierPhone]:
    """The simulated network's phones; passwords derive from the carrier's secret."""
    key = settings.secrets()["carrier_ami"].encode()
    phones = []
    for i in range(1, CARRIER_PHONES + 1):
        name = f"phone{i}"
        password = hmac.new(key, name.encode(), hashlib.sha256).hexdigest()[:24]
        phones.append(CarrierPhone(name, CARRIER_PHONE_NUMBER.format(i), password))
    return phones


def trunk_is_carrier(settings: Settings) -> bool:
    return settings.simulated_network


def _check(kind: str, value: str, setting: str) -> str:
    if not _SAFE[kind].match(value):
        raise RenderError("invalid_setting", f"{setting} has an unusable value: {value!r}")
    return value


def validate_settings(settings: Settings) -> None:
    """Raise ``RenderError`` when a setting cannot go into an Asterisk config."""
    trunk = settings.trunk
    _check("host", trunk.host, "trunk.host")
    for did in trunk.dids:
        _check("did", did, "trunk.dids")
    _check("word", trunk.username, "trunk.username")
    if any(c in trunk.password for c in "\r\n;[]"):
        raise RenderError("invalid_setting", "trunk.password may not contain ; [ ] or newlines")
    if trunk.auth not in ("ip", "credentials"):
        raise RenderError("invalid_setting", "trunk.auth must be 'ip' or 'credentials'")
    if trunk.auth == "credentials" and not (trunk.username and trunk.password):
        raise RenderError(
            "invalid_setting", "trunk.auth = 'credentials' needs username and password"
        )
    _check("host", settings.pbx.sip_bind, "pbx.sip_bind")
    if settings.pbx.external_address:
        _check("host", settings.pbx.external_address, "pbx.external_address")
    for value, name in (
        (settings.pbx.ring_timeout, "ring_timeout"),
        (settings.pbx.pin_tries, "pin_tries"),
    ):
        if not 1 <= int(value) <= 300:
            raise RenderError("invalid_setting", f"pbx.{name} must be between 1 and 300")
    _check_ports(settings)


def _check_ports(settings: Settings) -> None:
    """Every port between 1 and 65535, and each RTP range with its start before its end."""
    sections = {"web": settings.web, "pbx": settings.pbx, "carrier": settings.carrier,
                "trunk": settings.trunk}  # fmt: skip
    for section, values in sections.items():
        for name, value in vars(values).items():
            if (name.endswith("port") or name.startswith("rtp_")) and not 1 <= value <= 65535:
                msg = f"{section}.{name} must be a port between 1 and 65535, not {value}"
                raise RenderError("invalid_setting", msg)
    for section, rtp in (("pbx", settings.pbx), ("carrier", settings.carrier)):
        if rtp.rtp_start > rtp.rtp_end:
            msg = (
                f"{section}.rtp_start ({rtp.rtp_start}) is after {section}.rtp_end ({rtp.rtp_end})"
            )
            raise RenderError("invalid_setting", msg)


def _context(settings: Settings, instance: str, base: str) -> dict[str, Any]:
    pbx, carrier = settings.pbx, settings.carrier
    ami = ami_credentials(settings, instance)
    common: dict[str, Any] = {
        "instance": instance,
        "base": base,
        "ami_port": ami.port,
        "ami_user": ami.username,
        "ami_secret": ami.secret,
        "dids": [d for did in settings.trunk.dids for d in _did_forms(did)],
    }
    if instance == "pbx":
        return common | {
            "rtp_start": pbx.rtp_start,
            "rtp_end": pbx.rtp_end,
            "http_port": pbx.http_port,
            "sip_bind": pbx.sip_bind,
            "sip_port": pbx.sip_port,
            "external_address": pbx.external_address,
            "trunk": settings.trunk,
            "trunk_is_carrier": trunk_is_carrier(settings),
            "send_markers": trunk_is_carrier(settings),
            "fastagi_port": pbx.fastagi_port,
            "ring_timeout": pbx.ring_timeout,
            "pin_tries": pbx.pin_tries,
            "allowed": posix_pattern(settings.trunk.allowed_pattern),
        }
    return common | {
        "rtp_start": carrier.rtp_start,
        "rtp_end": carrier.rtp_end,
        "http_port": 0,
        "sip_port": carrier.sip_port,
        "pbx_sip_port": pbx.sip_port,
        "phones": carrier_phones(settings),
        "default_persona": DEFAULT_PERSONA,
        "dids": list(settings.trunk.dids),
    }


def posix_pattern(pattern: str) -> str:
    """``trunk.allowed_pattern`` as a POSIX regex for the dialplan's REGEX(); "" (no check
    in the dialplan, the controller's check remains) when it uses other escapes."""
    out = pattern.replace(r"\d", "[0-9]").replace(r"\+", "[+]")
    unsafe = ("\\", '"', "\n", ";", "${", "$[")
    if any(token in out for token in unsafe):
        return ""
    return out


def _did_forms(did: str) -> list[str]:
    """A DID as configured, and without its ``+`` (providers send either)."""
    return [did, did[1:]] if did.startswith("+") else [did]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _templates(instance: str) -> Iterable[tuple[str, str]]:
    """(template name, output file name) pairs for one instance."""
    for sub in ("common", instance):
        for path in sorted((TEMPLATES / "conf" / sub).glob("*.conf.j2")):
            if path.name == "pjsip_volunteers.conf.j2":
                continue
            yield f"conf/{sub}/{path.name}", path.name.removesuffix(".j2")
    yield f"dialplan/{instance}-extensions.conf.j2", "extensions.conf"


def render_instance(settings: Settings, instance: str, sounds: Path | None = None) -> Path:
    """Render one instance's files into ``runtime_dir/<instance>``; returns that directory."""
    validate_settings(settings)
    host_dir = instance_dir(settings, instance)
    for sub in SUBDIRS:
        (host_dir / sub).mkdir(parents=True, exist_ok=True)
    env = _environment()
    context = _context(settings, instance, asterisk_base(host_dir))
    for template, name in _templates(instance):
        text = env.get_template(template).render(**context)
        _write(host_dir / "etc" / name, text)
    if instance == "pbx" and not (host_dir / "etc" / "pjsip_volunteers.conf").exists():
        write_volunteers(settings, [])
    _copy_sounds(sounds or sounds_source(), host_dir / "sounds")
    return host_dir


def render_pair(settings: Settings, sounds: Path | None = None) -> dict[str, Path]:
    names = INSTANCES if settings.carrier.enabled else ("pbx",)
    return {name: render_instance(settings, name, sounds) for name in names}


def write_volunteers(settings: Settings, volunteers: Sequence[VolunteerEndpoint]) -> Path:
    """Write the volunteers' SIP endpoints (reload ``res_pjsip.so`` afterwards)."""
    for v in volunteers:
        _check("name", v.name, "volunteer name")
        _check("room", v.conference, "volunteer conference")
        if v.kind not in ("phone", "webrtc") or not v.password or not v.password.isprintable():
            raise RenderError("invalid_volunteer", f"volunteer {v.name}: bad kind or password")
    template = _environment().get_template("conf/pbx/pjsip_volunteers.conf.j2")
    path = config_dir(settings, "pbx") / "pjsip_volunteers.conf"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, template.render(volunteers=list(volunteers)))
    return path


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    if path.exists() and os.geteuid() == 0:
        st = path.stat()
        os.chown(tmp, st.st_uid, st.st_gid)
    os.replace(tmp, path)


def _copy_sounds(source: Path, target: Path) -> None:
    if not source.is_dir():
        raise RenderError(
            "sounds_missing", f"no prompts in {source}: run `bash provisioning/install.sh`"
        )
    for wav in source.glob("*.wav"):
        dest = target / wav.name
        if not dest.exists() or dest.stat().st_size != wav.stat().st_size:
            shutil.copyfile(wav, dest)
