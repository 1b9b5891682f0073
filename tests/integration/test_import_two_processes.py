"""Issue 18: cron and the console import the same shop at once; Amazon counts both processes'
calls in the seller's one bucket, so the second must wait and pace on what the first left."""

from __future__ import annotations

import os
import subprocess
import sys

from glstui.domain.clock import FixedClock, to_iso
from glstui.domain.integration import CONNECTED, Integration
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID
from glstui.store import Store
from tests.integration.test_import_headless import CHILD, MARKETPLACES, ROOT


def test_two_processes_importing_one_shop_get_no_429(make_sandbox, tmp_path):
    # 2,500 orders: many pages each, so the two together need more than the burst of 20
    sandbox = make_sandbox(seed=3, orders=2500, time_scale=60.0, arrivals_per_hour=0)
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
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "T_NOW": to_iso(now),
        "T_SHOP": shop.id,
        "T_APP_ID": DEMO_APP_ID,
        "T_LWA_CLIENT_ID": DEMO_CLIENT_ID,
        "T_LWA_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "T_REFRESH_TOKEN": sandbox.issue_refresh_token(),
        "T_DATA": str(data),
        "T_URL": sandbox.base_url,
        "T_SCALE": str(sandbox.time_scale),
    }
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outs = [c.communicate(timeout=150) for c in children]
    except subprocess.TimeoutExpired:
        for c in children:
            c.kill()
        raise AssertionError([c.communicate() for c in children]) from None
    for child, (out, err) in zip(children, outs, strict=True):
        assert child.returncode == 0, out + err
    assert sandbox.throttled == 0
    assert any("another import of this shop is running" in out for out, _err in outs)
