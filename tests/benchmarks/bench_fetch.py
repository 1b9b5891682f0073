"""Pacing overhead of searchOrders: how close does the client come to its own rate limit?

The sandbox enforces the very usage plan the client paces by (glstui.amazon.ratelimit's
DEFAULT_LIMITS: searchOrders 0.0056 req/s, burst 20, Amazon's published plan), so this
measures the client's pacing OVERHEAD against its own constants, not whether those constants
are Amazon's. Both sides run on one time scale (asserted: the client's, the sandbox clock's
and the limiter's are the same number), so real seconds x TIME_SCALE = Amazon seconds.

Fetch 10,000 orders (100 calls: 80 beyond the burst) through SpApiClient.search_orders and
compare the simulated time with the floor for the same work: the burst at once, then one
call per 1/rate seconds, each call taking the round trip measured on the same data with the
rate limit switched off. The floor counts one call per page (100), not the calls made: a
wasted call (a retry, a refused token) costs its time in the ratio as well as showing in the
call count. Target: time/floor <= 1.05 and no 429 at all. (A 1,000-order run is 10 calls
inside the burst of 20: no rate limit in it, so it is not a row.)

Run: .venv/bin/python tests/benchmarks/bench_fetch.py [--quick]   (about 30 s; quick: 2,100)
"""

from __future__ import annotations

import asyncio
import gc
import math
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx

from glstui.amazon.client import AppCredentials, SpApiClient
from glstui.amazon.endpoints import Endpoints
from glstui.amazon.ratelimit import DEFAULT_LIMITS
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox

TIME_SCALE = 1000.0  # 1 real second = 1000 simulated seconds (one searchOrders token = 0.18 s)
START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
RATE, BURST = DEFAULT_LIMITS["searchOrders"]
CREDS = AppCredentials(DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
MIDS = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]


async def fetch_all(n: int, enforce: bool) -> dict[str, float]:
    sb = Sandbox(
        orders=n,
        time_scale=TIME_SCALE,
        start=START,
        arrivals_per_hour=0,
        enforce_rate_limits=enforce,
    )
    gc.collect()
    with sb:
        async with httpx.AsyncClient(timeout=30) as http:
            client = SpApiClient(
                http,
                Endpoints.sandbox(sb.base_url),
                CREDS,
                sb.clock,
                time_scale=TIME_SCALE,
                # without the limit on either side: the bare round trip of each call
                limits=None if enforce else {"searchOrders": (1e9, 10**6)},
            )
            # one and the same time scale on both sides, or "simulated seconds" mean two things
            scales = {
                client.time_scale,
                client.limiter.time_scale,
                sb.time_scale,
                sb.clock.time_scale,
            }
            assert scales == {TIME_SCALE}, f"time scales differ: {scales}"
            assert sb.amazon.rate_limits["searchOrders"] == (RATE, BURST)
            token = sb.issue_refresh_token()
            await client.check_refresh_token(token)  # LWA outside the measured part
            count = 0
            t0 = time.perf_counter()
            async for page in client.search_orders(
                token,
                "EU",
                MIDS,
                created_after=START - timedelta(days=30),
                fulfillment_statuses=(),
                fulfilled_by=(),
            ):
                count += len(page.orders)
            real = time.perf_counter() - t0
        assert count == n, (count, n)
        return {
            "real": real,
            "calls": client.calls.get("searchOrders", 0),
            "throttled": sb.throttled,  # 429s the sandbox sent
        }


def floor_seconds(calls: int, rtt: float) -> tuple[float, float]:
    """(pacing only, pacing with round trips) in simulated seconds for `calls` calls."""
    pacing = max(0, calls - BURST) / RATE
    t, tokens, last = 0.0, float(BURST), 0.0
    for _ in range(calls):
        tokens = min(BURST, tokens + (t - last) * RATE)
        last = t
        if tokens < 1:
            wait = (1 - tokens) / RATE
            t += wait
            tokens = 1.0
            last = t
        tokens -= 1
        t += rtt
    return pacing, t


def line(measure: str, result: str, target: str, ok: bool | None) -> str:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    return f"{measure:<54} | {result:>22} | {target:>8} | {verdict}"


async def main(quick: bool) -> int:
    n = 2_100 if quick else 10_000
    print(
        f"searchOrders usage plan: rate {RATE}/s, burst {BURST}; time scale {TIME_SCALE:g}x "
        "on client and sandbox"
    )
    print(line("measure", "result", "target", None))
    if not quick:
        await fetch_all(n, enforce=False)  # warm-up: imports, caches, first connections
    free = await fetch_all(n, enforce=False)
    run = await fetch_all(n, enforce=True)
    rtt = free["real"] * TIME_SCALE / free["calls"]  # simulated seconds per call
    simulated = run["real"] * TIME_SCALE
    calls = int(run["calls"])
    pages = math.ceil(n / 100)
    # the floor of the work itself (one call per page): a wasted call shows in the ratio
    pacing, floor = floor_seconds(pages, rtt)
    ratio = simulated / floor
    throttled = int(run["throttled"])
    what = f"{n:,} orders"
    print(line(f"{what}: simulated time to fetch all", f"{simulated:,.0f} s", "", None))
    print(
        line(
            f"{what}: API calls (pages of 100)",
            f"{calls}",
            f"{pages}",
            calls == pages,
        )
    )
    print(line(f"{what}: pacing floor (burst, then 1/rate)", f"{pacing:,.0f} s", "", None))
    print(line(f"{what}: round trip per call (no limit)", f"{rtt:,.1f} s", "", None))
    print(
        line(
            f"{what}: pacing overhead, time / floor incl. round trips",
            f"{ratio:.3f} (floor {floor:,.0f} s)",
            "<= 1.05",
            ratio <= 1.05,
        )
    )
    print(line(f"{what}: 429 responses", f"{throttled}", "0", throttled == 0))
    failed = ratio > 1.05 or throttled > 0 or calls != pages
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main("--quick" in sys.argv[1:])))
