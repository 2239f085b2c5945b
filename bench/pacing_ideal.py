"""How far a pacer with a perfect clock gets: an idealized bank, not the simulator.

The base bank of ``bench/pacing.py`` (15% of dials reach a person, talk 90 s exponential,
wrap-up 15 s, a person waits 2 s for a volunteer, cap 3%) made easier for the dialer in one
way: a call a person answers is on the line exactly ``LEAD`` seconds after it is dialed (no
spread of ring times: the real median from dial to the end of the machine check is about
9.7 s, spread from about 5 to 20 s). The pacer knows when each volunteer filing a report will
be free and dials by the textbook rule for a supply that arrives after a lead time (base
stock): it keeps

    volunteers ready + volunteers free within LEAD + 2 s - people expected from calls out

at the level ``S``. Each level gives one talk share / abandon rate; the table shows how far
that rule gets, for the real lead time and a lead of half of it, so the simulator's figures
can be read against it. It is a reference, not a bound: the clock is perfect, but the rule is
simple, and calls dialed together are answered together (a real list spreads them out).

    .venv/bin/python bench/pacing_ideal.py [--hours 3] [--seeds 2]
"""

from __future__ import annotations

import argparse
import heapq
import random
from dataclasses import dataclass, field

P_HUMAN, TALK, WRAP, GRACE, TICK = 0.15, 90.0, 15.0, 2.0, 0.25


@dataclass
class Bank:
    volunteers: int
    lead: float
    level: float
    rng: random.Random
    now: float = 0.0
    free_since: dict[int, float] = field(default_factory=dict)  # ready volunteers
    wrap_end: dict[int, float] = field(default_factory=dict)
    talk_start: dict[int, float] = field(default_factory=dict)
    calls_out: int = 0  # dialed, not yet a person or gone
    waiting: list[float] = field(default_factory=list)  # people on the line: their deadline
    events: list[tuple[float, int, str, int]] = field(default_factory=list)
    seq: int = 0
    talk: float = 0.0
    connected: int = 0
    dropped: int = 0

    def push(self, when: float, kind: str, ref: int = 0) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, self.seq, kind, ref))

    def pace(self) -> None:
        horizon = self.now + self.lead + GRACE
        soon = sum(1 for end in self.wrap_end.values() if end <= horizon)
        position = len(self.free_since) + soon - len(self.waiting) - P_HUMAN * self.calls_out
        while position > self.level:
            self.calls_out += 1
            person = self.rng.random() < P_HUMAN
            self.push(self.now + self.lead, "person" if person else "gone")
            position -= P_HUMAN

    def match(self) -> None:
        while self.waiting and self.free_since:
            vid = min(self.free_since, key=self.free_since.__getitem__)
            del self.free_since[vid]
            self.waiting.pop(0)
            self.connected += 1
            self.talk_start[vid] = self.now
            self.push(self.now + self.rng.expovariate(1.0 / TALK), "talk_end", vid)

    def handle(self, kind: str, ref: int) -> None:
        if kind == "tick":
            self.push(self.now + TICK, "tick")
            self.pace()
        elif kind in ("person", "gone"):
            self.calls_out -= 1
            if kind == "person":
                self.waiting.append(self.now + GRACE)
                self.push(self.now + GRACE, "grace_over")
                self.match()
        elif kind == "grace_over":
            if self.waiting and self.waiting[0] <= self.now + 1e-9:
                self.waiting.pop(0)
                self.dropped += 1
        elif kind == "talk_end":
            self.talk += self.now - self.talk_start.pop(ref)
            self.wrap_end[ref] = self.now + WRAP
            self.push(self.now + WRAP, "wrap_end", ref)
        elif kind == "wrap_end":
            del self.wrap_end[ref]
            self.free_since[ref] = self.now
            self.match()


def run(
    volunteers: int, lead: float, level: float, hours: float, seed: int
) -> tuple[float, int, int]:
    bank = Bank(volunteers, lead, level, random.Random(seed))
    bank.free_since = {vid: 0.0 for vid in range(volunteers)}
    bank.push(0.0, "tick")
    end = hours * 3600.0
    while bank.events and bank.events[0][0] <= end:
        bank.now, _, kind, ref = heapq.heappop(bank.events)
        bank.handle(kind, ref)
    talk = bank.talk + sum(end - start for start in bank.talk_start.values())
    return talk / (volunteers * end), bank.connected, bank.dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    cases = [
        (10, 9.7, (1.5, 2.0, 2.5, 3.0)),
        (10, 5.0, (1.5, 2.0, 2.5)),
        (20, 9.7, (3.0, 3.5, 4.0)),
    ]
    print(f"{'volunteers':>10} {'lead s':>7} {'level':>6} {'talk share':>11} {'abandon':>8}")
    for volunteers, lead, levels in cases:
        for level in levels:
            runs = [run(volunteers, lead, level, args.hours, seed) for seed in range(args.seeds)]
            share = sum(r[0] for r in runs) / len(runs)
            people = sum(r[1] + r[2] for r in runs)
            abandon = sum(r[2] for r in runs) / max(1, people)
            print(
                f"{volunteers:>10} {lead:>7.1f} {level:>6.1f} {100 * share:>10.1f}% "
                f"{100 * abandon:>7.2f}%",
                flush=True,
            )


if __name__ == "__main__":
    main()
