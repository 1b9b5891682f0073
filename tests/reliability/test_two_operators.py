"""Two operators on one server: one imports, the other flips the same shop's switches and
renames it, at the same time, in separate processes. No update of either may be lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from test_import_headless import CHILD as IMPORT_CHILD
from test_import_headless import child_import_world

from glstui.domain.clock import FixedClock, to_iso
from glstui.services import audit
from glstui.store import Store

ROOT = Path(__file__).resolve().parents[2]

TOGGLER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from glstui.domain.clock import FixedClock, from_iso
    from glstui.services import integrations as svc
    from glstui.store import Store

    data, shop, rounds, now = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    store = Store.open(data, FixedClock(from_iso(now)))
    for i in range(rounds):
        svc.toggle_active(store, shop)      # off ...
        svc.toggle_tracking(store, shop)
        svc.toggle_active(store, shop)      # ... and on again: the import must keep going
        svc.update(store, shop, shop_name=f"Demo Shop NL {i}")
        time.sleep(0.005)
    print("TOGGLED", rounds, flush=True)
    """
)


def _race(make_sandbox, tmp_path, rounds: int) -> None:
    sandbox, data, now, shop, env = child_import_world(make_sandbox, tmp_path)
    # Amazon answers slowly, so the import spans the toggler's whole run.
    sandbox.faults.add("slow", None, "/orders/2026-01-01/orders", delay=max(0.5, rounds * 0.01))
    importer = subprocess.Popen(
        [sys.executable, "-u", "-c", IMPORT_CHILD],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    for line in importer.stdout:  # the import is under way: now the other operator starts
        seen.append(line)
        if "page 1" in line:
            break
    assert "page 1" in seen[-1], (seen, importer.stderr.read())
    toggler = subprocess.run(
        [sys.executable, "-c", TOGGLER, str(data), shop.id, str(rounds), to_iso(now)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    overlapped = importer.poll() is None
    out, err = importer.communicate(timeout=120)
    assert toggler.returncode == 0, toggler.stderr
    assert importer.returncode == 0, err
    assert "Import finished" in out

    reopened = Store.open(data, FixedClock(now))
    with reopened.read() as view:
        final = view.integrations.get(shop.id)
        ids = [o.order_id for o in view.orders.all()]
    entries = audit.entries(reopened, audit.INTEGRATION_TOGGLED)
    # every toggle and rename landed ...
    assert final.active is True
    assert final.update_tracking is (rounds % 2 == 0)
    assert final.shop_name == f"Demo Shop NL {rounds - 1}"
    # ... and so did the import: cursor moved, every order once
    assert final.import_cursor is not None and not final.import_resume
    since = now - timedelta(days=7)
    expected = {
        o.order_id
        for o in sandbox.orders.values()
        if o.status in ("UNSHIPPED", "PARTIALLY_SHIPPED")
        and o.fulfilled_by == "MERCHANT"
        and o.created >= since
    }
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert len(entries) == 3 * rounds  # the audit trail holds every one of them
    print(f"{rounds} rounds; the import was still running when they ended: {overlapped}")


def test_import_and_toggles_in_two_processes_lose_nothing(make_sandbox, tmp_path):
    _race(make_sandbox, tmp_path, rounds=15)


@pytest.mark.slow
def test_import_and_many_toggles_in_two_processes(make_sandbox, tmp_path):
    _race(make_sandbox, tmp_path, rounds=150)
