"""The dialing queue's rules, without storage: zones, priorities, and claim order.

Each bank has one queue entry per dialable number. An entry sits in one of two lanes:

- lane 0, *waiting*: retries and numbers held back (re-call protection, another bank's
  recent call). Its sort key is the epoch second it becomes due; due entries go first,
  oldest due first, so a retry joins the back of the retry line.
- lane 1, *fresh*: never-dialed numbers, best accuracy first (sort key = -accuracy).

Entries are kept per *zone key* (see :func:`controller.model.compliance.zone_key`) so the
store can skip whole zones outside calling hours with an index, instead of scanning rows.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers import timezone as pn_timezone

from controller.model.compliance import FALLBACK_ZONE, valid_zone, zone_key

LANE_WAITING = 0
LANE_FRESH = 1

# Phone type weights: a number typed "cell" or "landline" beats an unknown one at equal
# accuracy (accuracy is the list's 0-100 confidence score; missing counts as 0).
TYPE_BONUS = {"cell": 0.5, "mobile": 0.5, "landline": 0.3, "home": 0.3}


def zone_for(contact_zone: str | None, e164: str) -> str:
    """The zone key to obey for a contact: their own zone, else their number's zones."""
    if contact_zone and valid_zone(contact_zone):
        return contact_zone
    try:
        parsed = phonenumbers.parse(e164, None)
        zones = pn_timezone.time_zones_for_number(parsed)
    except phonenumbers.NumberParseException:
        return FALLBACK_ZONE
    return zone_key(z for z in zones if z != "Etc/Unknown")


def fresh_sort_key(accuracy: float | None, phone_type: str | None = None) -> float:
    """Lower sorts first: higher accuracy (and a known phone type) is dialed first."""
    score = float(accuracy or 0.0) + TYPE_BONUS.get((phone_type or "").lower(), 0.0)
    return -score


@dataclass(frozen=True, order=True)
class Candidate:
    """A queue entry as the claim query sees it; ordering is the claim order."""

    lane: int
    sort_key: float
    entry_id: int


def merge_candidates(per_zone: Iterable[Sequence[Candidate]], n: int) -> list[Candidate]:
    """The best ``n`` of several already-sorted per-zone candidate lists."""
    if n <= 0:
        return []
    return list(heapq.merge(*per_zone))[:n]


def is_due(candidate: Candidate, now: float) -> bool:
    return candidate.lane == LANE_FRESH or candidate.sort_key <= now


def hold_until(current_lane: int, current_key: float, until: float) -> tuple[int, float]:
    """Lane and key for an entry that may not be dialed before ``until``."""
    if current_lane == LANE_WAITING:
        return LANE_WAITING, max(current_key, until)
    return LANE_WAITING, until
