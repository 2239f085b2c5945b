"""What the contact import's unclosed-quote check costs before anything is written.

On VAN-style CSVs (the files of ``import_contacts.py``) it times ``check_quotes``: on the
file as it is (quotes counted, an even count: done), with one stray ``"`` inside an address
(an odd count: the file is read through once more, nothing found), and with a quote left
open on the last row (read through, refused). Compare with the import times in
docs/contacts.md.

    .venv/bin/python bench/csv_quote_check.py [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from import_contacts import generate

from controller.model.csv_import import CsvError
from controller.store.contact_import import check_quotes


def variants(base: Path) -> dict[str, Path]:
    """The clean file, one with a stray quote in its first row, one with an open last row."""
    text = base.read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    stray = base.with_name(base.stem + "-stray.csv")
    first = first.replace(" Main St", ' Main St 5"')  # a lone " in an unquoted field
    stray.write_text(header + "\n" + first + "\n" + rest)
    open_quote = base.with_name(base.stem + "-open.csv")
    open_quote.write_text(text + '999,Bad,"Quote,617-555-0300\n')
    return {"even count": base, "stray quote": stray, "open quote": open_quote}


def timed(path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        check_quotes(path)
        outcome = "accepted"
    except CsvError as exc:
        outcome = f"refused ({exc.code})"
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'rows':>10}  {'MB':>6}  {'file':<12}  {'seconds':>8}  outcome")
        for size in (int(s) for s in args.sizes.split(",")):
            base = Path(tmp) / f"van-{size}.csv"
            generate(base, size)
            megabytes = base.stat().st_size / 1e6
            for name, path in variants(base).items():
                elapsed, outcome = timed(path)
                print(f"{size:>10,}  {megabytes:>6.1f}  {name:<12}  {elapsed:>8.3f}  {outcome}")


if __name__ == "__main__":
    main()
