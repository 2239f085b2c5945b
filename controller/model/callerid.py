"""Caller ID selection from a bank's pool, rotated.

Order of preference for one dial: a pool number in one of the bank's preferred area codes,
else one in the contact's own area code (NANP numbers), else any pool number. Within the
chosen group the numbers take turns (round robin per group), so no single number carries
the whole bank's traffic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from controller.errors import PhonebankError


class CallerIdError(PhonebankError):
    """No caller ID can be chosen from the bank's pool."""


def area_code(e164: str) -> str | None:
    """The NANP area code of ``+1NXXNXXXXXX``, else None."""
    if e164.startswith("+1") and len(e164) == 12 and e164[2:].isdigit():
        return e164[2:5]
    return None


@dataclass
class CallerIdPool:
    """The pool of one bank; ``pick`` is deterministic given the sequence of calls."""

    numbers: Sequence[str]
    preferred_area_codes: Sequence[str] = ()
    _turns: dict[tuple[str, ...], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.numbers:
            raise CallerIdError("empty_pool", "the caller ID pool is empty")
        self.numbers = tuple(dict.fromkeys(self.numbers))

    def group_for(self, callee: str) -> tuple[str, ...]:
        preferred = tuple(n for n in self.numbers if area_code(n) in self.preferred_area_codes)
        if preferred:
            return preferred
        own = area_code(callee)
        local = tuple(n for n in self.numbers if own is not None and area_code(n) == own)
        return local or tuple(self.numbers)

    def pick(self, callee: str) -> str:
        group = self.group_for(callee)
        turn = self._turns.get(group, 0)
        self._turns[group] = turn + 1
        return group[turn % len(group)]
