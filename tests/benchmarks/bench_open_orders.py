"""Benchmark: a backlog of 50,000 open orders (nothing archived) and commands that need little.

Run: .venv/bin/python tests/benchmarks/bench_open_orders.py [--orders 50000]

Prints "measure | result | target | PASS/FAIL" lines and exits 1 if a target is missed. Every
measurement runs in a fresh process (peak RSS is VmHWM of that process alone):
- opening the store and reading what `glstui push` / `integrations` need (shops, outbox,
  settings, the number of orders): time, peak RSS, order shard files parsed;
- loading every order as the Orders screen does (undecoded documents): time, peak RSS;
- commits: renaming a shop, and a page of 100 new orders;
- `glstui push` and `glstui doctor` as an operator runs them (no credentials: both stop
  early, after what they read from the store).
The machine is shared with other work, so single timings are noisy: run it twice.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from glstui.domain.clock import FixedClock  # noqa: E402
from glstui.domain.integration import Integration  # noqa: E402
from glstui.store import Store  # noqa: E402
from glstui.store.sample import make_order  # noqa: E402

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
RSS_TARGET_MB = 300


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def phase_generate(directory: Path, orders: int) -> dict:
    store = Store.open(directory, FixedClock(NOW))
    with store.write() as tx:
        tx.integrations.put(Integration("Backlog shop", id="shop1"))
    for first in range(0, orders, 5000):
        with store.write() as tx:
            tx.orders.put_many(make_order(i) for i in range(first, min(orders, first + 5000)))
    files = [p for p in directory.rglob("*.json") if not p.name.endswith(".bak")]
    return {
        "hot_mb": (directory / "glstui.json").stat().st_size / 1e6,
        "all_mb": sum(p.stat().st_size for p in files) / 1e6,
    }


def phase_little(directory: Path) -> dict:
    start = time.perf_counter()
    store = Store.open(directory, FixedClock(NOW))
    with store.read() as view:
        shops = len(view.integrations.all())
        view.outbox.all()
        view.settings.get()
        count = len(view.orders)
    return {
        "seconds": time.perf_counter() - start,
        "rss": vm_hwm_mb(),
        "shops": shops,
        "orders": count,
        "shard_reads": getattr(store, "shard_reads", None),
    }


def phase_all(directory: Path) -> dict:
    start = time.perf_counter()
    store = Store.open(directory, FixedClock(NOW))
    with store.read() as view:
        count = len(view.orders.docs())
    return {"seconds": time.perf_counter() - start, "rss": vm_hwm_mb(), "orders": count}


def phase_commits(directory: Path) -> dict:
    store = Store.open(directory, FixedClock(NOW))
    with store.read() as view:
        view.orders.keys()  # the orders are read, as during an import
    renames = []
    for n in range(5):
        start = time.perf_counter()
        with store.write() as tx:
            shop = tx.integrations.get("shop1")
            shop.shop_name = f"Backlog shop {n}"
            tx.integrations.put(shop)
        renames.append(time.perf_counter() - start)
    pages = []
    for p in range(5):
        page = [make_order(900_000 + p * 100 + i) for i in range(100)]
        start = time.perf_counter()
        with store.write() as tx:
            tx.orders.put_many(page)
        pages.append(time.perf_counter() - start)
    return {"rename": sorted(renames)[2], "page": sorted(pages)[2]}


def run_cli(directory: Path, *args: str) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of `glstui <args>` in its own process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOME": str(directory.parent),
        "GLSTUI_KEYRING_PASSPHRASE": "bench-open-orders-passphrase",
    }
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "glstui", *args, "--data-dir", str(directory)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, child.returncode


def run_phase(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(measure: str, result: str, target: str, ok: bool | None) -> bool:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"{measure} | {result} | {target} | {verdict}".rstrip(" |"))
    return ok is not False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--phase", nargs="*")
    args = parser.parse_args(argv)
    if args.phase:
        name, directory, *rest = args.phase
        phases = {"generate": phase_generate, "little": phase_little, "all": phase_all}
        phases["commits"] = phase_commits
        extra = [int(x) for x in rest]
        print(json.dumps(phases[name](Path(directory), *extra)))
        return 0
    directory = Path(tempfile.mkdtemp(prefix="glstui-open-")) / "data"
    gen = run_phase("generate", str(directory), str(args.orders))
    n = args.orders
    ok = line(
        f"{n:,} open orders on disk",
        f"hot file {gen['hot_mb']:.1f} MB, all files {gen['all_mb']:.1f} MB",
        "-",
        None,
    )
    little = run_phase("little", str(directory))
    ok &= line(
        "open + shops/outbox/settings/count (push, integrations)",
        f"{little['seconds']:.2f} s, VmHWM {little['rss']:.0f} MB, "
        f"order shards read: {little['shard_reads']}",
        "0 shards read",
        little["shard_reads"] == 0,
    )
    every = run_phase("all", str(directory))
    ok &= line(
        "open + every order (Orders screen's load)",
        f"{every['seconds']:.2f} s, VmHWM {every['rss']:.0f} MB",
        f"< {RSS_TARGET_MB} MB",
        every["rss"] < RSS_TARGET_MB,
    )
    commits = run_phase("commits", str(directory))
    ok &= line(
        "commit: rename a shop (median of 5)",
        f"{commits['rename'] * 1000:.0f} ms",
        "< 50 ms",
        commits["rename"] < 0.05,
    )
    ok &= line(
        "commit: page of 100 new orders (median of 5)",
        f"{commits['page'] * 1000:.0f} ms",
        "-",
        None,
    )
    for command in ("push", "doctor"):
        seconds, rss, code = run_cli(directory, command)
        ok &= line(
            f"glstui {command} (exit {code})",
            f"{seconds:.2f} s, peak RSS {rss:.0f} MB",
            f"< {RSS_TARGET_MB} MB",
            rss < RSS_TARGET_MB,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
