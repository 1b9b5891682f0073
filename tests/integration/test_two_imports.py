"""Two imports of one shop at once (cron + one typed in a console, or the TUI's), issue 18.

Amazon counts the seller's searchOrders calls in one bucket (burst 20, then one per ~3 real
seconds at the sandbox's 60x) whatever process makes them. Each run pacing on a full bucket of
its own got 429s until one gave up (exit 1). Now the second run waits for the first and goes
on from the bucket state the first left, so both succeed with no 429 at all. The TUI's
import (`import_console`) takes the same per-seller turns as `glstui import`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import filelock
import httpx
import pytest

from glstui.amazon.client import OrdersPage, SpApiClient, seller_key
from glstui.amazon.endpoints import Endpoints
from glstui.cli.imports import NOTHING_RAN
from glstui.domain.clock import FixedClock, to_iso
from glstui.domain.integration import CONNECTED, Integration
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID
from glstui.secrets import Secrets
from glstui.services.context import AppContext
from glstui.services.importer import PACING_DIR, SellerInUse, import_console
from glstui.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEARCH = "/orders/2026-01-01/orders"
MARKETPLACES = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]

CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from glstui.amazon.endpoints import Endpoints
    from glstui.domain.clock import FixedClock, from_iso
    from glstui.secrets import Secrets
    from glstui.services.context import AppContext
    from glstui.cli.imports import run_import
    from glstui.store import Store

    env = os.environ
    clock = FixedClock(from_iso(env["T_NOW"]))
    secrets = Secrets.in_memory()
    secrets.set("amazon.app_id", env["T_APP_ID"])
    secrets.set("amazon.lwa_client_id", env["T_LWA_CLIENT_ID"])
    secrets.set("amazon.lwa_client_secret", env["T_LWA_CLIENT_SECRET"])
    secrets.set("amazon.refresh_token." + env["T_SHOP"], env["T_REFRESH_TOKEN"])
    data = Path(env["T_DATA"])
    ctx = AppContext(data_dir=data, store=Store.open(data, clock), secrets=secrets, clock=clock,
                     endpoints=Endpoints.sandbox(env["T_URL"]), time_scale=float(env["T_SCALE"]))
    sys.exit(run_import(ctx, [], seller_wait=float(env["T_WAIT"])))
    """
)


@pytest.fixture
def shop_world(make_sandbox, tmp_path):
    """A sandbox whose shop needs more search pages than the burst (so a second run that
    starts on a full bucket of its own is throttled), and a store holding that shop."""
    sandbox = make_sandbox(seed=3, orders=4900, time_scale=60.0, arrivals_per_hour=0)
    data = tmp_path / "data"
    now = sandbox.clock.now()
    store = Store.open(data, FixedClock(now))
    shop = Integration(
        "Demo Shop NL",
        status=CONNECTED,
        marketplace_ids=MARKETPLACES,
        selling_partner_id=DEMO_SELLER_ID,
    )
    with store.write() as tx:
        tx.integrations.put(shop)
    token = sandbox.issue_refresh_token()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "T_NOW": to_iso(now),
        "T_SHOP": shop.id,
        "T_APP_ID": DEMO_APP_ID,
        "T_LWA_CLIENT_ID": DEMO_CLIENT_ID,
        "T_LWA_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "T_REFRESH_TOKEN": token,
        "T_DATA": str(data),
        "T_URL": sandbox.base_url,
        "T_SCALE": str(sandbox.time_scale),
        "T_WAIT": "120",
    }
    return sandbox, data, shop, token, env


class Run:
    """A `glstui import` child process whose output goes to files: a pipe that nobody reads
    while the parent waits for the other child fills up (64 KiB of "New order" lines) and
    stops the importing child mid-run, which then looks like a hang."""

    def __init__(self, env, folder: Path, name: str, **overrides) -> None:
        self.out_path, self.err_path = folder / f"{name}.out", folder / f"{name}.err"
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", CHILD], env={**env, **overrides}, stdout=out, stderr=err
            )

    @property
    def out(self) -> str:
        return self.out_path.read_text()

    @property
    def err(self) -> str:
        return self.err_path.read_text()


def _finish(runs: list[Run], timeout: float = 90.0) -> None:
    try:
        for run in runs:
            run.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for run in runs:
            run.proc.kill()
            run.proc.wait()
        raise AssertionError([(r.out[-2000:], r.err[-2000:]) for r in runs]) from None


def test_two_imports_of_one_shop_take_turns_with_no_429(shop_world, tmp_path):
    sandbox, _data, _shop, _token, env = shop_world

    runs = [Run(env, tmp_path, "cron"), Run(env, tmp_path, "console")]
    _finish(runs)

    for run in runs:
        assert run.proc.returncode == 0, run.out[-2000:] + run.err
    assert sandbox.throttled == 0
    assert sandbox.requests(SEARCH) and all(r.status == 200 for r in sandbox.requests(SEARCH))
    assert len(sandbox.requests(SEARCH)) > 20  # more than one bucket's burst in all
    waited = [run for run in runs if "another import of this shop is running" in run.out]
    assert len(waited) == 1


def test_a_run_that_waits_too_long_stops_and_says_why(shop_world, tmp_path):
    sandbox, data, shop, token, env = shop_world
    # Another import holds the seller (as a run would: the lock in the data dir).
    (data / PACING_DIR).mkdir(mode=0o700, exist_ok=True)
    other = filelock.FileLock(data / PACING_DIR / f"{seller_key(token)}-{shop.region}.lock")
    with other:
        run = Run(env, tmp_path, "late", T_WAIT="0.5")
        _finish([run])

    assert run.proc.returncode == NOTHING_RAN, run.out + run.err
    assert "waiting for it to finish" in run.out
    assert "Another import of shop Demo Shop NL is still running" in run.err
    assert sandbox.requests(SEARCH) == []


# --- the console's import takes the same turns ---------------------------------------------


class GatedContext(AppContext):
    """The console's context, whose search pauses after its first page until `gate` is
    set: the console import is then surely mid-run when the other run asks for the seller."""

    gate: asyncio.Event
    pages_served: int = 0

    def amazon_client(self, http: httpx.AsyncClient) -> SpApiClient:
        client = super().amazon_client(http)
        search = client.search_orders

        async def gated(*args: Any, **kw: Any) -> AsyncIterator[OrdersPage]:
            async for page in search(*args, **kw):
                yield page
                self.pages_served += 1
                await self.gate.wait()

        client.search_orders = gated  # type: ignore[method-assign]
        return client


def console_ctx(sandbox: Any, data: Path, shop: Integration, token: str) -> GatedContext:
    clock = FixedClock(sandbox.clock.now())
    secrets = Secrets.in_memory()
    secrets.set("amazon.app_id", DEMO_APP_ID)
    secrets.set("amazon.lwa_client_id", DEMO_CLIENT_ID)
    secrets.set("amazon.lwa_client_secret", DEMO_CLIENT_SECRET)
    secrets.set(f"amazon.refresh_token.{shop.id}", token)
    ctx = GatedContext(
        data_dir=data,
        store=Store.open(data, clock),
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.sandbox(sandbox.base_url),
        time_scale=sandbox.time_scale,
    )
    ctx.gate = asyncio.Event()
    return ctx


async def until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Wait (on the loop) until check() holds; a hang fails with `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.05)


WAITING = "another import of this shop is running; waiting for it to finish"


async def test_a_cron_run_waits_for_the_console_import_of_its_shop_with_no_429(
    shop_world, tmp_path
):
    sandbox, data, shop, token, env = shop_world
    ctx = console_ctx(sandbox, data, shop, token)
    ctx.gate.set()  # the burst first, in one go: the cron run must start on an empty bucket
    lines: list[Any] = []
    console = asyncio.ensure_future(import_console(ctx, [shop.id], lines.append))
    await until(lambda: ctx.pages_served >= 20, "the console's first 20 pages")
    ctx.gate.clear()  # the console holds the seller, mid-run
    asked = len(sandbox.requests(SEARCH))
    cron = Run(env, tmp_path, "cron")
    await until(lambda: WAITING in cron.out, "the cron run's waiting line")
    assert len(sandbox.requests(SEARCH)) == asked  # the cron run asked Amazon nothing
    ctx.gate.set()
    run = await console
    await asyncio.to_thread(_finish, [cron])

    assert not run.failed and run.shops[0].new > 0
    assert cron.proc.returncode == 0, cron.out[-2000:] + cron.err
    assert sandbox.throttled == 0
    assert all(r.status == 200 for r in sandbox.requests(SEARCH))
    assert len(sandbox.requests(SEARCH)) > 20  # more than one bucket's burst in all


async def test_the_console_import_waits_for_a_cron_run_of_its_shop(shop_world):
    sandbox, data, shop, token, _env = shop_world
    ctx = console_ctx(sandbox, data, shop, token)
    ctx.gate.set()
    lines: list[Any] = []
    (data / PACING_DIR).mkdir(mode=0o700, exist_ok=True)
    cron = filelock.FileLock(data / PACING_DIR / f"{seller_key(token)}-{shop.region}.lock")
    with cron:  # a `glstui import` of the shop runs (it holds the seller's lock)
        console = asyncio.ensure_future(import_console(ctx, [shop.id], lines.append))
        await until(lambda: any(WAITING in line.text for line in lines), "the waiting line")
        await asyncio.sleep(0.5)  # waiting, not importing
        assert sandbox.requests(SEARCH) == []
        assert not console.done()
    run = await console

    assert not run.failed and run.shops[0].new > 0
    assert sandbox.throttled == 0


async def test_a_console_import_stopped_while_it_waits_asks_amazon_nothing(shop_world):
    sandbox, data, shop, token, _env = shop_world
    ctx = console_ctx(sandbox, data, shop, token)
    lines: list[Any] = []
    (data / PACING_DIR).mkdir(mode=0o700, exist_ok=True)
    path = data / PACING_DIR / f"{seller_key(token)}-{shop.region}.lock"
    with filelock.FileLock(path):
        console = asyncio.ensure_future(import_console(ctx, [shop.id], lines.append))
        await until(lambda: any(WAITING in line.text for line in lines), "the waiting line")
        console.cancel()
        with pytest.raises(asyncio.CancelledError):
            await console
    assert sandbox.requests(SEARCH) == []
    with filelock.FileLock(path).acquire(timeout=0):  # and it holds nothing afterwards
        pass


async def test_the_console_import_gives_up_after_its_wait_and_says_why(shop_world):
    sandbox, data, shop, token, _env = shop_world
    ctx = console_ctx(sandbox, data, shop, token)
    (data / PACING_DIR).mkdir(mode=0o700, exist_ok=True)
    lock = filelock.FileLock(data / PACING_DIR / f"{seller_key(token)}-{shop.region}.lock")
    with lock, pytest.raises(SellerInUse) as caught:
        await import_console(ctx, [shop.id], seller_wait=0.3)
    assert "Another import of shop Demo Shop NL is still running" in caught.value.user_message
    assert sandbox.requests(SEARCH) == []
