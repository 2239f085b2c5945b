"""How far a long command is, on stderr: "replayed 12,000 of 51,000 decisions".

Never on stdout, so the command's own output (text or ``--json``) is the same with or
without it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click

EVERY = 2.0  # seconds between two progress lines at most once


def wanted(flag: bool | None) -> bool:
    """``--progress/--no-progress`` as given, else on when stderr is a terminal."""
    if flag is not None:
        return flag
    return sys.stderr.isatty()


class Progress:
    """A callback ``(done) -> None`` that prints "<verb> <done> of <total> <noun>" on stderr
    at most every ``every`` seconds; :meth:`finish` prints the last figures once more."""

    def __init__(
        self,
        total: int,
        verb: str,
        noun: str,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.verb, self.noun = total, verb, noun
        self.every = EVERY if every is None else every
        self.clock = clock
        self.last = clock()

    def __call__(self, done: int) -> None:
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.say(done)

    def finish(self, done: int) -> None:
        self.say(done)

    def say(self, done: int) -> None:
        click.echo(f"{self.verb} {done:,} of {self.total:,} {self.noun}", err=True)
