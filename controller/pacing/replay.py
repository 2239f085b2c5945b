"""Replay a bank's stored pacing decisions: rebuild each snapshot, decide again, compare.

Pure (no I/O): the stored rows come in as an iterable (the store streams them in batches),
the strategies from ``build``, the engine's own function from dialing mode to strategy. Each
stored decision is decided again on the very snapshot it was made from; the strategies keep
no state between decisions (the ramp counts the calls of the snapshot dialed within its
window), so with no overrides every decision replays identically. The replay does not
simulate what another decision would have led to: every decision sees the bank as it was.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from controller.errors import PhonebankError
from controller.model import banks
from controller.model.banks import BankSettings, DialingMode
from controller.pacing.decision import Decision, Strategy
from controller.pacing.predictive import Predictive
from controller.pacing.snapshot import PacingError, PacingSnapshot, VolunteerState
from controller.pacing.strategies import FixedRatio

TUNABLES = tuple(f.name for f in fields(Predictive) if f.name != "name")
BANK_SETTINGS = ("abandon_cap_pct",)
STRATEGIES = ("progressive", "ratio", "predictive")
MODES = {"predictive": DialingMode.PREDICTIVE, "progressive": DialingMode.POWER}


class ReplayError(PhonebankError):
    """A replay that cannot be made as asked (unknown setting, bad value, ...)."""


@dataclass(frozen=True)
class Plan:
    """What to replay with: tunables of the strategies, an abandon cap (a fraction) in place
    of the one each snapshot saw, and a strategy for every decision (else each decision's
    own)."""

    tunables: Mapping[str, float] = field(default_factory=dict)
    cap: float | None = None
    strategy: str | None = None
    ratio: float | None = None


def make_plan(
    bank: BankSettings, sets: Sequence[str], strategy: str | None = None, ratio: float | None = None
) -> Plan:
    """Read ``NAME=VALUE`` overrides; every bad one raises :class:`ReplayError`."""
    tunables: dict[str, float] = {}
    cap: float | None = None
    for item in sets:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep:
            raise ReplayError("set_format", f"--set {item!r}: use NAME=VALUE")
        value = _number(name, text)
        if name in BANK_SETTINGS:
            cap = _cap(bank, value)
        elif name in TUNABLES:
            tunables[name] = value
        else:
            known = ", ".join((*BANK_SETTINGS, *TUNABLES))
            raise ReplayError("unknown_setting", f"unknown pacing setting {name!r}; known: {known}")
    _check_tunables(tunables)
    _check_strategy(strategy, ratio, tunables)
    return Plan(tunables, cap, strategy, ratio)


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ReplayError("bad_value", f"{name}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ReplayError("bad_value", f"{name}: must be a number >= 0, not {text.strip()!r}")
    return value


def _cap(bank: BankSettings, pct: float) -> float:
    """The abandon cap checked by the bank settings' own rules; returned as a fraction."""
    new = banks.apply_changes(bank, {"abandon_cap_pct": pct})
    before = banks.validate(bank)
    problems = [p for p in banks.validate(new) if p not in before]
    if problems:
        code, message = problems[0]
        raise ReplayError(code, f"abandon_cap_pct: {message}")
    return pct / 100


def _check_tunables(tunables: Mapping[str, float]) -> None:
    given: dict[str, Any] = dict(tunables)
    try:
        Predictive(**given)
    except PacingError as exc:
        told = ", ".join(f"{k}={v:g}" for k, v in tunables.items())
        raise ReplayError(exc.code, f"{exc} (given {told})") from None


def _check_strategy(
    strategy: str | None, ratio: float | None, tunables: Mapping[str, float]
) -> None:
    if strategy is not None and strategy not in STRATEGIES:
        raise ReplayError("unknown_strategy", f"strategy {strategy!r} is not one of {STRATEGIES}")
    if (strategy == "ratio") != (ratio is not None):
        raise ReplayError("ratio_strategy", "--ratio goes with --strategy ratio, and only with it")
    if ratio is not None:
        try:
            FixedRatio(ratio)
        except PacingError as exc:
            raise ReplayError(exc.code, str(exc)) from None
    if strategy in ("progressive", "ratio"):
        extra = sorted(set(tunables) - {"cancel_min_ring"})
        if extra:
            raise ReplayError(
                "not_for_strategy", f"{', '.join(extra)}: only the predictive strategy has it"
            )


class Replayer:
    """Builds the strategy of each stored decision once (``build`` is the engine's own
    mode -> strategy function, tunables applied on top) and decides again."""

    def __init__(self, plan: Plan, build: Callable[[DialingMode], Strategy | None]) -> None:
        self.plan, self.build = plan, build
        self._made: dict[str, Strategy] = {}
        self._ignores: dict[str, tuple[str, ...]] = {}  # tunables a strategy does not have
        self.unused: dict[str, dict[str, int]] = {}  # tunable -> strategy -> decisions

    def _count_unused(self, stored: str, used_by: str) -> None:
        for name in self._ignores[self.plan.strategy or stored]:
            per = self.unused.setdefault(name, {})
            per[used_by] = per.get(used_by, 0) + 1

    def strategy(self, stored: str) -> Strategy:
        name = self.plan.strategy or stored
        if name not in self._made:
            self._made[name] = self._make(name)
        return self._made[name]

    def _make(self, name: str) -> Strategy:
        base = self.build(MODES.get(name, DialingMode.POWER))
        if name == "ratio" and base is not None:
            base = FixedRatio(self.plan.ratio or 1.0, cancel_min_ring=_min_ring(base))
        elif name not in MODES or base is None:
            raise ReplayError("unknown_strategy", f"no strategy named {name!r} to replay with")
        mine = {k: v for k, v in self.plan.tunables.items() if hasattr(base, k)}
        self._ignores[name] = tuple(k for k in self.plan.tunables if k not in mine)
        return replace(base, **mine) if mine else base  # type: ignore[type-var]

    def decide(self, row: Mapping[str, Any]) -> tuple[Decision, Decision]:
        """(stored, replayed) of one stored row; ``ReplayError`` when it cannot be read."""
        stored = read_row(row)
        assert stored.inputs is not None
        snapshot = stored.inputs
        if self.plan.cap is not None:
            snapshot = replace(snapshot, ledger=replace(snapshot.ledger, cap=self.plan.cap))
        again = self.strategy(stored.strategy).decide(snapshot)
        self._count_unused(stored.strategy, again.strategy)
        return stored, again


def _min_ring(strategy: Strategy) -> float:
    return float(getattr(strategy, "cancel_min_ring"))  # noqa: B009 - every strategy has it


def read_row(row: Mapping[str, Any]) -> Decision:
    """The stored decision of a ``pacing_decisions`` row with its snapshot rebuilt."""
    data = dict(row)
    try:
        for key in ("cancel", "figures", "inputs"):
            data[key] = json.loads(data.get(key, ""))
    except (ValueError, TypeError) as exc:
        raise ReplayError("unreadable_decision", f"{key} is not valid JSON ({exc})") from None
    if not data["inputs"]:
        raise ReplayError("unreadable_decision", "stored without the snapshot it was made from")
    try:
        return Decision.from_dict(data)
    except KeyError as exc:
        raise ReplayError("unreadable_decision", f"the record has no {exc}") from None
    except (ValueError, TypeError, AttributeError) as exc:
        raise ReplayError("unreadable_decision", f"the record is not a decision ({exc})") from None


def waiting_volunteers(snapshot: PacingSnapshot) -> int:
    return snapshot.count(VolunteerState.WAITING)


@dataclass(frozen=True)
class Difference:
    """One decision that replays differently: what was stored, what is decided now, and the
    volunteers waiting and calls in flight it saw."""

    id: int
    at: float
    stored: tuple[int, int, str]  # dial, cancels, reason
    replayed: tuple[int, int, str]
    waiting: int
    in_flight: int

    def to_dict(self) -> dict[str, Any]:
        keys = ("dial", "cancel", "reason")
        return {
            "id": self.id,
            "at": self.at,
            "stored": dict(zip(keys, self.stored, strict=True)),
            "replayed": dict(zip(keys, self.replayed, strict=True)),
            "waiting": self.waiting,
            "in_flight": self.in_flight,
        }


@dataclass
class Summary:
    """Counts over every decision replayed; the first ``limit`` differences and unreadable
    rows are kept (the rest are only counted)."""

    limit: int = 20
    replayed: int = 0
    identical: int = 0
    figures_differ: int = 0  # identical decisions whose figures (risk, expectations) differ
    dialed_more: int = 0
    dialed_fewer: int = 0
    stored_dials: int = 0  # numbers the stored decisions asked for
    stored_dialed: int = 0  # of which dialed (numbers that could be claimed)
    replayed_dials: int = 0
    cancels_differ: int = 0
    reasons_changed: int = 0
    unreadable: int = 0
    differences: list[Difference] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row id, why)
    strategies: dict[str, int] = field(default_factory=dict)  # replayed with, per name
    unused: dict[str, dict[str, int]] = field(default_factory=dict)  # a --set nobody used

    def add(self, row_id: int, dialed: int, stored: Decision, again: Decision) -> None:
        self.replayed += 1
        self.strategies[again.strategy] = self.strategies.get(again.strategy, 0) + 1
        self.stored_dials += stored.dial
        self.stored_dialed += dialed
        self.replayed_dials += again.dial
        self.dialed_more += again.dial > stored.dial
        self.dialed_fewer += again.dial < stored.dial
        self.cancels_differ += again.cancel != stored.cancel
        self.reasons_changed += again.reason != stored.reason
        if _action(again) == _action(stored):
            self.identical += 1
            self.figures_differ += (again.figures, again.ratio) != (stored.figures, stored.ratio)
        elif len(self.differences) < self.limit:
            self.differences.append(_difference(row_id, stored, again))

    def bad_row(self, row_id: int, why: str) -> None:
        self.unreadable += 1
        if len(self.problems) < self.limit:
            self.problems.append((row_id, why))

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "limit"}
        out["differences"] = [d.to_dict() for d in self.differences]
        out["problems"] = [{"id": i, "why": why} for i, why in self.problems]
        return out


def _action(d: Decision) -> tuple[int, tuple[str, ...], str]:
    return d.dial, d.cancel, d.reason


def _difference(row_id: int, stored: Decision, again: Decision) -> Difference:
    snapshot = stored.inputs
    assert snapshot is not None
    return Difference(
        row_id,
        snapshot.now,
        (stored.dial, len(stored.cancel), stored.reason),
        (again.dial, len(again.cancel), again.reason),
        waiting_volunteers(snapshot),
        len(snapshot.calls),
    )


def replay(
    rows: Iterable[Mapping[str, Any]],
    replayer: Replayer,
    limit: int = 20,
    on_progress: Callable[[int], None] | None = None,
) -> Summary:
    """Decide every stored row again, in order; a row that cannot be read is counted and
    reported, and the replay goes on with the others. ``on_progress`` (when given) is called
    after each row with how many rows are done so far (the caller decides what to show)."""
    summary = Summary(limit)
    for done, row in enumerate(rows, 1):
        row_id = int(row.get("id") or 0)
        try:
            stored, again = replayer.decide(row)
        except ReplayError as exc:
            summary.bad_row(row_id, str(exc))
        else:
            summary.add(row_id, int(row.get("dialed") or 0), stored, again)
        if on_progress is not None:
            on_progress(done)
    summary.unused = {k: dict(v) for k, v in replayer.unused.items()}
    return summary
