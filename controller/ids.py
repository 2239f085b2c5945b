"""One strict reading of a whole number typed by a person (an id, an offset, a count).

Only ASCII digits count ("²" and "٣" are digits to Python but not numbers to a person), and a
number must fit the store's 64-bit integers, so a long string of digits is refused like any
other text instead of reaching SQLite.
"""

from __future__ import annotations

ID_MAX = 2**63 - 1  # the largest integer SQLite stores


def parse_id(text: object, *, maximum: int = ID_MAX) -> int | None:
    """The number `text` spells in ASCII digits (0..maximum), or None for anything else."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 0 <= text <= maximum else None
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None
