"""Store benchmark: is a page commit, start-up and memory fine with 100,000 stored orders?

Run: .venv/bin/python tests/benchmarks/bench_store.py [--quick] [--orders 100000] [--open 2000]

Prints "measure | result | target | PASS/FAIL" lines and exits 1 if a target is missed. Every
row says how many orders the hot file (glstui.json) holds while it is measured.

Each measured piece of work runs in a fresh interpreter (subprocess + exec) that does only
that work; its peak memory is VmHWM from /proc/self/status of that very process, read when the
work is done (an exec'd process starts its high-water mark afresh; ru_maxrss of a forked child
would inherit the parent's). The 300 MB target is checked for: open + two page commits,
statistics (stats.compute over the 7/30/90 days, archive cache written), and reading the
biggest archive month.

Two layouts are generated (FixedClock at 2026-11-27), a year of shipped history each:
1. the brief's: `--open` open orders in the hot file, all shipped orders archived by month;
2. steady state: as 1, but orders shipped in the last 30 days (with their shipment and sent
   confirmation) are still in the hot file, as they are until archive_shipped moves them.
The machine is shared with other work, so single timings are noisy: run it twice.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from glstui.domain.clock import FixedClock  # noqa: E402
from glstui.store import Store  # noqa: E402
from glstui.store.sample import make_order, make_outbox, make_shipment  # noqa: E402

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
PAGE = 100


def peak_memory_mb() -> float:
    """VmHWM of this process: the peak resident set since exec, in MB."""
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def hot_orders(directory: Path) -> int:
    store = Store.open(directory, FixedClock(NOW), archive=False)
    with store.read() as view:
        return len(view.orders)


def phase_pages(directory: Path, pages: int) -> dict:
    """Store `pages` pages of 100 new orders into an empty store."""
    store = Store.open(directory, FixedClock(NOW))
    times = []
    for page in range(pages):
        orders = [make_order(page * PAGE + i) for i in range(PAGE)]
        start = time.perf_counter()
        with store.write() as tx:
            tx.orders.put_many(orders)
        times.append(time.perf_counter() - start)
    return {"total": sum(times), "slowest": max(times), "last": times[-1], "hwm": peak_memory_mb()}


def phase_generate(directory: Path, total: int, open_orders: int, recent_hot: bool) -> dict:
    store = Store.open(directory, FixedClock(NOW), archive=False)
    shipped = total - open_orders
    per_day = shipped / 365  # a year of history, the last 31 days still hot
    hot_days = 30 if recent_hot else 0  # shipped less than 31 days ago stays hot
    n = 0
    with store.write() as tx:
        tx.orders.put_many(make_order(n + i) for i in range(open_orders))
    n += open_orders
    by_month: dict[str, list] = {}
    hot_shipped = []
    for i in range(shipped):
        day = i / per_day
        if day < hot_days:
            hot_shipped.append(make_order(n + i, shipped_at=NOW - timedelta(days=day)))
            continue
        when = NOW - timedelta(days=max(day, 32))  # safely past the 31-day line
        by_month.setdefault(f"{when:%Y-%m}", []).append(make_order(n + i, shipped_at=when))
    for month, orders in sorted(by_month.items()):
        shipments = [make_shipment(o, n + k) for k, o in enumerate(orders)]
        with store.write() as tx:
            arch = tx.archive(month)
            arch.orders.put_many(orders)
            arch.shipments.put_many(shipments)
            arch.outbox.put_many(make_outbox(s) for s in shipments)
    with store.write() as tx:
        tx.orders.put_many(hot_shipped)
        shipments = [make_shipment(o, k) for k, o in enumerate(hot_shipped)]
        tx.shipments.put_many(shipments)
        tx.outbox.put_many(make_outbox(s) for s in shipments)
    return {
        "hot_orders": open_orders + len(hot_shipped),
        "archived": sum(len(v) for v in by_month.values()),
        "months": len(by_month),
        "hot_mb": (directory / "glstui.json").stat().st_size / 1e6,
        "archive_mb": sum(p.stat().st_size for p in (directory / "archive").glob("*.json")) / 1e6,
    }


def phase_commit(directory: Path) -> dict:
    """Open the store (with the archive_shipped scan), commit a page of new, one of changed."""
    clock = FixedClock(NOW)
    start = time.perf_counter()
    store = Store.open(directory, clock)
    opened = time.perf_counter() - start
    with store.read() as view:
        hot = len(view.orders)
    new = [make_order(900_000 + i) for i in range(PAGE)]
    start = time.perf_counter()
    with store.write() as tx:
        tx.orders.put_many(new)
    commit_new = time.perf_counter() - start
    with store.read() as view:
        keys = view.orders.keys()[:PAGE]
        changed = [view.orders.get(k) for k in keys]
    for order in changed:
        order.state = "labelled"
    start = time.perf_counter()
    with store.write() as tx:
        tx.orders.put_many(changed)
    commit_update = time.perf_counter() - start
    return {
        "open": opened,
        "hot": hot,
        "commit_new": commit_new,
        "commit_update": commit_update,
        "hwm": peak_memory_mb(),
    }


def phase_stats(directory: Path) -> dict:
    """Statistics as the Statistics screen computes them, in a process that just started."""
    from glstui.services import stats

    clock = FixedClock(NOW)
    store = Store.open(directory, clock, archive=False)
    start = time.perf_counter()
    stats.compute(store, clock, cache=True)
    return {"seconds": time.perf_counter() - start, "hwm": peak_memory_mb()}


def phase_month(directory: Path) -> dict:
    """Read every order of the biggest archive month (as a search in the archive does)."""
    store = Store.open(directory, FixedClock(NOW), archive=False)
    with store.read() as view:
        months = view.archive_months()
    biggest = max(months, key=lambda m: (directory / "archive" / f"orders-{m}.json").stat().st_size)
    start = time.perf_counter()
    with store.read() as view:
        count = len(view.archived_orders(biggest))
    return {
        "seconds": time.perf_counter() - start,
        "month": biggest,
        "orders": count,
        "hwm": peak_memory_mb(),
    }


def run_phase(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(measure: str, result: str, target: str, ok: bool | None) -> bool:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"{measure} | {result} | {target} | {verdict}".rstrip(" |"))
    return ok is not False


PHASES = {"commit": phase_commit, "stats": phase_stats, "month": phase_month}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, directory, *rest = args.phase
        if name == "pages":
            result = phase_pages(Path(directory), int(rest[0]))
        elif name == "generate":
            result = phase_generate(Path(directory), int(rest[0]), int(rest[1]), rest[2] == "1")
        else:
            result = PHASES[name](Path(directory))
        print(json.dumps(result))
        return 0
    if args.quick:
        args.orders, args.open = 3_000, 200  # and only the steady-state layout
    pages_n = 10 if args.quick else 100

    ok = True
    work = Path(tempfile.mkdtemp(prefix="glstui-bench-"))
    try:
        print(f"measure | result | target | verdict   ({os.cpu_count()} cores)")
        pages = run_phase("pages", str(work / "pages"), str(pages_n))
        n = f"{pages_n * PAGE:,}"
        ok &= line(
            f"store {n} orders in pages of 100 (hot file 0 -> {n})",
            f"{pages['total']:.1f} s",
            f"< {pages_n * 0.3:g} s",
            pages["total"] < pages_n * 0.3,
        )
        ok &= line(
            f"  slowest page (hot file up to {n})",
            f"{pages['slowest'] * 1000:.0f} ms",
            "< 250 ms",
            pages["slowest"] < 0.25,
        )
        layouts = [("open hot, rest archived", "0"), ("open + last 31 days hot", "1")]
        for label, recent in layouts[1:] if args.quick else layouts:
            directory = work / f"layout{recent}"
            gen = run_phase("generate", str(directory), str(args.orders), str(args.open), recent)
            m = run_phase("commit", str(directory))
            hot = f"{m['hot']:,} hot"
            print(
                f"-- {args.orders:,} orders, {label}: {gen['hot_orders']:,} hot "
                f"({gen['hot_mb']:.1f} MB), {gen['archived']:,} archived in {gen['months']} "
                f"months ({gen['archive_mb']:.0f} MB)"
            )
            ok &= line(
                f"  commit one page of 100 new orders ({hot})",
                f"{m['commit_new'] * 1000:.0f} ms",
                "< 250 ms",
                m["commit_new"] < 0.25,
            )
            ok &= line(
                f"  commit one page of 100 changed orders ({hot})",
                f"{m['commit_update'] * 1000:.0f} ms",
                "< 250 ms",
                m["commit_update"] < 0.25,
            )
            ok &= line(
                f"  open the store ({hot})",
                f"{m['open'] * 1000:.0f} ms",
                "< 1000 ms",
                m["open"] < 1.0,
            )
            ok &= line(
                f"  peak memory, open + 2 commits ({hot}; VmHWM)",
                f"{m['hwm']:.0f} MB",
                "< 300 MB",
                m["hwm"] < 300,
            )
            st = run_phase("stats", str(directory))
            ok &= line(
                f"  peak memory, statistics 7/30/90 days ({hot}; VmHWM)",
                f"{st['hwm']:.0f} MB ({st['seconds']:.2f} s)",
                "< 300 MB",
                st["hwm"] < 300,
            )
            mo = run_phase("month", str(directory))
            ok &= line(
                f"  peak memory, read archive month {mo['month']} ({hot}; VmHWM)",
                f"{mo['hwm']:.0f} MB ({mo['orders']:,} orders in {mo['seconds'] * 1000:.0f} ms)",
                "< 300 MB",
                mo["hwm"] < 300,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
