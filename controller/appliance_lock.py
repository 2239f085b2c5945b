"""Whether the appliance (``phonebank run``) is running on a home: it holds an exclusive
lock on ``<home>/appliance.lock`` while it runs, which the operating system drops when the
process ends, however it ends. Commands that change banks use it to say when nothing will
dial until the appliance runs; a second ``phonebank run`` on the same home is refused."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from controller.errors import PhonebankError

LOCK_NAME = "appliance.lock"


class AlreadyRunning(PhonebankError):
    def __init__(self, home: Path) -> None:
        super().__init__(
            "already_running",
            f"the appliance is already running on {home} (another `phonebank run`)",
        )


def acquire(home: Path) -> int:
    """Take the home's appliance lock (a descriptor to :func:`release`); :class:`AlreadyRunning`
    when another process holds it."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunning(home) from None
    return fd


def release(fd: int) -> None:
    os.close(fd)  # drops the lock


@contextmanager
def hold(home: Path) -> Iterator[None]:
    """Hold the home's appliance lock for the block (see :func:`acquire`)."""
    fd = acquire(home)
    try:
        yield
    finally:
        release(fd)


def running(home: Path) -> bool:
    """Whether a ``phonebank run`` holds the home's appliance lock now."""
    return is_locked(home / LOCK_NAME)


def is_locked(path: Path) -> bool:
    """Whether some process holds an exclusive lock on the file at ``path`` now (a missing
    file is not locked); probes without waiting and without taking it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
