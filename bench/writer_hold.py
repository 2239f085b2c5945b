"""How long bulk chores hold the database's single writer (a running bank waits meanwhile).

A Do Not Call import and a contact list delete, each done as the appliance does them (short
batches) and, side by side, in one transaction (the baseline): total seconds and the longest
time one transaction held the writer.

    .venv/bin/python bench/writer_hold.py [--dnc 1000000] [--contacts 100000,1000000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from import_contacts import generate

from controller.store import contacts, dnc, list_delete, lists
from controller.store.db import Database, open_database


def spied(db: Database) -> list[float]:
    """Make ``db.write`` record how long each transaction held the writer."""
    holds: list[float] = []
    write = db.write

    @contextmanager
    def timed() -> Iterator[object]:
        with write() as conn:
            start = time.perf_counter()
            yield conn
        holds.append(time.perf_counter() - start)

    db.write = timed  # type: ignore[method-assign]
    return holds


def run(db: Database, chore: Callable[[], object]) -> tuple[float, float]:
    holds = spied(db)
    start = time.perf_counter()
    chore()
    return time.perf_counter() - start, max(holds)


def dnc_case(workdir: Path, size: int, batch: int, tag: str) -> tuple[float, float]:
    db = open_database(workdir / f"dnc-{tag}.db")
    numbers = [f"+1202{n:07d}" for n in range(size)]
    try:
        return run(db, lambda: dnc.add_many(db, numbers, batch=batch))
    finally:
        db.close()


def list_case(workdir: Path, csv: Path, batch: int, tag: str) -> tuple[float, float]:
    db = open_database(workdir / f"list-{tag}.db")
    report = contacts.import_csv(db, csv, "Bench")
    ref = lists.ListRef(report.list_id, "Bench")
    try:
        return run(db, lambda: list_delete.delete_list(db, ref, batch=batch))
    finally:
        db.close()


def line(what: str, batched: tuple[float, float], single: tuple[float, float]) -> str:
    return (
        f"{what:<34} {batched[0]:>8.2f} s {batched[1] * 1000:>9.0f} ms"
        f" {single[0]:>10.2f} s {single[1] * 1000:>9.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dnc", type=int, default=1_000_000)
    parser.add_argument("--contacts", default="100000,1000000")
    args = parser.parse_args()
    head = f"{'chore':<34} {'batched: total':>10} {'longest':>9}"
    print(f"{head}  {'one txn: total':>10} {'held':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        batched = dnc_case(workdir, args.dnc, dnc.BATCH, "b")
        single = dnc_case(workdir, args.dnc, args.dnc, "s")
        print(line(f"Do Not Call import, {args.dnc:,} numbers", batched, single), flush=True)
        for size in (int(s) for s in args.contacts.split(",")):
            csv = workdir / f"contacts-{size}.csv"
            generate(csv, size)
            batched = list_case(workdir, csv, list_delete.BATCH, f"b{size}")
            single = list_case(workdir, csv, size + 1, f"s{size}")
            print(line(f"list delete, {size:,} contacts", batched, single), flush=True)


if __name__ == "__main__":
    main()
