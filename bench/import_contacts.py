"""Contact import speed: VAN-style CSVs of 10k / 100k / 1M contacts.

Generates the files (cached beside the run under a temporary directory), imports each into a
fresh database with ``phonebank``'s importer and prints seconds and rows/s, next to a naive
baseline on the 10k file (row-by-row phonenumbers parsing and sqlite-utils inserts). Then, on
each imported list, starts a bank and times next-number selection (one number per claim),
which should stay flat as the list grows.

    .venv/bin/python bench/import_contacts.py [--sizes 10000,100000,1000000] [--claims 200]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import phonenumbers
import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selection import NOW, _bank, _time

from controller.store import lists, queue
from controller.store.contacts import import_csv
from controller.store.db import open_database

HEADER = [
    "VanID", "FirstName", "LastName", "Address", "City", "State", "Zip5",
    "CellPhone", "CellPhoneDialingPrefix", "CellPhoneCountryCode", "CellPhoneId",
    "HomePhone", "HomePhoneDialingPrefix", "HomePhoneCountryCode", "HomePhoneId",
    "Precinct", "Support Score",
]  # fmt: skip
PLACES = [
    ("Boston", "MA", "021", ["617", "857"]),
    ("Chicago", "IL", "606", ["312", "773"]),
    ("Denver", "CO", "802", ["303", "720"]),
    ("Seattle", "WA", "981", ["206"]),
    ("Atlanta", "GA", "303", ["404", "678"]),
    ("Austin", "TX", "787", ["512"]),
    ("Pensacola", "FL", "325", ["850"]),
    ("Phoenix", "AZ", "850", ["602", "480"]),
]
FIRST = ["Ana", "Ben", "Carla", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "June"]
LAST = ["Smith", "Garcia", "Nguyen", "Okafor", "Kowalski", "Brown", "Lee", "Haddad"]


def number(rng: random.Random, area: str) -> str:
    return f"({area}) {rng.randint(2, 9)}{rng.randint(0, 99):02d}-{rng.randint(0, 9999):04d}"


def generate(path: Path, size: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        home = ""
        for i in range(size):
            city, state, zip3, areas = rng.choice(PLACES)
            if i % 5 != 1:  # every fifth contact shares the previous one's home number
                home = number(rng, rng.choice(areas))
            out.writerow([
                100000 + i, rng.choice(FIRST), rng.choice(LAST), f"{rng.randint(1, 999)} Main St",
                city, state, f"{zip3}{rng.randint(0, 99):02d}",
                number(rng, rng.choice(areas)), "1", "US", 9000000 + i,
                home, "1", "US", 8000000 + i,
                f"P-{rng.randint(1, 40)}", str(rng.randint(1, 100)),
            ])  # fmt: skip


def cpu_seconds() -> float:
    """User + system time of this process and its finished children (the parse workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def fast(
    path: Path, workdir: Path, tag: str, workers: int | None = None
) -> tuple[float, int, float]:
    db = open_database(workdir / f"fast-{tag}.db")
    start, cpu = time.perf_counter(), cpu_seconds()
    report = import_csv(db, path, "Bench", workers=workers)
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed, report.imported, cpu_seconds() - cpu


def selection(db_path: Path, claims: int) -> tuple[float, float, float, float]:
    """Queue build seconds, then p50 / p95 wall and p95 CPU milliseconds per claim."""
    db = open_database(db_path)
    with db.read() as conn:
        listed = lists.resolve(conn, "Bench")
    start = time.perf_counter()
    bank_id = _bank(db, listed.id, "bench")
    built = time.perf_counter() - start
    p50, p95, c95 = _time(claims, lambda: queue.claim_next(db, bank_id, NOW, 1))
    db.close()
    return built, p50, p95, c95


def naive(path: Path, workdir: Path) -> tuple[float, int]:
    db = open_database(workdir / "naive.db")
    db.close()
    sdb = sqlite_utils.Database(str(workdir / "naive.db"))
    list_id = sdb["lists"].insert({"name": "Bench", "created_at": "now"}).last_pk
    start, count = time.perf_counter(), 0
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            phones = []
            for column in ("CellPhone", "HomePhone"):
                parsed = phonenumbers.parse(row[column], "US")
                if phonenumbers.is_valid_number(parsed):
                    phones.append(
                        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                    )
            cid = sdb["contacts"].insert({
                "list_id": list_id, "van_id": row["VanID"], "first_name": row["FirstName"],
                "last_name": row["LastName"], "dedupe_key": f"van:{row['VanID']}",
                "created_at": "now",
            }).last_pk  # fmt: skip
            for e164 in phones:
                sdb["phones"].insert({"contact_id": cid, "e164": e164})
            count += 1
    return time.perf_counter() - start, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--baseline", type=int, default=10000, help="rows for the naive baseline (0: none)"
    )
    parser.add_argument("--claims", type=int, default=200, help="timed claims per size (0: none)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cpus = os.cpu_count() or 1
    print(f"{cpus} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'method':<28}{'rows':>10}{'seconds':>10}{'rows/s':>12}{'imported':>10}"
          f"{'cpu s':>9}", flush=True)  # fmt: skip

    def show(name: str, size: int, elapsed: float, imported: int, cpu: float = 0.0) -> None:
        used = f"{cpu:>9.1f}" if cpu else f"{'':>9}"
        print(f"{name:<28}{size:>10}{elapsed:>10.2f}{size / elapsed:>12,.0f}{imported:>10}"
              f"{used}", flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="phonebank-bench-") as tmp:
        workdir = Path(tmp)
        if args.baseline:
            path = workdir / f"contacts-{args.baseline}.csv"
            generate(path, args.baseline)
            show("baseline: row-by-row", args.baseline, *naive(path, workdir))
            show("import, in-process", args.baseline, *fast(path, workdir, "base", workers=0))
            show("  re-import same file", args.baseline, *fast(path, workdir, "base", workers=0))
        for size in sizes:
            path = workdir / f"contacts-{size}.csv"
            generate(path, size)
            if size <= 100_000:
                show("import, in-process", size, *fast(path, workdir, f"{size}-1", workers=0))
            show(f"import, {cpus} parse workers", size, *fast(path, workdir, str(size), cpus))
            if args.claims:
                built, p50, p95, c95 = selection(workdir / f"fast-{size}.db", args.claims)
                print(
                    f"  selection on {size:,} contacts: queue build {built:.1f} s,"
                    f" claim p50 {p50:.2f} ms, p95 {p95:.2f} ms, cpu p95 {c95:.2f} ms",
                    flush=True,
                )
            (workdir / f"fast-{size}.db").unlink()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
