"""Two `glstui import` runs of one shop at once (cron + one typed in a console), issue 18.

Amazon counts the seller's searchOrders calls in one bucket (burst 20, then one per ~3 real
seconds at the sandbox's 60x) whatever process makes them. Each run pacing on a full bucket of
its own got 429s until one gave up (exit 1). Now the second run waits for the first and goes
on from the bucket state the first left, so both succeed with no 429 at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import filelock
import pytest

from glstui.amazon.client import seller_key
from glstui.cli.imports import NOTHING_RAN
from glstui.domain.clock import FixedClock, to_iso
from glstui.domain.integration import CONNECTED, Integration
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID
from glstui.services.headless import PACING_DIR
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
