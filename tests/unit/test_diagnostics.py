"""The support bundle helps a helpdesk without carrying a secret or a buyer's data."""

from __future__ import annotations

import json
import logging
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from glstui import config
from glstui.amazon.endpoints import Endpoints
from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.settings import SenderAddress, Settings
from glstui.logs import clear_sensitive, setup_logging, shutdown_logging
from glstui.secrets import Secrets
from glstui.services import audit, diagnostics
from glstui.services.context import AppContext
from glstui.store import Store
from glstui.store.sample import make_order, make_outbox, make_shipment

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SECRETS = {
    "amazon.app_id": "amzn1.sp.solution.11112222-3333-4444-5555-666677778888",
    "amazon.lwa_client_id": "amzn1.application-oa2-client.abcdef0123456789",
    "amazon.lwa_client_secret": "amzn1.oa2-cs.v1.f00dfeedc0ffee",
    "gls.username": "warehouse-gls-login",
    "gls.password": "Tr0ub4dor&3-gls",
    "gls.subscription_key": "0123456789abcdef0123456789abcdef",
    "gls.customer_no": "88776655",
    "amazon.refresh_token.shop1": "Atzr|IwEBIrefreshtokenvalue",
}


def make_ctx(tmp_path: Path) -> tuple[AppContext, list]:
    clock = FixedClock(NOW)
    data = tmp_path / "data"
    store = Store.open(data, clock)
    secrets = Secrets.in_memory()
    for name, value in SECRETS.items():
        secrets.set(name, value)
    orders = [
        make_order(n, "shop1", created_at=datetime(2026, 11, 20, tzinfo=UTC)) for n in range(8)
    ]
    orders[3].recipient.company = "Bakkerij Jansen BV"
    orders[4].recipient.email = "x7hq9@marketplace.amazon.nl"
    ships = [make_shipment(o, n) for n, o in enumerate(orders[:3])]
    with store.write() as tx:
        tx.integrations.put(Integration(shop_name="Amazon NL", id="shop1", status=CONNECTED))
        tx.orders.put_many(orders)
        tx.shipments.put_many(ships)
        tx.outbox.put_many(make_outbox(s) for s in ships)
        tx.settings.put(Settings(sender=SenderAddress(name="Demo Warehouse BV", city="Utrecht")))
        audit.record(tx, audit.KEYS_CHANGED, "gls.password")
    ctx = AppContext(
        data_dir=data,
        store=store,
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.sandbox("http://127.0.0.1:9"),
    )
    return ctx, orders


def write_log(ctx: AppContext, orders: list) -> None:
    setup_logging(config.log_dir(ctx.data_dir))
    log = logging.getLogger("glstui.test")
    try:
        log.info("import finished: 8 new orders")
        # lines a careless module might write: the redactor and the bundle scrub them
        log.warning("token answer %s", '{"refresh_token": "Atzr|IwEBIrefreshtokenvalue"}')
        log.warning(
            "label for %s at %s", orders[0].recipient.name, orders[0].recipient.address_lines[0]
        )
        log.error("GLS login failed for password=%s", SECRETS["gls.password"])
    finally:
        shutdown_logging()
    # and lines that reached the file unredacted (an older version, another tool)
    r = orders[1].recipient
    with open(config.log_dir(ctx.data_dir) / "glstui.log", "a", encoding="utf-8") as handle:
        handle.write(f"raw {r.name} {r.address_lines[0]} {r.phone} {SECRETS['gls.password']}\n")
        handle.write(f"raw {SECRETS['gls.subscription_key']} {orders[3].recipient.company}\n")
    clear_sensitive()  # a fresh process knows none of these values yet


def bundle_text(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info).decode("utf-8") for info in zf.infolist()}


def test_the_bundle_holds_no_secret_and_no_buyer_data(tmp_path: Path) -> None:
    ctx, orders = make_ctx(tmp_path)
    write_log(ctx, orders)
    bundle = diagnostics.export_bundle(ctx, doctor_lines=["PASS  all good"])

    files = bundle_text(bundle.path)
    everything = "\n".join(files.values())
    for name, value in SECRETS.items():
        assert value not in everything, name
    for order in orders:
        r = order.recipient
        sensitive = [r.name, r.phone, r.email, r.company, *r.address_lines]
        for value in filter(None, sensitive):
            assert value not in everything, value
    # ...while what helps support is there
    assert "import finished: 8 new orders" in files["glstui-support/log-tail.txt"]
    store = json.loads(files["glstui-support/store.json"])
    assert len(store["orders"]) == 8
    first = next(iter(store["orders"].values()))
    assert first["order_id"].startswith("4") and first["items"][0]["sku"].startswith("SKU-")
    assert first["recipient"] == {
        "country_code": "NL",
        "state_or_region": "",
        "postal_code": first["recipient"]["postal_code"],
        "address_type": "Residential",
    }
    assert len(first["recipient"]["postal_code"]) == 2
    counts = json.loads(files["glstui-support/counts.json"])
    assert counts["hot_orders_by_state"] == {"new": 8}
    assert counts["shipments"] == 3 and counts["confirmations_by_state"] == {"sent": 3}
    assert "Demo Warehouse BV" in files["glstui-support/settings.json"]  # our own address
    assert files["glstui-support/doctor.txt"] == "PASS  all good\n"
    assert "keys.changed" in files["glstui-support/audit.json"]
    summary = files["glstui-support/summary.txt"]
    assert "glstui 0.1.0" in summary and "secret store in-memory (demo)" in summary


def test_the_bundle_is_private_and_named_by_time(tmp_path: Path) -> None:
    ctx, _orders = make_ctx(tmp_path)
    one = diagnostics.export_bundle(ctx, doctor_lines=[])
    two = diagnostics.export_bundle(ctx, doctor_lines=[])
    assert one.path.parent == ctx.data_dir / "support"
    assert one.path.name == "glstui-support-20261127-080000.zip"
    assert two.path.name == "glstui-support-20261127-080000-2.zip"
    assert stat.S_IMODE(one.path.stat().st_mode) == 0o600
    assert one.files == sorted(
        [
            "audit.json",
            "counts.json",
            "doctor.txt",
            "log-tail.txt",
            "settings.json",
            "store.json",
            "summary.txt",
        ]
    )


def test_doctor_runs_when_no_lines_are_given(tmp_path: Path) -> None:
    ctx, _orders = make_ctx(tmp_path)
    contents = diagnostics.bundle_contents(ctx)
    assert "FAIL  Amazon login (LWA) http://127.0.0.1:9/auth/o2/token" in contents["doctor.txt"]
