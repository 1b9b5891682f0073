"""Store benchmark: is a page commit, start-up and memory fine with 100,000 stored orders?

Run: .venv/bin/python tests/benchmarks/bench_store.py [--orders 100000] [--open 2000]

Prints "measure | result | target | PASS/FAIL" lines and exits 1 if a target is missed.
Each measurement runs in a fresh subprocess so peak RSS (ru_maxrss) is that of an app that
opens the store and commits a page, not of the generator.

Two layouts are generated (FixedClock at 2026-11-27), a year of shipped history each:
1. the brief's: `--open` open orders in the hot file, all shipped orders archived by month;
2. steady state: as 1, but orders shipped in the last 30 days (with their shipment and sent
   confirmation) are still in the hot file, as they are until archive_shipped moves them.
The machine is shared with other work, so single timings are noisy: run it twice.
"""

from __future__ import annotations

import argparse
import json
import resource
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def phase_pages(directory: Path) -> dict:
    """Store 10,000 new orders in pages of 100 into an empty store."""
    store = Store.open(directory, FixedClock(NOW))
    times = []
    for page in range(100):
        orders = [make_order(page * PAGE + i) for i in range(PAGE)]
        start = time.perf_counter()
        with store.write() as tx:
            tx.orders.put_many(orders)
        times.append(time.perf_counter() - start)
    return {"total": sum(times), "slowest": max(times), "last": times[-1]}


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


def phase_measure(directory: Path) -> dict:
    clock = FixedClock(NOW)
    start = time.perf_counter()
    store = Store.open(directory, clock)  # includes the archive_shipped scan
    opened = time.perf_counter() - start
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
    rss = peak_rss_mb()
    start = time.perf_counter()
    with store.read() as view:
        hot = len(view.orders.all())
    read_all = time.perf_counter() - start
    start = time.perf_counter()
    with store.read() as view:
        months = view.archive_months()
        archived = len(view.archived_orders(months[-1])) if months else 0
    read_month = time.perf_counter() - start
    return {
        "open": opened,
        "commit_new": commit_new,
        "commit_update": commit_update,
        "rss": rss,
        "read_all": read_all,
        "hot": hot,
        "read_month": read_month,
        "month_orders": archived,
        "rss_after_month": peak_rss_mb(),
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, directory, *rest = args.phase
        if name == "pages":
            result = phase_pages(Path(directory))
        elif name == "generate":
            result = phase_generate(Path(directory), int(rest[0]), int(rest[1]), rest[2] == "1")
        else:
            result = phase_measure(Path(directory))
        print(json.dumps(result))
        return 0

    ok = True
    work = Path(tempfile.mkdtemp(prefix="glstui-bench-"))
    try:
        print("measure | result | target | verdict")
        pages = run_phase("pages", str(work / "pages"))
        ok &= line(
            "store 10,000 orders in pages of 100",
            f"{pages['total']:.1f} s",
            "< 30 s",
            pages["total"] < 30,
        )
        ok &= line(
            "  slowest page (10k orders hot)",
            f"{pages['slowest'] * 1000:.0f} ms",
            "< 250 ms",
            pages["slowest"] < 0.25,
        )
        for label, recent in (("open hot, rest archived", "0"), ("open + last 31 days hot", "1")):
            directory = work / f"layout{recent}"
            gen = run_phase("generate", str(directory), str(args.orders), str(args.open), recent)
            m = run_phase("measure", str(directory))
            print(
                f"-- {args.orders:,} orders, {label}: {gen['hot_orders']:,} hot "
                f"({gen['hot_mb']:.1f} MB), {gen['archived']:,} archived in {gen['months']} "
                f"months ({gen['archive_mb']:.0f} MB)"
            )
            ok &= line(
                "  commit one page of 100 new orders",
                f"{m['commit_new'] * 1000:.0f} ms",
                "< 250 ms",
                m["commit_new"] < 0.25,
            )
            ok &= line(
                "  commit one page of 100 changed orders",
                f"{m['commit_update'] * 1000:.0f} ms",
                "< 250 ms",
                m["commit_update"] < 0.25,
            )
            ok &= line(
                "  open the store", f"{m['open'] * 1000:.0f} ms", "< 1000 ms", m["open"] < 1.0
            )
            ok &= line(
                "  peak RSS (open + 2 commits)", f"{m['rss']:.0f} MB", "< 300 MB", m["rss"] < 300
            )
            line(
                "  read all hot orders",
                f"{m['read_all'] * 1000:.0f} ms ({m['hot']:,})",
                "info",
                None,
            )
            line(
                "  read one archive month",
                f"{m['read_month'] * 1000:.0f} ms "
                f"({m['month_orders']:,}), peak RSS then {m['rss_after_month']:.0f} MB",
                "info",
                None,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
