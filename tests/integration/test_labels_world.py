"""The world the label and tracking tests run in: a store, keys and an AppContext on the sandbox.

Not a test module of its own (it only holds helpers); the label, outbox and end-to-end tests
import it. Orders come in through the real importer (glstui.services.importer) over HTTP.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from glstui.amazon.endpoints import Endpoints
from glstui.demo import demo_secrets
from glstui.domain.clock import Clock, FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import NEW, Order
from glstui.domain.settings import SenderAddress, Settings
from glstui.sandbox import DEMO_SELLER_ID, Sandbox
from glstui.services.context import AppContext
from glstui.services.events import LogLine
from glstui.services.importer import import_shops
from glstui.store import Store

MARKETPLACES = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
CONFIRM_PATH = re.compile(r"^/orders/v0/orders/([^/]+)/shipmentConfirmation$")
SENDER = SenderAddress(
    name="Test Warehouse BV",
    street="Industrieweg",
    house_no="12",
    zip_code="3542AD",
    city="Utrecht",
    country_code="NL",
    phone="+31301234567",
)


class TestContext(AppContext):
    """The AppContext with a short HTTP timeout, so timeout faults cost little time."""

    __test__ = False
    http_timeout: float = 2.0

    def http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=httpx.Timeout(self.http_timeout))


@dataclass
class World:
    sandbox: Sandbox
    ctx: TestContext
    shop: Integration
    clock: Any
    events: list[Any] = field(default_factory=list)

    @property
    def store(self) -> Store:
        return self.ctx.store

    def report(self, event: Any) -> None:
        self.events.append(event)

    def lines(self, level: str | None = None) -> list[str]:
        return [
            e.text
            for e in self.events
            if isinstance(e, LogLine) and (level is None or e.level == level)
        ]

    async def import_orders(self) -> list[str]:
        """Import the shop's orders; returns the keys of the orders waiting for a label."""
        await import_shops(self.ctx, [self.shop.id], self.report)
        with self.store.read() as view:
            return sorted(o.key for o in view.orders.by_integration(self.shop.id) if o.state == NEW)

    def order(self, key: str) -> Order:
        with self.store.read() as view:
            return view.orders.get(key)

    def orders(self) -> dict[str, Order]:
        with self.store.read() as view:
            return {o.key: o for o in view.orders.all()}

    def outbox(self) -> list[Any]:
        with self.store.read() as view:
            return view.outbox.all()

    def shipments(self) -> list[Any]:
        with self.store.read() as view:
            return view.shipments.all()

    def set_order(self, key: str, **changes: Any) -> None:
        with self.store.write() as tx:
            order = tx.orders.get(key)
            for name, value in changes.items():
                setattr(order, name, value)
            tx.orders.put(order)

    def set_recipient(self, key: str, **changes: Any) -> None:
        with self.store.write() as tx:
            order = tx.orders.get(key)
            for name, value in changes.items():
                setattr(order.recipient, name, value)
            tx.orders.put(order)

    def confirm_204s(self) -> Counter[tuple[str, str]]:
        """(order id, packageReferenceId) -> confirmShipment requests Amazon answered 204."""
        counts: Counter[tuple[str, str]] = Counter()
        for req in self.sandbox.requests("/orders/v0/orders/", "POST"):
            m = CONFIRM_PATH.match(req.path)
            if m and req.status == 204:
                counts[(m.group(1), req.json["packageDetail"]["packageReferenceId"])] += 1
        return counts

    def confirm_requests(self) -> list[Any]:
        return [
            r
            for r in self.sandbox.requests("/orders/v0/orders/", "POST")
            if CONFIRM_PATH.match(r.path)
        ]

    def gls_creates(self) -> Counter[str]:
        """GLS reference (Amazon order id) -> labels GLS made for it."""
        return Counter(
            r.body["reference"]
            for r in self.sandbox.gls.request_log
            if r.path.lower().endswith("label/create") and r.status == 200
        )


def open_context(
    data_dir: Path,
    base_url: str,
    clock: Clock,
    refresh_tokens: dict[str, str],
    time_scale: float = 60.0,
) -> TestContext:
    """An AppContext on an existing data dir (another process's view of the same store)."""
    secrets = demo_secrets()
    for integration_id, token in refresh_tokens.items():
        secrets.set(f"amazon.refresh_token.{integration_id}", token)
    return TestContext(
        data_dir=data_dir,
        store=Store.open(data_dir, clock),
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.sandbox(base_url),
        time_scale=time_scale,
        gls_base_url_override=f"{base_url}/Test/V1/api/",
    )


def make_world(
    sandbox: Sandbox,
    data_dir: Path,
    *,
    update_tracking: bool = True,
    clock: Clock | None = None,
    settings: Settings | None = None,
) -> World:
    clock = clock or FixedClock(sandbox.clock.now())
    store = Store.open(data_dir, clock)
    secrets = demo_secrets()
    shop = Integration(
        shop_name="Amazon NL",
        status=CONNECTED,
        region="EU",
        marketplace_ids=MARKETPLACES,
        selling_partner_id=DEMO_SELLER_ID,
        update_tracking=update_tracking,
    )
    with store.write() as tx:
        tx.settings.put(settings or Settings(sender=SENDER))
        tx.integrations.put(shop)
    secrets.set(f"amazon.refresh_token.{shop.id}", sandbox.issue_refresh_token())
    ctx = TestContext(
        data_dir=data_dir,
        store=store,
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.sandbox(sandbox.base_url),
        time_scale=sandbox.time_scale,
        gls_base_url_override=f"{sandbox.base_url}/Test/V1/api/",
    )
    return World(sandbox, ctx, shop, clock)


# --- label files ---------------------------------------------------------------------------


def check_pdf(data: bytes) -> int:
    """Parse-check a PDF the way a viewer starts: header, trailer, xref offsets, page count.

    Returns the number of pages; raises AssertionError when the file would not open.
    """
    assert data.startswith(b"%PDF-1."), "no PDF header"
    assert data.rstrip().endswith(b"%%EOF"), "no %%EOF"
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    assert m, "no startxref"
    xref_at = int(m.group(1))
    assert data[xref_at : xref_at + 4] == b"xref", "startxref does not point at the xref table"
    head = re.match(rb"xref\s+0\s+(\d+)\s+", data[xref_at:])
    assert head, "bad xref header"
    count = int(head.group(1))
    table = data[xref_at + head.end() :]
    offsets = []
    for n in range(count):
        row = table[n * 20 : n * 20 + 20]
        assert re.match(rb"\d{10} \d{5} [nf]", row), f"bad xref row {row!r}"
        if row[17:18] == b"n":
            offsets.append((n, int(row[:10])))
    for number, offset in offsets:
        assert re.match(rb"%d 0 obj" % number, data[offset : offset + 20]), f"object {number}"
    for stream in re.finditer(rb"/Filter\s*/FlateDecode.*?stream\r?\n(.*?)endstream", data, re.S):
        zlib.decompress(stream.group(1))
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages >= 1, "no page"
    return pages


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])
