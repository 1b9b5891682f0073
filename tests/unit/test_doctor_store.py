"""Doctor checks every stored order's shape without decoding a backlog; --full decodes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glstui.amazon.endpoints import Endpoints
from glstui.domain.clock import FixedClock
from glstui.domain.order import Order
from glstui.secrets import Secrets
from glstui.services import doctor
from glstui.services.context import AppContext
from glstui.store import Store, repos
from glstui.store.sample import make_order

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def make_ctx(tmp_path: Path, damage: dict[str, object] | None = None) -> AppContext:
    clock = FixedClock(NOW)
    store = Store.open(tmp_path, clock)
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(3))
    if damage:
        data = json.loads(store.path.read_text())
        data["orders"]["2"].update(damage)
        store.path.write_bytes(json.dumps(data).encode())
    return AppContext(
        data_dir=tmp_path,
        store=store,
        secrets=Secrets.in_memory(),
        clock=clock,
        endpoints=Endpoints.production(),
    )


def store_lines(ctx: AppContext, full: bool = False) -> list[str]:
    checks = doctor.doctor_checks(ctx, network=False, full=full)
    return [c.line() for c in checks if "tore file" in c.what]


def test_doctor_does_not_decode_every_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(tmp_path)
    decoded: list[type] = []
    real = repos.from_dict

    def counting(cls: type, data: dict) -> object:
        decoded.append(cls)
        return real(cls, data)

    monkeypatch.setattr(repos, "from_dict", counting)
    lines = store_lines(ctx)
    assert lines == [f"PASS  Store file {ctx.store.path} opens (0 shops, 3 current orders)"]
    assert Order not in decoded


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ({"items": "three mugs"}, "Order.items: expected list, not str"),
        ({"order_id": 12}, "Order.order_id: expected str, not int"),
        ({"created_at": 12}, "Order.created_at: expected str, not int"),
        ({"recipient": {"name": ["Jan"]}}, "Recipient.name: expected str, not list"),
        ({"items": [{"sku": "MUG"}]}, "OrderItem.order_item_id is missing"),
        ({"is_prime": 1}, "Order.is_prime: expected bool, not int"),
    ],
)
def test_a_damaged_order_is_reported_with_its_file(
    tmp_path: Path, damage: dict[str, object], reason: str
) -> None:
    ctx = make_ctx(tmp_path, damage)
    (line,) = store_lines(ctx)
    assert line.startswith("FAIL  The store file cannot be read — ")
    assert str(ctx.store.path) in line and reason in line


def test_full_also_finds_what_only_decoding_finds(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, {"created_at": "yesterday"})
    assert store_lines(ctx)[0].startswith("PASS")
    (line,) = store_lines(ctx, full=True)
    assert line.startswith("FAIL") and str(ctx.store.path) in line


def test_a_damaged_order_in_a_shard_file_names_that_file(tmp_path: Path) -> None:
    """A backlog's orders live in shards/ (500 a file): the damaged one's file is named."""
    clock = FixedClock(NOW)
    store = Store.open(tmp_path, clock)
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(1200))
    shards = sorted((tmp_path / "shards").glob("orders-*.json"))
    assert len(shards) >= 2
    victim = shards[1]
    docs = json.loads(victim.read_text())
    first = next(iter(docs))
    docs[first]["items"] = {"sku": "MUG"}
    victim.write_text(json.dumps(docs))
    ctx = AppContext(
        data_dir=tmp_path,
        store=Store.open(tmp_path, clock),
        secrets=Secrets.in_memory(),
        clock=clock,
        endpoints=Endpoints.production(),
    )
    (line,) = store_lines(ctx)
    assert line.startswith("FAIL") and str(victim) in line
    assert "Order.items: expected list, not dict" in line


def test_a_store_file_others_may_read_is_a_warning(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    ctx.store.path.chmod(0o644)
    lines = store_lines(ctx)
    assert f"WARN  Store file {ctx.store.path} can be read by other users (mode 644)" in lines[1]
    assert lines[1].endswith(f"chmod 600 {ctx.store.path}")
