"""Simulation inputs (a bank's callees and volunteers) and results (the metrics we compare)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from controller.pacing.snapshot import PacingError


@dataclass(frozen=True)
class Scenario:
    """Callee rates and human timings. Each dial is answered by a person with ``p_human``, by
    a machine with ``p_machine``, is busy/invalid with ``p_busy``, else rings out.

    Ring time (dial to answer) is lognormal with mean ``ring_mean`` and log-sd ``ring_sigma``;
    AMD decides in ``amd_human`` / ``amd_machine`` seconds; talk is exponential with mean
    ``talk_mean``; wrap-up is fixed ``wrap``; unanswered calls end at ``ring_timeout``.
    """

    name: str = "base"
    volunteers: int = 10
    p_human: float = 0.15
    p_machine: float = 0.30
    p_busy: float = 0.10
    ring_mean: float = 9.0
    ring_sigma: float = 0.5
    setup_time: float = 1.0
    busy_time: float = 3.0
    amd_human: float = 1.8
    amd_machine: float = 3.0
    talk_mean: float = 90.0
    wrap: float = 15.0
    ring_timeout: float = 30.0
    grace: float = 2.0
    cap: float = 0.03
    hours: float = 4.0
    tick: float = 1.0

    def __post_init__(self) -> None:
        if self.volunteers < 0 or self.hours <= 0 or self.tick <= 0:
            raise PacingError("bad_scenario", "need volunteers >= 0, hours > 0, tick > 0")
        if self.p_human + self.p_machine + self.p_busy > 1.0 + 1e-9:
            raise PacingError("bad_scenario", "answer probabilities sum above 1")
        if self.ring_timeout < 15.0:
            raise PacingError("bad_scenario", "unanswered calls must ring at least 15 s")

    @property
    def ring_mu(self) -> float:
        return math.log(self.ring_mean) - self.ring_sigma**2 / 2.0

    @property
    def ceiling(self) -> float:
        """Best possible talk share: volunteers never wait between calls."""
        return self.talk_mean / (self.talk_mean + self.wrap)


@dataclass
class SimResult:
    """Totals of one run; the properties are the metrics the benchmark prints."""

    scenario: Scenario
    strategy: str
    seed: int
    dials: int = 0
    fates: dict[str, int] = field(default_factory=dict)
    in_flight_at_end: int = 0
    connections: int = 0
    waited: int = 0  # connections whose person waited for a volunteer (more than 0.3 s)
    talk_time: float = 0.0
    wait_time: float = 0.0
    decisions: int = 0

    @property
    def logged_time(self) -> float:
        return self.scenario.volunteers * self.scenario.hours * 3600.0

    @property
    def drops(self) -> int:
        return self.fates.get("dropped", 0)

    @property
    def talk_share(self) -> float:
        return self.talk_time / self.logged_time if self.logged_time else 0.0

    @property
    def contacts_per_volunteer_hour(self) -> float:
        hours = self.logged_time / 3600.0
        return self.connections / hours if hours else 0.0

    @property
    def abandon_rate(self) -> float:
        humans = self.connections + self.drops
        return self.drops / humans if humans else 0.0

    @property
    def mean_wait(self) -> float:
        """Mean time a volunteer waits (ready, idle) per connection."""
        return self.wait_time / self.connections if self.connections else 0.0

    @property
    def waited_share(self) -> float:
        """Share of connected people who answered while no volunteer was free and waited."""
        return self.waited / self.connections if self.connections else 0.0

    @property
    def dials_per_hour(self) -> float:
        return self.dials / self.scenario.hours

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": asdict(self.scenario),
            "strategy": self.strategy,
            "seed": self.seed,
            "dials": self.dials,
            "fates": dict(self.fates),
            "in_flight_at_end": self.in_flight_at_end,
            "connections": self.connections,
            "waited_share": round(self.waited_share, 4),
            "talk_share": round(self.talk_share, 4),
            "contacts_per_volunteer_hour": round(self.contacts_per_volunteer_hour, 3),
            "abandon_rate": round(self.abandon_rate, 4),
            "mean_wait": round(self.mean_wait, 2),
            "dials_per_hour": round(self.dials_per_hour, 1),
        }
