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
    return f"lines {first}-{last} ({last - first + 1:,} lines)"


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

    Text the csv module cannot read (an oversized field) is a ``RowError`` handed to
    ``on_error``, and reading goes on after it: ``unclosed_quote`` when the record ran over
    several lines (a quote left open until the field grew too big), else ``bad_csv``. A
    quote still open at the end is ``unclosed_quote`` too, and its record is not yielded.
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
            _hand_over(_unreadable(exc, start, first_line + reader.line_num - 1), on_error)
            start = first_line + reader.line_num
            continue
        if row and row[-1].endswith(_END):
            if row != [_END]:
                _hand_over(_open_at_end(row, start, first_line + reader.line_num), on_error)
            return
        if row and any(cell.strip() for cell in row):
            yield start, row
        start = first_line + reader.line_num


def find_unclosed_quote(lines: Iterable[str]) -> RowError | None:
    """The first quote left open (to the end, or until the field grew too big), or None.

    ``read_rows`` without the rows: about as fast as the csv module reading the text.
    """
    reader = csv.reader(chain(lines, (_END,)))
    start = 1
    while True:
        try:
            for row in reader:
                if row and row[-1].endswith(_END):
                    return None if row == [_END] else _open_at_end(row, start, reader.line_num + 1)
                start = reader.line_num + 1
        except csv.Error as exc:
            error = _unreadable(exc, start, reader.line_num)
            if error.code == "unclosed_quote":
                return error
            start = reader.line_num + 1
            continue
        return None


def _open_at_end(row: list[str], start: int, after_end: int) -> RowError:
    """A record the end of the text cut short; ``after_end``: the end marker's line."""
    row[-1] = row[-1][: -len(_END)]
    return unclosed_quote(row, start, after_end - 2)


def _unreadable(exc: csv.Error, start: int, last: int) -> RowError:
    if last > start:  # only a quoted field runs over lines: it never closed in time
        reason = (
            f"a quote opens here and does not close within {csv.field_size_limit():,}"
            f" characters: {lines_word(start, last)} read as one field"
        )
        return RowError(start, "unclosed_quote", reason)
    return RowError(start, "bad_csv", f"not readable as CSV: {exc}")


def _hand_over(error: RowError, on_error: Callable[[RowError], None] | None) -> None:
    if on_error is None:
        raise error
    on_error(error)
