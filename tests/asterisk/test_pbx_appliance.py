"""The appliance as an operator runs it: ``phonebank run``, ``phonebank doctor``, AMI rights."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from controller.commands.doctor import diagnose
from controller.config import load_settings
from controller.telephony import render
from controller.telephony.runtime import PbxPair, RuntimeError_

from .conftest import AmiProbe, PbxPairInfo, isolated_overrides

pytestmark = pytest.mark.pbx

PHONEBANK = [sys.executable, "-c", "import cli; cli.main()"]
ROOT = Path(__file__).resolve().parents[2]


def _write_toml(home: Path, overrides: dict[str, dict[str, object]]) -> None:
    lines = []
    for section, values in overrides.items():
        lines.append(f"[{section}]")
        lines += [f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}" for k, v in values.items()]
    (home / "phonebank.toml").write_text("\n".join(lines) + "\n")


def _asterisk_pids(home: Path) -> list[int]:
    """Asterisk servers of this home (their -C path names the instance's mount).

    Remote-console clients (`asterisk -rx ...`, run for reloads and checks) are not counted.
    """
    bases = [render.asterisk_base(home / "runtime" / i).encode() for i in ("pbx", "carrier")]
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            argv = cmdline.split(b"\0")
            serving = argv[0].endswith(b"/asterisk") and b"-f" in argv  # not an `asterisk -rx`
            if serving and any(base in cmdline for base in bases):
                pids.append(int(proc.name))
    return pids


def test_given_a_fresh_home_when_phonebank_run_is_interrupted_then_everything_stops(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _write_toml(home, isolated_overrides())
    env = {**os.environ, "PHONEBANK_HOME": str(home)}
    proc = subprocess.Popen(
        [*PHONEBANK, "run", "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        with urllib.request.urlopen(ready["url"] + "health", timeout=10) as response:
            health = json.loads(response.read())
        running = _asterisk_pids(home)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    assert health["ok"] is True
    assert health["components"]["pbx"] == {"ok": True}  # details for organizers only
    assert len(running) == 2
    assert code == 0
    assert _asterisk_pids(home) == []
    assert not any(
        (home / "runtime" / i / "run" / "asterisk.ctl").exists() for i in ("pbx", "carrier")
    )


async def test_given_running_pair_when_doctor_runs_then_ami_and_trunk_are_green(
    pbx_pair: PbxPairInfo,
) -> None:
    checks = {c.name: c for c in await diagnose(pbx_pair.settings)}
    assert checks["asterisk runtime"].ok
    assert checks["prompts"].ok
    assert checks["pbx AMI login"].ok
    assert checks["trunk"].ok, checks["trunk"].detail
    assert "Reachable" in checks["trunk"].detail


async def test_given_nothing_running_when_doctor_runs_then_ports_are_checked_free(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path, isolated_overrides())
    checks = await diagnose(settings)
    port_checks = [c for c in checks if c.name.startswith("port ")]
    assert len(port_checks) == 7
    assert all(c.ok for c in port_checks)


def test_given_a_port_taken_when_doctor_runs_then_it_fails_with_exit_code_1(
    tmp_path: Path,
) -> None:
    import socket

    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    overrides = isolated_overrides()
    overrides["web"]["port"] = blocker.getsockname()[1]
    _write_toml(tmp_path, overrides)
    env = {**os.environ, "PHONEBANK_HOME": str(tmp_path)}
    try:
        result = subprocess.run(
            [*PHONEBANK, "doctor", "--json"], cwd=ROOT, env=env, capture_output=True, text=True
        )
    finally:
        blocker.close()
    report = json.loads(result.stdout)
    failed = [c["name"] for c in report["checks"] if not c["ok"]]
    assert result.returncode == 1
    assert failed == ["port web"]


async def test_given_controller_ami_user_when_running_cli_command_then_permission_denied(
    ami: AmiProbe,
) -> None:
    reply = await ami.action({"Action": "Command", "Command": "core show version"})
    assert reply.get("Response") == "Error"
    assert "Permission denied" in reply.get("Message", "")


def test_given_rendered_pbx_when_reading_manager_conf_then_loopback_only_and_no_web(
    pbx_pair: PbxPairInfo,
) -> None:
    text = (pbx_pair.pbx.host_dir / "etc" / "manager.conf").read_text()
    assert "bindaddr = 127.0.0.1" in text
    assert "webenabled = no" in text
    assert "command" not in text.split("write = ")[1].splitlines()[0]
    assert "127.0.0.1:" + str(pbx_pair.settings.pbx.ami_port) in pbx_pair.cli(
        "pbx", "manager show settings"
    ).replace(" ", "").replace("Bindaddress:", "")


def test_given_instance_left_by_a_crashed_run_when_started_again_then_old_one_is_replaced(
    tmp_path: Path,
) -> None:
    overrides = isolated_overrides()
    overrides["carrier"]["enabled"] = False
    settings = load_settings(tmp_path, overrides)
    first = PbxPair(settings)
    first.start()
    old_pid = first.pbx.pid
    second = PbxPair(settings)  # the first run's process object is "lost"
    try:
        second.start()
        new_pid = second.pbx.pid
        version = second.pbx.cli("core show version")
        second.pbx.restart()
        restarted_pid = second.pbx.pid
    finally:
        second.stop()
        first.stop()
    assert old_pid is not None and new_pid is not None
    assert new_pid != old_pid
    assert (
        not Path(f"/proc/{old_pid}").exists()
        or b"asterisk" not in Path(f"/proc/{old_pid}/cmdline").read_bytes()
    )
    assert "Asterisk" in version
    assert restarted_pid not in (None, new_pid)
    assert _asterisk_pids(tmp_path) == []


def test_given_running_appliance_when_its_process_is_killed_outright_then_asterisk_stops_too(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _write_toml(home, isolated_overrides())
    env = {**os.environ, "PHONEBANK_HOME": str(home)}
    proc = subprocess.Popen(
        [*PHONEBANK, "run", "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    json.loads(proc.stdout.readline())
    running = _asterisk_pids(home)
    proc.kill()  # no chance to clean up
    proc.wait()
    for _ in range(100):
        if not _asterisk_pids(home):
            break
        time.sleep(0.1)
    assert len(running) == 2
    assert _asterisk_pids(home) == []


@pytest.mark.parametrize("held", ["http_port", "ami_port"])
def test_given_a_pbx_port_held_by_another_program_when_started_then_refused_by_name(
    tmp_path: Path, held: str
) -> None:
    overrides = isolated_overrides()
    overrides["carrier"]["enabled"] = False
    settings = load_settings(tmp_path, overrides)
    port = getattr(settings.pbx, held)
    with socket.socket() as other:  # another program listening there first
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", port))
        other.listen()
        with pytest.raises(RuntimeError_) as refused:
            PbxPair(settings).start()
    assert refused.value.code == "port_unbound"
    assert f"pbx is not listening on 127.0.0.1:{port}" in str(refused.value)
    assert "another program" in str(refused.value)
    assert _asterisk_pids(tmp_path) == []  # nothing left running
