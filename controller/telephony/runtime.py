"""Start and stop Asterisk instances: the appliance's ``pbx`` and the simulated ``carrier``.

The runtime is either the system Asterisk (>= 20) or the Debian sid root that provisioning
builds (``<cache>/runtime``). Each instance runs in a private mount namespace
(``unshare --mount``) where its directory is bind-mounted at ``/srv/phonebank/<key>`` and,
for the sid root, ``/dev`` and ``/proc`` are mounted into the root before ``chroot``. The
mounts live only as long as the instance: the kernel removes them when it exits, so nothing
is left mounted, and instances of several installations never see each other's files.

Asterisk always drops to the ``asterisk`` user (``-U asterisk``), never runs as root.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from controller.config import Settings
from controller.telephony import render

# Runs in the instance's private mount namespace: mount, start Asterisk, then guard it:
# Asterisk is stopped when it is asked to (TERM) or when the owner process is gone, even if
# the owner was killed outright, so no Asterisk outlives the program that started it.
_LAUNCH = r"""
root="$1"; mnt="$2"; src="$3"; owner="$4"; shift 4
if [ "$root" != / ]; then
    mount --rbind /dev "$root/dev" || exit 70
    mount -t proc proc "$root/proc" || exit 70
    if [ -f /etc/resolv.conf ] && [ -f "$root/etc/resolv.conf" ]; then
        mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
    fi
fi
mount --bind "$src" "$root$mnt" || exit 70
if [ "$root" = / ]; then "$@" & else chroot "$root" "$@" & fi
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
while kill -0 "$child" 2>/dev/null; do
    kill -0 "$owner" 2>/dev/null || kill -TERM "$child" 2>/dev/null
    sleep 1 &
    wait $!
done
wait "$child"
"""


class RuntimeError_(RuntimeError):
    """A runtime failure with a machine-readable ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AsteriskRuntime:
    """Where the Asterisk binary lives: ``root`` is ``/`` for the system Asterisk."""

    root: Path
    uid: int
    gid: int

    @property
    def chroot(self) -> bool:
        return self.root != Path("/")


def _passwd_ids(passwd: Path, user: str = "asterisk") -> tuple[int, int] | None:
    if not passwd.exists():
        return None
    for line in passwd.read_text().splitlines():
        parts = line.split(":")
        if len(parts) > 3 and parts[0] == user:
            return int(parts[2]), int(parts[3])
    return None


def locate_runtime() -> AsteriskRuntime:
    """The provisioned Asterisk: ``$PHONEBANK_ASTERISK_ROOT``, the cached root, or the system's."""
    candidates = []
    if os.environ.get("PHONEBANK_ASTERISK_ROOT"):
        candidates.append(Path(os.environ["PHONEBANK_ASTERISK_ROOT"]))
    candidates.append(render.cache_dir() / "runtime")
    for root in candidates:
        ids = _passwd_ids(root / "etc" / "passwd")
        if (root / "usr" / "sbin" / "asterisk").exists() and ids:
            return AsteriskRuntime(root.resolve(), *ids)
    ids = _passwd_ids(Path("/etc/passwd"))
    if shutil.which("asterisk") and ids:
        return AsteriskRuntime(Path("/"), *ids)
    raise RuntimeError_(
        "runtime_missing", "no Asterisk runtime found: run `bash provisioning/install.sh`"
    )


class AsteriskInstance:
    """One Asterisk process serving the files rendered in ``host_dir``."""

    def __init__(self, name: str, host_dir: Path, runtime: AsteriskRuntime) -> None:
        self.name = name
        self.host_dir = host_dir.resolve()
        self.runtime = runtime
        self.base = render.asterisk_base(self.host_dir)
        self.conf = f"{self.base}/etc/asterisk.conf"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Asterisk's own process id (its guard is the process this object started)."""
        if not self.running:
            return None
        try:
            return int((self.host_dir / "run" / "asterisk.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def start(self, timeout: float = 30.0) -> None:
        """Start and wait for "fully booted"; raises ``RuntimeError_`` with the log tail."""
        if self.running:
            return
        self._reap_stale()
        self._prepare()
        mountpoint = self.runtime.root / self.base.lstrip("/")
        mountpoint.mkdir(parents=True, exist_ok=True)
        command = [
            "unshare", "--mount", "--propagation", "private", "--",
            "sh", "-c", _LAUNCH, "sh", str(self.runtime.root), self.base, str(self.host_dir),
            str(os.getpid()),
            "/usr/sbin/asterisk", "-f", "-U", "asterisk", "-G", "asterisk", "-C", self.conf,
        ]  # fmt: skip
        with open(self.host_dir / "log" / "console.log", "ab") as log:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self._wait_booted(timeout)

    def _prepare(self) -> None:
        uid, gid = self.runtime.uid, self.runtime.gid
        os.chmod(self.host_dir, 0o750)
        os.chown(self.host_dir, uid, gid)
        for path in self.host_dir.rglob("*"):
            with contextlib.suppress(FileNotFoundError):
                os.chown(path, uid, gid, follow_symlinks=False)

    def _wait_booted(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                raise RuntimeError_("start_failed", f"{self.name} exited: {self.log_tail()}")
            if self.pid is not None and (self.host_dir / "run" / "asterisk.ctl").exists():
                result = self._run_cli("core waitfullybooted", timeout=max(1.0, timeout))
                if result.returncode == 0:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError_("boot_timeout", f"{self.name} did not boot: {self.log_tail()}")

    def _run_cli(self, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
        pid = self.pid
        if pid is None:
            raise RuntimeError_("not_running", f"{self.name} is not running")
        args = ["nsenter", "-t", str(pid), "-m", "-r", "--"]
        args += ["/usr/sbin/asterisk", "-C", self.conf, "-rx", command]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)

    def cli(self, command: str, timeout: float = 15.0) -> str:
        """Run an Asterisk CLI command (``asterisk -rx``) and return its output."""
        result = self._run_cli(command, timeout)
        if result.returncode != 0:
            raise RuntimeError_("cli_failed", f"{command!r}: {result.stderr or result.stdout}")
        return result.stdout

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (``core stop now``), then by signal; the mounts go with it."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            pid = self.pid
            with contextlib.suppress(Exception):
                self._run_cli("core stop now", timeout=timeout)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.terminate()  # the guard passes it on to Asterisk
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    if pid is not None:
                        with contextlib.suppress(OSError):
                            os.kill(pid, signal.SIGKILL)
                    proc.kill()
                    proc.wait()
        self._proc = None

    def restart(self, timeout: float = 30.0) -> None:
        self.stop()
        self.start(timeout)

    def log_tail(self, lines: int = 20) -> str:
        text = ""
        for name in ("console.log", "messages.log"):
            path = self.host_dir / "log" / name
            if path.exists():
                text += "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text.strip()

    def _reap_stale(self) -> None:
        """Stop an instance a crashed earlier run left behind on these same files."""
        pidfile = self.host_dir / "run" / "asterisk.pid"
        if not pidfile.exists():
            return
        with contextlib.suppress(ValueError, OSError):
            pid = int(pidfile.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            if self.conf in cmdline:
                os.kill(pid, signal.SIGTERM)
                for _ in range(50):
                    if not Path(f"/proc/{pid}").exists():
                        break
                    time.sleep(0.1)
                else:
                    os.kill(pid, signal.SIGKILL)
        pidfile.unlink(missing_ok=True)


def _check_listening(instance: AsteriskInstance, port: int, http: bool, wait: float = 5.0) -> None:
    """AMI: Asterisk's manager greets on the port. HTTP: Asterisk says it is bound to it.
    (When another program holds a port, Asterisk boots all the same, without it.)"""
    deadline, problem = time.monotonic() + wait, ""
    while time.monotonic() < deadline:
        if http:
            status = instance.cli("http show status")
            if f"Server Enabled and Bound to 127.0.0.1:{port}" in status:
                return
            problem = "its HTTP server is disabled: is another program using that port?"
        else:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1.0) as ami:
                    if ami.recv(64).startswith(b"Asterisk Call Manager/"):
                        return
                    problem = "another program answers there"
            except OSError as exc:
                problem = f"{exc}: is another program using that port?"
        time.sleep(0.1)
    raise RuntimeError_(
        "port_unbound",
        f"{instance.name} is not listening on 127.0.0.1:{port} ({problem}): {instance.log_tail()}",
    )


class PbxPair:
    """The appliance's pbx and, when enabled, the simulated carrier: render, start, stop."""

    def __init__(self, settings: Settings, runtime: AsteriskRuntime | None = None) -> None:
        self.settings = settings
        self.runtime = runtime or locate_runtime()
        pbx_dir = render.instance_dir(settings, "pbx")
        self.pbx = AsteriskInstance("pbx", pbx_dir, self.runtime)
        self.carrier: AsteriskInstance | None = None
        if settings.carrier.enabled:
            carrier_dir = render.instance_dir(settings, "carrier")
            self.carrier = AsteriskInstance("carrier", carrier_dir, self.runtime)

    @property
    def instances(self) -> list[AsteriskInstance]:
        return [i for i in (self.carrier, self.pbx) if i is not None]

    def start(self, timeout: float = 30.0) -> None:
        """Start both; each must listen on its loopback ports (AMI, and the pbx's HTTP for
        browser phones) or ``RuntimeError_`` ``port_unbound`` says which, with the log tail:
        Asterisk boots even when another program holds one of them."""
        render.render_pair(self.settings)
        atexit.register(self.stop)
        try:
            for instance in self.instances:
                instance.start(timeout)
                for port, http in self._ports(instance):
                    _check_listening(instance, port, http)
        except BaseException:
            self.stop()
            raise

    def _ports(self, instance: AsteriskInstance) -> list[tuple[int, bool]]:
        """The loopback ports ``instance`` must listen on, each with whether it is HTTP."""
        if instance is self.carrier:
            return [(self.settings.carrier.ami_port, False)]
        pbx = self.settings.pbx
        return [(pbx.ami_port, False)] + ([(pbx.http_port, True)] if pbx.http_port else [])

    def stop(self) -> None:
        for instance in reversed(self.instances):
            instance.stop()
        atexit.unregister(self.stop)

    def __enter__(self) -> PbxPair:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
