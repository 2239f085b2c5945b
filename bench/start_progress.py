"""What it costs the pages to say how far a bank's start has got.

Seeds a synthetic list, starts a bank on it in steps and, with the start held halfway (the
bank still published, half its queue stored), times :func:`start_progress.read` as the bank
page, the banks list, the live feed (every few seconds while the page is open) and
``phonebank bank status`` call it; then the same read of a published bank with no start
(what every other published bank in the banks list costs). Prints p50/p95 milliseconds.

    .venv/bin/python bench/start_progress.py                 # 100k and 1M contacts
    .venv/bin/python bench/start_progress.py --sizes 100000 --reads 50
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from selection import published_bank

from controller.store import banks, queue_build_steps, start_progress
from controller.store.db import Database, open_database

NOW_DT = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)


def _reads(db: Database, bank_id: int, count: int) -> tuple[float, float, Any]:
    times = []
    with db.read() as conn:
        bank = banks.get(conn, bank_id)
        for _ in range(count):
            t0 = time.perf_counter()
            found = start_progress.read(conn, db.path, bank)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], found


def run_size(size: int, reads: int, workdir: Path) -> list[str]:
    db = open_database(workdir / f"bench-{size}.db")
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, f"bench{size}", size, household_every=10)
    starting, idle = published_bank(db, list_id, "starting"), published_bank(db, list_id, "idle")
    halfway, go_on = threading.Event(), threading.Event()
    real_step, calls = queue_build_steps.build_step, [0]
    steps = size // 2 // queue_build_steps.STEP

    def held_step(*args: Any) -> bool:
        calls[0] += 1
        if calls[0] == steps + 1:
            halfway.set()
            go_on.wait(600)
        return real_step(*args)

    queue_build_steps.build_step = held_step  # type: ignore[assignment]
    build = threading.Thread(target=queue_build_steps.start_in_steps, args=(db, starting, NOW_DT))
    build.start()
    halfway.wait(600)
    p50, p95, found = _reads(db, starting, reads)
    i50, i95, _ = _reads(db, idle, reads)
    go_on.set()
    build.join()
    queue_build_steps.build_step = real_step  # type: ignore[assignment]
    db.close()
    return [f"{size:>9,}", f"{p50:>10.2f}", f"{p95:>10.2f}", f"{i50:>9.3f}", f"{i95:>9.3f}",
            found.message]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--reads", type=int, default=30, help="timed reads per bank")
    args = parser.parse_args()
    print(f"{'contacts':>9} | {'p50 ms':>10} | {'p95 ms':>10} | {'idle p50':>9} | "
          f"{'idle p95':>9} | shown halfway")  # fmt: skip
    print("(a read of the bank starting, then of a published bank with no start; milliseconds)")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            print(" | ".join(run_size(size, args.reads, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
