"""Who may be called right now: calling hours, do-not-call, re-call protection.

Each rule is a small pure function; :func:`may_call` combines them and names every reason
a call is not allowed. Times are aware ``datetime`` values or epoch seconds (UTC).

- Calling hours are read in the *contact's* local time (an IANA zone). A bank chooses its
  daily hours (default 9:00-20:00); whatever it chooses, nobody is called before 8:00 or
  from 21:00 on. When a contact's zone is unknown, every zone their number may be in must
  be inside the hours (a ``|``-joined zone key, see :func:`zone_key`).
- Do-not-call numbers are never dialed.
- "Prevent frequent calling": no call within 6 hours of a call the person picked up (not
  after machines, no-answers or failures).
- Optionally, a bank skips numbers another bank called within its last N hours.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from controller.errors import PhonebankError

EARLIEST = time(8, 0)
LATEST = time(21, 0)
DEFAULT_HOURS = (time(9, 0), time(20, 0))
RECALL_BLOCK = timedelta(hours=6)
FALLBACK_ZONE = "America/New_York"


class ComplianceError(PhonebankError):
    """A calling-hours or re-call rule that is not acceptable."""


@dataclass(frozen=True)
class CallingHours:
    start: time = DEFAULT_HOURS[0]
    end: time = DEFAULT_HOURS[1]

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ComplianceError("hours_order", "calling hours must start before they end")
        if self.start < EARLIEST or self.end > LATEST:
            raise ComplianceError(
                "hours_outside_limits",
                f"calling hours must stay within {EARLIEST:%H:%M}-{LATEST:%H:%M} local time",
            )

    @classmethod
    def parse(cls, text: str) -> CallingHours:
        """``"9:00-20:00"`` -> hours; raises :class:`ComplianceError` on bad input."""
        try:
            left, right = text.split("-")
            return cls(_parse_time(left), _parse_time(right))
        except ComplianceError:
            raise
        except ValueError as exc:
            raise ComplianceError(
                "hours_format", f"calling hours {text!r}: use HH:MM-HH:MM"
            ) from exc

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _parse_time(text: str) -> time:
    hour, minute = text.strip().split(":")
    return time(int(hour), int(minute))


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ComplianceError("unknown_time_zone", f"unknown time zone {name!r}") from exc


def valid_zone(name: str) -> bool:
    try:
        _zone(name)
    except ComplianceError:
        return False
    return True


def zone_key(zones: Iterable[str]) -> str:
    """One sortable key for a set of possible zones (``|``-joined, sorted, valid only)."""
    names = sorted({z for z in zones if z and valid_zone(z)})
    return "|".join(names) or FALLBACK_ZONE


def _as_utc(now: datetime | float) -> datetime:
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ComplianceError("naive_time", "times must carry a time zone")
        return now.astimezone(UTC)
    return datetime.fromtimestamp(now, UTC)


def local_time(zone: str, now: datetime | float) -> datetime:
    return _as_utc(now).astimezone(_zone(zone))


def within_hours(zone: str, now: datetime | float, hours: CallingHours = CallingHours()) -> bool:
    """True when it is inside ``hours`` (and 8:00-21:00) in every zone of ``zone``'s key."""
    for name in zone.split("|"):
        wall = local_time(name, now).time()
        if not (max(hours.start, EARLIEST) <= wall < min(hours.end, LATEST)):
            return False
    return True


def zones_open(
    zones: Iterable[str], now: datetime | float, hours: CallingHours = CallingHours()
) -> list[str]:
    """The zone keys among ``zones`` where calling is allowed at ``now``."""
    return [z for z in zones if within_hours(z, now, hours)]


def is_dnc(e164: str, dnc: Collection[str]) -> bool:
    return e164 in dnc


def recall_blocked(
    last_pickup: float | None, now: float, block: timedelta = RECALL_BLOCK, enabled: bool = True
) -> bool:
    """True while a number that picked up at ``last_pickup`` must not be called again."""
    if not enabled or last_pickup is None:
        return False
    return now < last_pickup + block.total_seconds()


def suppressed_by_other_bank(last_other_call: float | None, now: float, hours: int | None) -> bool:
    """True when another bank called the number within the last ``hours`` (if set)."""
    if not hours or last_other_call is None:
        return False
    return now < last_other_call + hours * 3600


@dataclass(frozen=True)
class CallFacts:
    e164: str
    zone: str
    last_pickup: float | None = None
    last_other_bank_call: float | None = None


@dataclass(frozen=True)
class CallRules:
    hours: CallingHours = CallingHours()
    prevent_frequent: bool = True
    suppress_other_bank_hours: int | None = None


def may_call(
    facts: CallFacts, now: float, dnc: Collection[str], rules: CallRules = CallRules()
) -> list[str]:
    """The reasons (ids) the number may not be dialed now; empty means it may."""
    reasons: list[str] = []
    if is_dnc(facts.e164, dnc):
        reasons.append("dnc")
    if not within_hours(facts.zone, now, rules.hours):
        reasons.append("outside_calling_hours")
    if recall_blocked(facts.last_pickup, now, enabled=rules.prevent_frequent):
        reasons.append("recently_reached")
    if suppressed_by_other_bank(facts.last_other_bank_call, now, rules.suppress_other_bank_hours):
        reasons.append("called_by_other_bank")
    return reasons
