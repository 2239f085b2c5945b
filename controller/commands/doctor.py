"""``phonebank doctor``: is this box ready to place calls? Plain green/red lines.

Checks the Asterisk runtime and the prompts that provisioning installs, then either (the
appliance is running) the AMI login and the trunk's reachability as the PBX sees it
(a SIP OPTIONS qualify), or (it is not) that every configured port is free.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from dataclasses import asdict, dataclass
from typing import Any

import click
from panoramisk import Manager

from controller.commands.common import AppContext, json_option, pass_app
from controller.config import PROJECT_ROOT, Settings, SettingsError, load_settings
from controller.telephony import render
from controller.telephony.runtime import RuntimeError_, locate_runtime

PROMPTS = PROJECT_ROOT / "asterisk" / "sounds" / "prompts.txt"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_runtime() -> Check:
    try:
        runtime = locate_runtime()
    except RuntimeError_ as exc:
        return Check("asterisk runtime", False, str(exc))
    prefix = ["chroot", str(runtime.root)] if runtime.chroot else []
    try:
        version = subprocess.run(
            [*prefix, "asterisk", "-V"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("asterisk runtime", False, f"{runtime.root}: asterisk -V failed: {exc}")
    where = f"chroot {runtime.root}" if runtime.chroot else "system"
    return Check("asterisk runtime", True, f"{version} ({where})")


def expected_prompts() -> list[str]:
    names = ["beep", "silence-1"]
    for line in PROMPTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            names.append(line.split("|", 1)[0].strip())
    return names


def check_sounds() -> Check:
    source = render.sounds_source()
    missing = [n for n in expected_prompts() if not (source / f"{n}.wav").is_file()]
    if missing:
        return Check("prompts", False, f"missing in {source}: {', '.join(missing)}")
    return Check("prompts", True, f"{len(expected_prompts())} prompts in {source}")


def _ports(settings: Settings) -> list[tuple[str, str, int]]:
    ports = [
        ("web", "tcp", settings.web.port),
        ("pbx AMI", "tcp", settings.pbx.ami_port),
        ("pbx SIP", "udp", settings.pbx.sip_port),
        ("pbx HTTP/WebSocket", "tcp", settings.pbx.http_port),
        ("FastAGI", "tcp", settings.pbx.fastagi_port),
    ]
    if settings.carrier.enabled:
        ports += [
            ("carrier AMI", "tcp", settings.carrier.ami_port),
            ("carrier SIP", "udp", settings.carrier.sip_port),
        ]
    return ports


def port_in_use(kind: str, port: int) -> bool:
    family = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, family) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def check_ports_free(settings: Settings) -> list[Check]:
    checks = []
    for name, kind, port in _ports(settings):
        busy = port_in_use(kind, port)
        detail = f"{kind} {port} " + ("in use by another program" if busy else "free")
        checks.append(Check(f"port {name}", not busy, detail))
    return checks


async def _ami_login(settings: Settings, instance: str) -> Any:
    c = render.ami_credentials(settings, instance)
    manager = Manager(host=c.host, port=c.port, username=c.username, secret=c.secret,
                      ping_delay=0, reconnect_timeout=0)  # fmt: skip
    await asyncio.wait_for(manager.connect(), timeout=5)
    return manager


async def check_trunk(manager: Any, settings: Settings) -> Check:
    """Qualify the trunk (SIP OPTIONS) and read its contacts' status: PJSIPQualify and
    Getvar of the PJSIP_AOR/PJSIP_CONTACT functions, which the controller's AMI rights
    allow (PJSIPShowEndpoint would need the "system" right it does not have)."""
    trunk = f"{settings.trunk.host}:{settings.trunk.port}"
    await asyncio.wait_for(
        manager.send_action({"Action": "PJSIPQualify", "Endpoint": "trunk"}), timeout=5
    )
    await asyncio.sleep(1.5)
    contacts = await _getvar(manager, "PJSIP_AOR(trunk,contact)")
    statuses = [
        await _getvar(manager, f"PJSIP_CONTACT({contact},status)")
        for contact in contacts.split(",")
        if contact.strip()
    ]
    ok = "Reachable" in statuses
    return Check("trunk", ok, f"{trunk}: {', '.join(s for s in statuses if s) or 'no contact'}")


async def _getvar(manager: Any, variable: str) -> str:
    reply = await asyncio.wait_for(
        manager.send_action({"Action": "Getvar", "Variable": variable}), timeout=5
    )
    return str(reply.get("Value") or "") if reply.get("Response") == "Success" else ""


async def check_running(settings: Settings) -> list[Check]:
    try:
        manager = await _ami_login(settings, "pbx")
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        return [Check("pbx AMI login", False, f"127.0.0.1:{settings.pbx.ami_port}: {reason}")]
    try:
        checks = [Check("pbx AMI login", True, f"127.0.0.1:{settings.pbx.ami_port}")]
        checks.append(await check_trunk(manager, settings))
    finally:
        manager.close()
    return checks


async def ami_reachable(settings: Settings) -> bool:
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", settings.pbx.ami_port), timeout=2
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def diagnose(settings: Settings) -> list[Check]:
    checks = [check_runtime(), check_sounds()]
    try:
        render.validate_settings(settings)
        checks.append(Check("settings", True, f"{settings.home}"))
    except render.RenderError as exc:
        checks.append(Check("settings", False, str(exc)))
        return checks  # ports and addresses cannot be checked with unusable settings
    if await ami_reachable(settings):
        checks += await check_running(settings)
    else:
        checks.append(Check("appliance", True, "not running; checking that its ports are free"))
        checks += check_ports_free(settings)
    return checks


@click.command("doctor")
@json_option
@pass_app
def doctor(ctx: AppContext, as_json: bool) -> None:
    """Check that the appliance can run and reach its trunk.

    Green lines are fine, red lines need attention; the exit code is 1 when any check
    fails. When the appliance is running, checks the AMI login and qualifies the trunk
    (SIP OPTIONS); otherwise checks that the configured ports are free.
    """
    try:
        settings = load_settings(ctx.home)
    except SettingsError as exc:  # a red line like any other, not only an error
        checks = [Check("settings", False, str(exc))]
    else:
        checks = asyncio.run(diagnose(settings))
    ok = all(c.ok for c in checks)
    if as_json:
        click.echo(json.dumps({"ok": ok, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        for c in checks:
            mark = click.style("ok  ", fg="green") if c.ok else click.style("FAIL", fg="red")
            click.echo(f"{mark} {c.name}: {c.detail}")
    if not ok:
        raise SystemExit(1)


COMMANDS = [doctor]
