"""What the Do Not Call commands and the admin pages say, in one place, so an organizer reads
the same sentence in ``phonebank dnc`` and on the Contacts page."""

from __future__ import annotations


def added(e164: str, new: bool) -> str:
    """A number put on the list (``new``) or found there already."""
    return f"{e164} added to Do Not Call." if new else f"{e164} was already on Do Not Call."


def removed(e164: str) -> str:
    return f"{e164} removed from Do Not Call."


def listed(e164: str, on_list: bool) -> str:
    """The answer to "is this number on the list?" (also the error of removing one that is
    not)."""
    return f"{e164} is {'on' if on_list else 'not on'} Do Not Call."


def imported(added: int, already: int, repeated: int = 0) -> str:
    """A file of numbers taken in (lines skipped are reported apart)."""
    text = f"{added} {_numbers(added)} added, {already} already on Do Not Call."
    if repeated:
        text += f" {repeated} {_lines(repeated)} repeated a number given earlier in the file."
    return text


def skipped(count: int) -> str:
    """Lines of a file that were not taken (each is listed apart)."""
    return f"{count} {_lines(count)} skipped (listed below)."


def _lines(n: int) -> str:
    return "line" if n == 1 else "lines"


def _numbers(n: int) -> str:
    return "number" if n == 1 else "numbers"
