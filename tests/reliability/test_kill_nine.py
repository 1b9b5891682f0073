"""kill -9 at random moments of an import, of labelling and of confirming, again and again.

Every kill lands while the child is working: it is sent a random moment after one of the
child's requests reached the sandbox (see _kill_while_working), and a kill counts only if the
child had not finished; each test goes on until it has its number of landed kills and prints
it. After every kill a fresh process opens the store (it parses), and after the last one a
restart finishes the work: every order is imported once, every parcel has one label and one
package at Amazon (the sandbox's order book and request log are the judges). The normal run
kills 3 times per test; `pytest -m slow` (run by tests/benchmarks/report.py) many times.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_import_headless import CHILD as IMPORT_CHILD
from test_import_headless import _stored_docs, child_import_world
from test_labels_world import make_world
from test_outbox_faults import deliver_until_done

from glstui.domain.clock import FixedClock, to_iso
from glstui.domain.order import NEW, SHIPPED, Order
from glstui.domain.shipment import PENDING
from glstui.sandbox import Sandbox
from glstui.services import labelling
from glstui.store import Store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
INTEGRATION = HERE.parent / "integration"
SLOW = 0.05  # s every request waits at the sandbox while a child runs

LABEL_CHILD = textwrap.dedent(
    """
    import asyncio, json, sys
    sys.path.insert(0, {integration!r})
    from glstui.domain.clock import FixedClock, from_iso
    from glstui.services import labelling
    from test_labels_world import open_context

    args = json.loads(sys.argv[1])
    ctx = open_context(args["data_dir"], args["base_url"], FixedClock(from_iso(args["now"])),
                       args["tokens"])

    async def main():
        print("READY", flush=True)
        await labelling.on_start(ctx)                 # what a restarted glstui does first
        await labelling.create_labels(ctx, args["keys"])  # label, then confirm
        print("DONE", flush=True)

    asyncio.run(main())
    """
).format(integration=str(INTEGRATION))


def store_parses(data_dir: Path, now: datetime) -> None:
    """A fresh process's view: the store opens and every record decodes."""
    with Store.open(data_dir, FixedClock(now), archive=False).read() as view:
        view.integrations.all()
        view.orders.all()
        view.shipments.all()
        view.outbox.all()


def _kill_while_working(
    cmd: list[str], env: dict, sandbox: Sandbox, rng: random.Random, requests: int, done: str
) -> bool:
    """Start `cmd` and kill -9 it at a random moment while it is known to be working.

    Every request waits SLOW seconds at the sandbox, so once the child's n-th request
    (n random in 1..`requests`) has arrived, the child is waiting for its answer; the kill
    follows a random 0..2*SLOW s later: while that request is in flight, while the child
    handles its answer (stores a label, marks a parcel sent), or during the next request.
    True if the kill landed: the child was killed before it said `done` (a child that made
    fewer requests than n, or got done within the delay, finished on its own: False)."""
    fault = sandbox.faults.add("slow", None, "/", delay=SLOW)
    n, delay = rng.randint(1, max(1, requests)), rng.uniform(0.0, 2 * SLOW)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while fault.fired < n and proc.poll() is None:
            assert time.monotonic() < deadline, "the child neither asked nor ended"
            time.sleep(0.002)
        if proc.poll() is None:
            time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
    finally:
        sandbox.faults.clear()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == (0 if finished else -signal.SIGKILL), err
    return not finished and done not in out


def _label_and_confirm_under_kills(
    make_sandbox, tmp_path, kills: int, seed: int, orders: int = 40
) -> None:
    sandbox = make_sandbox(seed=5, orders=orders, time_scale=60.0, arrivals_per_hour=0)
    world = make_world(sandbox, tmp_path / "data")
    keys = asyncio.run(world.import_orders())
    assert len(keys) >= 6
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = tmp_path / "label_child.py"
    script.write_text(LABEL_CHILD)
    landed = attempts = 0
    while landed < kills and attempts < 2 * kills:
        attempts += 1
        # intents of a killed run are "uncertain" only once they are old: let time pass
        world.clock.advance(labelling.STALE_AFTER_S + 1)
        fresh = [k for k in keys if _fresh(world.order(k))]
        chosen = rng.sample(fresh, min(len(fresh), rng.randint(1, 3)))
        waiting = sum(1 for e in world.outbox() if e.state == PENDING)
        args = {
            "now": to_iso(world.clock.now()),
            "data_dir": str(world.ctx.data_dir),
            "base_url": sandbox.base_url,
            "tokens": {world.shop.id: world.ctx.refresh_token(world.shop.id)},
            "keys": chosen,
        }
        cmd = [sys.executable, str(script), json.dumps(args)]
        # at least one request per chosen order (GLS) and per waiting confirmation (Amazon)
        landed += _kill_while_working(cmd, env, sandbox, rng, len(chosen) + waiting, "DONE")
        store_parses(world.ctx.data_dir, world.clock.now())
    assert landed == kills, f"{landed} of {attempts} kills landed while the child worked"

    # The restart: record what the killed runs left, the operator checks GLS for the
    # uncertain ones (the sandbox knows), label the rest, deliver until done.
    world.clock.advance(labelling.STALE_AFTER_S + 1)
    found = labelling.reconcile_labels(world.ctx, world.report)
    forgotten = set(found.uncertain)
    for key in forgotten:  # "I checked GLS: label it again" (an unused GLS label costs nothing)
        assert labelling.forget_pending_label(world.store, key)
    run = asyncio.run(
        labelling.create_labels(world.ctx, [k for k in keys if world.order(k).state == NEW])
    )
    assert run.failed == 0 and run.unknown == 0, [o for o in run.outcomes]
    final = asyncio.run(deliver_until_done(world))
    assert final.exit_code == 0

    # Judges: the store, GLS and Amazon.
    shipments = [s for s in world.shipments() if s.deleted_at is None]
    per_order = Counter(s.order_key for s in shipments)
    assert set(per_order) == set(keys) and set(per_order.values()) == {1}
    confirmed = world.confirm_204s()
    for shipment in shipments:
        order = world.order(shipment.order_key)
        sim = sandbox.orders[order.order_id]
        assert order.state == SHIPPED and sim.status == "SHIPPED", order.order_id
        # exactly one package per parcel at Amazon, with our tracking number (a package Amazon
        # already listed, of a partly shipped order, is not ours)
        ours = [
            p
            for p in sim.packages
            if p["trackingNumber"] in shipment.parcel_numbers
            or p["packageReferenceId"] in shipment.package_reference_ids
        ]
        assert sorted((p["packageReferenceId"], p["trackingNumber"]) for p in ours) == (
            sorted(zip(shipment.package_reference_ids, shipment.parcel_numbers, strict=True))
        )
        for ref in shipment.package_reference_ids:
            assert confirmed[(order.order_id, ref)] >= 1
    # GLS: one label per order, except where a kill hid GLS's answer and the operator said so
    creates = world.gls_creates()
    for key in keys:
        n = creates[world.order(key).order_id]
        assert n == 1 or (key in forgotten and n == 2), (key, n)
    print(
        f"label+confirm: {landed} kills landed while the child worked ({attempts} runs), "
        f"{len(found.uncertain)} labels uncertain"
    )


def _fresh(order: Order) -> bool:
    """An order a run would send to GLS: new, and no earlier request that may exist."""
    return order.state == NEW and order.label_pending_at is None


def _import_under_kills(make_sandbox, tmp_path, kills: int, seed: int) -> None:
    sandbox, data, now, _shop, env = child_import_world(make_sandbox, tmp_path)
    cmd = [sys.executable, "-u", "-c", IMPORT_CHILD]
    rng = random.Random(seed)
    landed = attempts = 0
    while landed < kills and attempts < 2 * kills:
        attempts += 1
        # a full import is 4 requests (LWA, 3 pages); one that resumes makes at least 2
        landed += _kill_while_working(cmd, env, sandbox, rng, 3, "Import finished")
        store_parses(data, now)
        ids = [d["order_id"] for d in _stored_docs(data / "glstui.json")]
        assert len(ids) == len(set(ids))
    assert landed == kills, f"{landed} of {attempts} kills landed while the child worked"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ids = [d["order_id"] for d in _stored_docs(data / "glstui.json")]
    since = now - timedelta(days=7)
    expected = {
        o.order_id
        for o in sandbox.orders.values()
        if o.status in ("UNSHIPPED", "PARTIALLY_SHIPPED")
        and o.fulfilled_by == "MERCHANT"
        and o.created >= since
    }
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    print(f"import: {landed} kills landed while the child worked ({attempts} runs)")


def test_label_and_confirm_killed_at_random_moments(make_sandbox, tmp_path):
    _label_and_confirm_under_kills(make_sandbox, tmp_path, kills=3, seed=11)


def test_import_killed_at_random_moments(make_sandbox, tmp_path):
    _import_under_kills(make_sandbox, tmp_path, kills=3, seed=12)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [101, 202])
def test_label_and_confirm_killed_many_times(make_sandbox, tmp_path, seed):
    _label_and_confirm_under_kills(make_sandbox, tmp_path, kills=20, seed=seed, orders=200)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [303, 404])
def test_import_killed_many_times(make_sandbox, tmp_path, seed):
    _import_under_kills(make_sandbox, tmp_path, kills=15, seed=seed)
