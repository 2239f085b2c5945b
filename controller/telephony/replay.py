"""Record a live AMI session to JSONL and replay recordings into the call tracker.

The runner is the same either way: a source of typed events (a live :class:`AmiSession` or a
recording) feeds a :class:`CallTracker`, and a reporter receives every transition. A
recording is one JSON object per line: the headers of one event exactly as the session
published it (Asterisk's events, the re-sync listing, and the session's own ``Phonebank*``
events), so a replay reproduces the live transitions, timestamps included.

``python -m controller.telephony.replay FILE.jsonl`` prints the transitions of a recording.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from controller.telephony import ami_events as ev
from controller.telephony.ami import AmiSession
from controller.telephony.tracker import CallTracker, Transition

Reporter = Callable[[Transition], None]


class Recorder:
    """A session subscriber that appends every event to a JSONL file."""

    def __init__(self, path: Path, keep: Callable[[ev.AmiEvent], bool] | None = None) -> None:
        self.path = path
        self.count = 0
        self._keep = keep
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = path.open("w", encoding="utf-8")

    def __call__(self, event: ev.AmiEvent) -> None:
        if self._fh is None or (self._keep is not None and not self._keep(event)):
            return
        self._fh.write(json.dumps(event.headers, sort_keys=True) + "\n")
        self._fh.flush()
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def read_recording(path: Path) -> Iterator[ev.AmiEvent]:
    """The typed events of a recording, in order (blank lines are skipped)."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                headers = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(headers, dict):
                raise ValueError(f"{path}:{number}: expected an object of headers")
            yield ev.parse_event(headers)


def run(
    events: Iterable[ev.AmiEvent],
    tracker: CallTracker | None = None,
    reporter: Reporter | None = None,
) -> tuple[CallTracker, list[Transition]]:
    """Feed ``events`` into ``tracker`` (a new one by default); returns it and the transitions."""
    tracker = tracker or CallTracker()
    transitions: list[Transition] = []
    for event in events:
        for t in tracker.feed(event):
            transitions.append(t)
            if reporter is not None:
                reporter(t)
    return tracker, transitions


def replay(path: Path, tracker: CallTracker | None = None) -> tuple[CallTracker, list[Transition]]:
    return run(read_recording(path), tracker)


def attach(session: AmiSession, tracker: CallTracker, reporter: Reporter) -> Callable[[], None]:
    """Live runner: every session event goes through ``tracker``; returns an unsubscribe."""

    def on_event(event: ev.AmiEvent) -> None:
        for t in tracker.feed(event):
            reporter(t)

    return session.subscribe(on_event)


def format_transition(t: Transition) -> str:
    old = t.old.value if t.old else "-"
    extra = f" ({t.reason})" if t.reason else ""
    cause = f" cause={t.cause}" if t.cause is not None else ""
    return f"{t.at:.3f} {t.call_id} {old} -> {t.new.value}{extra}{cause}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m controller.telephony.replay RECORDING.jsonl", file=sys.stderr)
        return 2
    try:
        _, transitions = replay(Path(args[0]))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for t in transitions:
        print(format_transition(t))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
