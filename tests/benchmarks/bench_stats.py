"""Benchmark: statistics over 100k stored orders (target: under 1 s with the archive cache).

    .venv/bin/python tests/benchmarks/bench_stats.py [--quick] [--orders 100000] [--days 365]

Builds a deterministic history (sandbox.history.generate_history: a year of orders, shipped
ones moved to the monthly archives as the store does) in a temp dir. Each "fresh process" row
is a new interpreter (subprocess + exec) that opens the store and times `stats.compute` (the
7/30/90 day report) once: without the archive cache (parsing the big monthly archive files
dominates), the first run with it (writes the cache), and with the cache present. The "same
process" row computes twice in one process and times the second. Peak memory is that
process's VmHWM. Prints "measure | result | target | PASS/FAIL" lines; exit 1 when a target
fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from glstui.domain.clock import FixedClock  # noqa: E402
from glstui.sandbox.history import generate_history  # noqa: E402
from glstui.services import stats  # noqa: E402
from glstui.store import Store  # noqa: E402

CLOCK = FixedClock(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
TARGET_S = 1.0
MEMORY_TARGET_MB = 300.0


def peak_memory_mb() -> float:
    """VmHWM of this process: the peak resident set since exec, in MB."""
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def compute_here(directory: Path, cache: bool, times: int) -> dict[str, float]:
    """In this (fresh) process: open the store as the app does, compute `times` times."""
    store = Store.open(directory, CLOCK, archive=False)  # nothing parsed but hot
    seconds = 0.0
    for _ in range(times):
        started = time.perf_counter()
        report = stats.compute(store, CLOCK, cache=cache)
        seconds = time.perf_counter() - started
    total = report.period(90).total
    return {"seconds": seconds, "hwm": peak_memory_mb(), "imported_90d": total.imported}


def in_fresh_process(directory: Path, cache: bool, times: int = 1) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", str(directory), str(int(cache)), str(times)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(measure: str, result: str, target: str, ok: bool | None) -> bool:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"{measure} | {result} | {target} | {verdict}".rstrip(" |"), flush=True)
    return ok is not False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--target-s", type=float, default=TARGET_S, help="the target with the cache (seconds)"
    )
    parser.add_argument("--phase", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(
            json.dumps(compute_here(Path(args.phase[0]), args.phase[1] == "1", int(args.phase[2])))
        )
        return 0
    if args.quick:
        args.orders, args.days = 1_000, 40
    directory = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    try:
        started = time.perf_counter()
        store = Store.open(directory, CLOCK)
        generate_history(store, CLOCK, orders=args.orders, days=args.days, chunk=10_000)
        built = time.perf_counter() - started
        with store.read() as view:
            hot = len(view.orders)
            months = view.archive_months()
        del store
        size = sum(p.stat().st_size for p in directory.rglob("*.json"))
        print(
            f"# history: {args.orders:,} orders over {args.days} days, {hot:,} hot, "
            f"{len(months)} archive months, {size / 1e6:.0f} MB on disk "
            f"(built in {built:.1f} s); {os.cpu_count()} cores"
        )
        what = f"stats over {args.orders // 1000}k orders ({hot:,} hot)"
        ok = True
        no_cache = in_fresh_process(directory, cache=False)
        line(f"{what}, fresh process, no archive cache", f"{no_cache['seconds']:.3f} s", "", None)
        first = in_fresh_process(directory, cache=True)
        line(
            f"{what}, fresh process, first run (writes the archive cache)",
            f"{first['seconds']:.3f} s",
            "",
            None,
        )
        cached = in_fresh_process(directory, cache=True)
        ok &= line(
            f"{what}, fresh process, archive cache present",
            f"{cached['seconds']:.3f} s",
            f"< {args.target_s:g} s",
            cached["seconds"] < args.target_s,
        )
        again = in_fresh_process(directory, cache=True, times=2)
        line(f"{what}, same process again (files parsed)", f"{again['seconds']:.3f} s", "", None)
        peak = max(no_cache["hwm"], first["hwm"])
        ok &= line(
            f"{what}, peak memory of a fresh process (VmHWM)",
            f"{peak:.0f} MB",
            f"< {MEMORY_TARGET_MB:g} MB",
            peak < MEMORY_TARGET_MB,
        )
        same = {no_cache["imported_90d"], first["imported_90d"], cached["imported_90d"]}
        ok &= line(
            f"{what}, same 90-day count with and without the cache",
            " / ".join(f"{n:,.0f}" for n in sorted(same)),
            "one value",
            len(same) == 1,
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
