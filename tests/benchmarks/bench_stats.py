"""Benchmark: statistics over 100k stored orders (target: under 1 s).

    .venv/bin/python tests/benchmarks/bench_stats.py [--orders 100000] [--days 365]

Builds a deterministic history (services.stats.generate_history: a year of orders, shipped
ones moved to the monthly archives as the store does) in a temp dir, reopens the store as a
fresh process would, and times `stats.compute` (the 7/30/90 day report): without the archive
cache (parsing the big monthly archive files dominates), with it, and warm.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from glstui.domain.clock import FixedClock
from glstui.services import stats
from glstui.store import Store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    clock = FixedClock(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    directory = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    try:
        started = time.perf_counter()
        store = Store.open(directory, clock)
        stats.generate_history(store, clock, orders=args.orders, days=args.days, chunk=10_000)
        built = time.perf_counter() - started
        with store.read() as view:
            hot = len(view.orders)
            months = view.archive_months()
        size = sum(p.stat().st_size for p in directory.rglob("*.json"))
        print(
            f"history: {args.orders} orders over {args.days} days, {hot} hot, "
            f"{len(months)} archive months, {size / 1e6:.0f} MB on disk (built in {built:.1f} s)"
        )
        timings = {}
        for label, use_cache in (
            ("fresh process, no archive cache", False),
            ("fresh process, first run (writes the archive cache)", True),
            ("fresh process, archive cache present", True),
        ):
            store = Store.open(directory, clock, archive=False)  # nothing parsed but hot
            started = time.perf_counter()
            report = stats.compute(store, clock, cache=use_cache)
            timings[label] = time.perf_counter() - started
        started = time.perf_counter()
        stats.compute(store, clock)
        timings["same process again (files parsed)"] = time.perf_counter() - started
        total = report.period(90).total
        print(
            f"90 days: {total.imported} imported, {total.labelled} labelled, "
            f"{total.confirmed} confirmed, median {total.median_label_hours} h to label"
        )
        for label, seconds in timings.items():
            print(f"stats.compute, {label}: {seconds:.3f} s")
        cached = timings["fresh process, archive cache present"]
        print(f"target < 1 s with the cache: {'OK' if cached < 1.0 else 'SLOW'}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
