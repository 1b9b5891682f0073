"""`glstui import` (glstui.cli.imports.run_import) against the sandbox: its exit codes and
messages, and an import killed with SIGKILL mid-way that finishes after a restart."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import filelock
import pytest

from glstui.amazon.endpoints import Endpoints
from glstui.cli.imports import NOTHING_RAN, OK, SOME_FAILED, run_import
from glstui.domain.clock import FixedClock, to_iso
from glstui.domain.integration import CONNECTED, DRAFT, Integration
from glstui.sandbox import (
    DEMO_APP_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELLER_ID,
    Sandbox,
)
from glstui.secrets import Secrets
from glstui.services.context import AppContext
from glstui.store import Store

MARKETPLACES = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
OTHER_SELLER = "A2GLSDEMOSHOP7"
ROOT = Path(__file__).resolve().parents[2]


def app_keys(secrets: Secrets) -> Secrets:
    secrets.set("amazon.app_id", DEMO_APP_ID)
    secrets.set("amazon.lwa_client_id", DEMO_CLIENT_ID)
    secrets.set("amazon.lwa_client_secret", DEMO_CLIENT_SECRET)
    return secrets


def make_ctx(sandbox: Sandbox, data_dir: Path, secrets: Secrets | None = None, **store_kw):
    store = Store.open(data_dir, sandbox.clock, **store_kw)
    return AppContext(
        data_dir=data_dir,
        store=store,
        secrets=secrets if secrets is not None else app_keys(Secrets.in_memory()),
        clock=sandbox.clock,
        endpoints=Endpoints.sandbox(sandbox.base_url),
        time_scale=sandbox.time_scale,
    )


def add_shop(ctx, sandbox, seller_id=DEMO_SELLER_ID, name="", **kw) -> Integration:
    integ = Integration(
        shop_name=name or f"Amazon {seller_id}",
        status=kw.pop("status", CONNECTED),
        marketplace_ids=MARKETPLACES,
        selling_partner_id=seller_id,
        **kw,
    )
    with ctx.store.write() as tx:
        tx.integrations.put(integ)
    ctx.secrets.set(f"amazon.refresh_token.{integ.id}", sandbox.issue_refresh_token(seller_id))
    return integ


def run(ctx, names=()):
    out, err = io.StringIO(), io.StringIO()
    code = run_import(ctx, list(names), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sandbox(make_sandbox) -> Sandbox:
    return make_sandbox(seed=2, orders=200, time_scale=60.0, arrivals_per_hour=0)


def test_all_shops_imported_exits_0_and_prints_progress(sandbox, tmp_path):
    ctx = make_ctx(sandbox, tmp_path / "data")
    add_shop(ctx, sandbox, name="Demo Shop NL")
    code, out, err = run(ctx)
    assert code == OK, err
    assert "Demo Shop NL: page 1:" in out
    assert "Import finished:" in out
    with ctx.store.read() as view:
        assert len(view.orders) > 0


def test_named_shop_only(sandbox, tmp_path):
    ctx = make_ctx(sandbox, tmp_path / "data")
    add_shop(ctx, sandbox, name="Demo Shop NL")
    other = add_shop(ctx, sandbox, OTHER_SELLER, "Demo Shop Benelux")
    code, _out, _err = run(ctx, ["demo shop nl"])
    assert code == OK
    with ctx.store.read() as view:
        assert view.orders.by_integration(other.id) == []
        assert len(view.orders) > 0


def test_one_revoked_shop_exits_1_and_says_reconnect(sandbox, tmp_path):
    ctx = make_ctx(sandbox, tmp_path / "data")
    add_shop(ctx, sandbox, name="Demo Shop NL")
    add_shop(ctx, sandbox, OTHER_SELLER, "Demo Shop Benelux")
    sandbox.revoke(seller_id=OTHER_SELLER)
    code, out, _err = run(ctx)
    assert code == SOME_FAILED
    assert "Demo Shop Benelux" in out and "re-connect this shop" in out
    assert "Demo Shop NL: done" in out


@pytest.mark.parametrize("setup", ["no shops", "only a draft", "unknown name", "no app keys"])
def test_nothing_can_run_exits_2_with_what_to_do(sandbox, tmp_path, setup):
    secrets = Secrets.in_memory() if setup == "no app keys" else None
    ctx = make_ctx(sandbox, tmp_path / "data", secrets)
    names = []
    if setup == "only a draft":
        add_shop(ctx, sandbox, status=DRAFT)
    elif setup in ("unknown name", "no app keys"):
        add_shop(ctx, sandbox, name="Demo Shop NL")
        names = ["Nope"] if setup == "unknown name" else []
    code, out, err = run(ctx, names)
    assert code == NOTHING_RAN
    assert out == ""
    expected = {
        "no shops": "connect it",
        "only a draft": "connect it",
        "unknown name": "No shop named 'Nope'. Shops: Demo Shop NL.",
        "no app keys": "Keys",
    }[setup]
    assert expected in err


def test_locked_key_store_exits_2(sandbox, tmp_path, monkeypatch):
    monkeypatch.delenv("GLSTUI_KEYRING_PASSPHRASE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    keys = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})
    keys.unlock("correct horse battery staple")  # an existing key file
    keys.set("amazon.app_id", DEMO_APP_ID)
    secrets = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})
    ctx = make_ctx(sandbox, tmp_path / "data", secrets)
    code, _out, err = run(ctx)
    assert code == NOTHING_RAN
    assert "GLSTUI_KEYRING_PASSPHRASE" in err


def test_a_fresh_key_store_says_what_to_set_up_not_locked(sandbox, tmp_path, monkeypatch):
    monkeypatch.delenv("GLSTUI_KEYRING_PASSPHRASE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    secrets = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})  # no file yet
    ctx = make_ctx(sandbox, tmp_path / "data", secrets)
    code, _out, err = run(ctx)
    assert code == NOTHING_RAN
    assert "No keys are set up yet" in err and "locked" not in err


def test_busy_store_exits_2(sandbox, tmp_path):
    ctx = make_ctx(sandbox, tmp_path / "data", lock_timeout=0.2)
    add_shop(ctx, sandbox)
    with filelock.FileLock(ctx.store.lock_path, thread_local=False):  # another glstui writes
        code, _out, err = run(ctx)
    assert code == NOTHING_RAN
    assert "Another glstui process" in err


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
    for name in ("amazon.app_id", "amazon.lwa_client_id", "amazon.lwa_client_secret",
                 "amazon.refresh_token." + env["T_SHOP"]):
        secrets.set(name, env["T_" + name.split(".")[1].upper()])
    data = Path(env["T_DATA"])
    ctx = AppContext(data_dir=data, store=Store.open(data, clock), secrets=secrets, clock=clock,
                     endpoints=Endpoints.sandbox(env["T_URL"]), time_scale=float(env["T_SCALE"]))
    sys.exit(run_import(ctx, []))
    """
)


def _stored_docs(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return []
    return list(data.get("orders", {}).values())


def child_import_world(make_sandbox, tmp_path):
    """(sandbox, data dir, now, shop, env): a sandbox with 600 orders, a store holding one
    connected shop, and the environment a child process (CHILD) needs to import it."""
    sandbox = make_sandbox(seed=1, orders=600, time_scale=60.0, arrivals_per_hour=0)
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
    return sandbox, data, now, shop, env


def test_killed_import_restarts_where_it_stopped_without_duplicates(make_sandbox, tmp_path):
    sandbox, data, now, _shop, env = child_import_world(make_sandbox, tmp_path)
    # Every search answer takes a while, so the kill lands while page 2 is on its way.
    sandbox.faults.add("slow", None, "/orders/2026-01-01/orders", delay=0.8)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while not _stored_docs(data / "glstui.json") and time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    after_kill = _stored_docs(data / "glstui.json")
    assert 0 < len(after_kill) <= 100

    sandbox.faults.clear()
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "continuing the interrupted import" in done.stdout

    docs = _stored_docs(data / "glstui.json")
    ids = [d["order_id"] for d in docs]
    assert len(ids) == len(set(ids))
    since = now - timedelta(days=7)
    expected = {
        o.order_id
        for o in sandbox.orders.values()
        if o.status in ("UNSHIPPED", "PARTIALLY_SHIPPED")
        and o.fulfilled_by == "MERCHANT"
        and o.created >= since
    }
    assert set(ids) == expected
    assert not list(data.glob(".glstui.json.*.tmp"))
