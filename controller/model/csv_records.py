"""CSV records with the file lines they came from, and the quote left open at the end.

The csv module reads a quote that never closes as one field running to the end of the
text and says nothing; ``read_rows`` reports it instead (code ``unclosed_quote``, with the
lines it swallowed), so no row vanishes without a word. No file access here.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from controller.model.csv_import import RowError, line_breaks

# Read after the last line: a record of its own when every quote closed, else the end of
# the open field (a private-use character, not found in contact files).
_END = "\ue000end of file\ue000"


def lines_word(first: int, last: int) -> str:
    """``lines 7-12 (6 lines)``, or ``line 7`` when the span is one line."""
    if last <= first:
        return f"line {first}"
    return f"lines {first}-{last} ({last - first + 1} lines)"


def unclosed_quote(row: list[str], start: int, last: int) -> RowError:
    """The error for a record whose last field opened a quote that never closed."""
    opened = start + sum(line_breaks(cell) for cell in row[:-1])
    if last <= opened:
        reason = "a quote opens here and never closes (the rest of the line is one field)"
    else:
        reason = (
            f"a quote opens here and never closes: {lines_word(opened, last)} read as one"
            " field, to the end of the file"
        )
    return RowError(opened, "unclosed_quote", reason)


def read_rows(
    lines: Iterable[str],
    first_line: int = 1,
    on_error: Callable[[RowError], None] | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """(file line, fields) for each non-blank record; ``first_line`` is the first line's number.

    Text the csv module cannot read (a NUL byte, an oversized field) is a ``RowError``
    (``bad_csv``) handed to ``on_error``, and reading goes on after it; a quote still open
    at the end is a ``RowError`` (``unclosed_quote``) and its record is not yielded.
    Without ``on_error`` the error is raised.
    """
    reader = csv.reader(chain(lines, (_END,)))
    start = first_line
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            _hand_over(RowError(start, "bad_csv", f"not readable as CSV: {exc}"), on_error)
            start = first_line + reader.line_num
            continue
        if row and row[-1].endswith(_END):
            if row != [_END]:
                row[-1] = row[-1][: -len(_END)]
                last = first_line + reader.line_num - 2  # the end marker is not a file line
                _hand_over(unclosed_quote(row, start, last), on_error)
            return
        if row and any(cell.strip() for cell in row):
            yield start, row
        start = first_line + reader.line_num


def _hand_over(error: RowError, on_error: Callable[[RowError], None] | None) -> None:
    if on_error is None:
        raise error
    on_error(error)
