"""``phonebank export``: stream a bank's results as CSV (or JSON lines)."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

import click

from controller.commands.common import (
    AppContext,
    fail,
    json_option,
    pass_app,
    plural,
    write_file,
)
from controller.commands.params import ID
from controller.model.banks import BankError
from controller.store import banks as bank_store
from controller.store.results import EXPORTS, ResultsError

KINDS = tuple(EXPORTS)


def export_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = json_option(fn)
    fn = click.option(
        "--output", "-o", type=click.Path(dir_okay=False), help="Write to a file (default stdout)."
    )(fn)
    return click.option(
        "--kind",
        type=click.Choice(KINDS),
        default="attempts",
        show_default=True,
        help="attempts: every dial; contacts: each contact with outcome and script answers;"
        " volunteers: totals per volunteer.",
    )(fn)


_NUMBERISH = re.compile(r"^[+-]?[\d .()]+$")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas (=, +, -, @ ...) in text cells; numbers stay as is."""
    formula = isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
    if formula and not _NUMBERISH.match(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row, header or data, with every cell through ``safe_cell`` (the header holds
    script block titles, which come from shared script files)."""
    return [safe_cell(v) for v in values]


def _write(rows: Any, out: TextIO, as_json: bool) -> int:
    header = next(rows)
    count = 0
    writer = csv.writer(out)
    if not as_json:
        writer.writerow(safe_row(header))
    for row in rows:
        if as_json:
            out.write(json.dumps(dict(zip(header, row, strict=True)), default=str) + "\n")
        else:
            writer.writerow(safe_row(row))
        count += 1
    return count


def write_export(
    app: AppContext, bank_id: int, kind: str, output: str | None, as_json: bool
) -> None:
    """Stream one export; rows go out as they are read (constant memory)."""
    try:
        with app.db.read() as conn:
            bank_store.get(conn, bank_id)
            rows = EXPORTS[kind](conn, bank_id)
            if output:
                count = _write_file(rows, Path(output), as_json)
                click.echo(f"Wrote {plural(count, 'row')} of {kind} to {output}.", err=True)
            else:
                _write(rows, sys.stdout, as_json)
    except (BankError, ResultsError) as exc:
        fail(str(exc), exc.code, as_json)
    except BrokenPipeError:  # the reader (| head) stopped reading: nothing to say
        sys.stderr.close()
        sys.exit(0)
    except OSError as exc:  # a missing folder, no permission, a full disk
        fail(f"cannot write {output}: {exc.strerror or exc}", "cannot_write", as_json)


def _write_file(rows: Any, path: Path, as_json: bool) -> int:
    """Write into ``path`` whole or not at all (:func:`write_file`)."""
    return write_file(path, lambda fh: _write(rows, fh, as_json), as_json)


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("bank_id", type=ID)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default stdout).")
@json_option
@pass_app
def export(app: AppContext, kind: str, bank_id: int, output: str | None, as_json: bool) -> None:
    """Export KIND (attempts, contacts, volunteers) of BANK_ID as CSV.

    With --json each row is a JSON object on its own line. Rows are streamed, so exports
    of any size use little memory; with --output the file appears only once complete.
    """
    write_export(app, bank_id, kind, output, as_json)


COMMANDS = [export]
