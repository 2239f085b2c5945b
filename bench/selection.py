"""Next-number selection: time per claim as the contact list grows.

Seeds a synthetic list (bulk SQL through the store), builds two running banks over it, and
times claims of one number each: the real claim (per-zone index seeks) and a naive baseline
(the same choice made by scanning the table). Prints p50/p95 per claim side by side; the
real claim should stay flat as the list grows. Wall-clock p95 includes waiting for the CPU on
a busy machine; the CPU p95 column is the claim's own cost.

It also prints how long starting a bank takes on the list: the queue built in one
transaction (the writer held throughout), and built in steps as the admin page and
``bank start`` do, with the longest time the writer was held by one step or by the final
starting transaction.

    .venv/bin/python bench/selection.py                 # 10k, 100k, 1M contacts
    .venv/bin/python bench/selection.py --sizes 10000,100000 --claims 500
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from controller.model import banks as bank_model
from controller.store import banks, queue, queue_build_steps
from controller.store.db import Database, open_database

NOW_DT = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)  # 12:00-18:00 in every zone of the list
NOW = NOW_DT.timestamp()


def published_bank(db: Database, list_id: int, title: str) -> int:
    """A new bank on ``list_id`` with a one-block script, published (not started)."""
    with db.write() as conn:
        conn.execute("INSERT OR IGNORE INTO scripts (name, body) VALUES ('bench', ?)",
                     ('{"name": "bench", "blocks": [{"id": "a", "title": "A"}]}',))  # fmt: skip
        script_id = conn.execute("SELECT id FROM scripts WHERE name = 'bench'").fetchone()[0]
        changes = {"title": title, "description": "bench", "list_id": list_id,
                   "script_id": script_id}  # fmt: skip
        bank_id = banks.create(conn, changes).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
    return bank_id


def _bank(db: Database, list_id: int, title: str, in_steps: bool = False) -> int:
    bank_id = published_bank(db, list_id, title)
    if in_steps:
        queue_build_steps.start_in_steps(db, bank_id, NOW_DT)
    else:
        with db.write() as conn:
            banks.start(conn, bank_id, NOW_DT)
    return bank_id


LONGEST_HOLD = [0.0]  # seconds: the longest writer transaction of the last start in steps


def _timed_transactions() -> None:
    """Make :func:`start_in_steps` note how long each of its writer transactions lasts."""
    real = queue_build_steps.transaction

    @contextmanager
    def timed(conn: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE") -> Iterator[None]:
        t0 = time.perf_counter()
        with real(conn, begin):
            yield
        if begin == "BEGIN IMMEDIATE":
            LONGEST_HOLD[0] = max(LONGEST_HOLD[0], time.perf_counter() - t0)

    queue_build_steps.transaction = timed  # type: ignore[assignment]


def _time(claims: int, claim: Callable[[], object]) -> tuple[float, float, float]:
    """p50 and p95 wall milliseconds per claim, and p95 CPU milliseconds (load-independent)."""
    wall, cpu = [], []
    for _ in range(claims):
        t0, c0 = time.perf_counter(), time.process_time()
        claim()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    wall.sort()
    cpu.sort()
    p95 = max(int(len(wall) * 0.95) - 1, 0)
    return statistics.median(wall), wall[p95], cpu[p95]


def run_size(size: int, claims: int, naive_claims: int, workdir: Path) -> dict[str, float]:
    db = open_database(workdir / f"bench-{size}.db")
    t0 = time.perf_counter()
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, f"bench{size}", size, household_every=10)
    seeded = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive_bank = _bank(db, list_id, "naive")
    built = time.perf_counter() - t0
    LONGEST_HOLD[0] = 0.0
    t0 = time.perf_counter()
    real_bank = _bank(db, list_id, "indexed", in_steps=True)
    stepped = time.perf_counter() - t0

    def real() -> object:
        return queue.claim_next(db, real_bank, NOW, 1)

    def naive() -> object:
        with db.write() as conn:
            return queue.naive_claim(conn, naive_bank, NOW, 1)

    p50, p95, c95 = _time(claims, real)
    n50, n95, _ = _time(naive_claims, naive)
    db.close()
    return {"seed_s": seeded, "build_s": built, "steps_s": stepped, "hold_s": LONGEST_HOLD[0],
            "p50": p50, "p95": p95, "c95": c95, "n50": n50, "n95": n95}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--claims", type=int, default=300, help="timed claims per size")
    parser.add_argument("--naive-claims", type=int, default=30, help="timed baseline claims")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    _timed_transactions()
    print(f"{'contacts':>9} | {'seed s':>6} | {'queue build s':>13} | {'in steps s':>10} | "
          f"{'longest hold s':>14} | {'claim p50 ms':>12} | {'claim p95 ms':>12} | "
          f"{'cpu p95 ms':>10} | {'naive p50 ms':>12} | {'naive p95 ms':>12}")  # fmt: skip
    print("-" * 140)
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            r = run_size(size, args.claims, args.naive_claims, Path(tmp))
            print(
                f"{size:>9} | {r['seed_s']:>6.1f} | {r['build_s']:>13.1f} | {r['steps_s']:>10.1f}"
                f" | {r['hold_s']:>14.2f} | {r['p50']:>12.3f}"
                f" | {r['p95']:>12.3f} | {r['c95']:>10.3f} | {r['n50']:>12.3f}"
                f" | {r['n95']:>12.3f}",
                flush=True,
            )
            (Path(tmp) / f"bench-{size}.db").unlink()


if __name__ == "__main__":
    main()
