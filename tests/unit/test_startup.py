"""What happens at every start: old buyer data purged, old orders archived, codes delivered."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from test_labels_world import make_world

from glstui.domain.clock import FixedClock
from glstui.domain.order import LABELLED, SHIPPED
from glstui.domain.shipment import SENT
from glstui.sandbox import Sandbox
from glstui.services import labelling, startup
from glstui.services.events import ERROR, LogLine

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(seed=3, orders=12, time_scale=60.0, start=NOW).start()
    yield sb
    sb.stop()


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path):
    w = make_world(sandbox, tmp_path / "data", clock=FixedClock(NOW))
    w.keys = await w.import_orders()
    return w


def lines(events: list) -> list[str]:
    return [e.text for e in events if isinstance(e, LogLine)]


async def test_start_purges_archives_and_sends_waiting_codes(world) -> None:
    # Two labels made while Amazon could not be told (the app stopped before delivering).
    waiting = world.keys[:2]
    run = await labelling.create_labels(world.ctx, waiting, world.report, deliver=False)
    assert run.labelled == 2
    # One order shipped two months ago: its address is past retention, the order is old.
    old = world.keys[2]
    world.set_order(old, state=SHIPPED, shipped_at=NOW - timedelta(days=60))
    assert world.order(old).recipient.name

    events: list = []
    result = await startup.on_start(world.ctx, events.append)

    assert result.purged == 1 and result.archived == 1
    assert result.sent == 2 and result.needs_attention
    assert not result.problems
    assert world.confirm_204s() == {(k.split(":")[1], "1"): 1 for k in waiting}
    assert all(world.order(k).state == SHIPPED for k in waiting)
    assert all(e.state == SENT for e in world.outbox())
    assert world.order(old) is None  # moved to the archive, not lost
    with world.store.read() as view:
        (archived,) = [o for m in view.archive_months() for o in view.archive(m).orders.all()]
    assert archived.key == old and not archived.recipient.name
    text = "\n".join(lines(events))
    assert "Buyer data removed from 1 orders" in text
    assert "tracking code sent to Amazon" in text


async def test_nothing_to_do_asks_nobody_and_says_nothing(world) -> None:
    before = len(world.sandbox.request_log)
    world.ctx.secrets.delete("amazon.lwa_client_secret")  # even without Amazon keys: quiet
    events: list = []
    result = await startup.on_start(world.ctx, events.append)
    assert not result.needs_attention and result.delivery is None
    assert lines(events) == []
    assert len(world.sandbox.request_log) == before


async def test_a_failing_step_is_one_clear_line_and_the_rest_still_runs(world, monkeypatch) -> None:
    run = await labelling.create_labels(world.ctx, world.keys[:1], world.report, deliver=False)
    assert run.labelled == 1

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("glstui.services.retention.purge_pii", broken)
    events: list = []
    result = await startup.on_start(world.ctx, events.append)

    (problem,) = result.problems
    assert "removing old buyer data failed: disk full" in problem
    assert [e.text for e in events if isinstance(e, LogLine) and e.level == ERROR] == [problem]
    assert result.sent == 1  # the codes still went out
    assert world.order(world.keys[0]).state == SHIPPED


async def test_a_label_left_by_a_stopped_run_is_recorded_and_sent(world) -> None:
    key = world.keys[0]
    order = world.order(key)
    receipt = labelling.receipt_path(world.ctx.labels_dir, key)
    receipt.parent.mkdir(parents=True, exist_ok=True)
    receipt.write_text(
        json.dumps(
            {
                "order_key": key,
                "parcel_numbers": ["56570030000099"],
                "files": [],
                "created_at": "2026-11-27T07:59:00Z",
                "label_format": "pdf",
            }
        )
    )
    world.set_order(key, label_pending_at=NOW - timedelta(minutes=5))

    result = await startup.on_start(world.ctx, world.report)

    assert result.recovered == 1 and result.needs_attention
    assert world.order(key).state in (LABELLED, SHIPPED)
    requests = world.confirm_requests()
    assert [r.json["packageDetail"]["trackingNumber"] for r in requests] == ["56570030000099"]
    assert order.order_id in requests[0].path
