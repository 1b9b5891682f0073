"""Label paths read from disk are not trusted: reprint and delete never reach outside labels/.

In a shared data dir one operator can edit the store or a receipt; a `label_path` of
`../../x`, an absolute path elsewhere or a symlink out of labels/ must be refused as a damaged
record that names the file, with nothing printed, deleted or recorded.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import httpx
import pytest
from test_labels_world import SENDER, make_world

from glstui.domain.order import LABELLED, NEW
from glstui.domain.settings import Settings
from glstui.gls.errors import GlsError
from glstui.gls.tracking import GlsTracking, tracking_base_url
from glstui.services import labelling
from glstui.services.events import ERROR


@pytest.fixture
def small_sandbox(make_sandbox):
    return make_sandbox(seed=3, orders=30, time_scale=60.0)


@pytest.fixture
async def world(small_sandbox, tmp_path):
    w = make_world(small_sandbox, tmp_path / "data", update_tracking=False)
    w.keys = await w.import_orders()
    return w


@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """An `lp` on PATH that records the files it was asked to print."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp.log"
    script = bindir / "lp"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\necho "request id is P-1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "other-operator" / "invoice.pdf"
    victim.parent.mkdir()
    victim.write_bytes(b"%PDF-1.4 someone else's file")
    return victim


def _aim(world, key: str, tmp_path: Path, how: str, victim: Path) -> str:
    """Point the order's stored label_path at `victim`, the way `how` says."""
    labels = world.ctx.labels_dir
    if how == "dotdot":
        rel = os.path.relpath(victim, labels / "2026-11-27")
        target = str(labels / "2026-11-27" / rel)
        assert ".." in target
    elif how == "absolute":
        target = str(victim)
    else:  # a symlink inside labels/ that leads out
        link = labels / "2026-11-27" / "innocent.pdf"
        link.symlink_to(victim)
        target = str(link)
    with world.store.write() as tx:
        (shipment,) = [s for s in tx.shipments.all() if s.order_key == key]
        shipment.label_path = target
        tx.shipments.put(shipment)
    return target


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
async def test_reprint_and_delete_refuse_a_label_path_outside_labels(
    world, small_sandbox, tmp_path, fake_lp, how
):
    key = world.keys[0]
    run = await labelling.create_labels(world.ctx, [key], world.report, deliver=False)
    (parcel,) = run.outcomes[0].parcel_numbers
    victim = _victim(tmp_path)
    target = _aim(world, key, tmp_path, how, victim)
    with world.store.write() as tx:
        tx.settings.put(Settings(sender=SENDER, printer="Zebra1"))
    fake_lp.write_text("")

    printed = await labelling.reprint_order_label(world.ctx, key, world.report)

    assert not printed.printed and printed.files == []
    assert "damaged" in printed.message and target in printed.message
    assert fake_lp.read_text() == ""  # lp never saw the other file

    deleted = await labelling.delete_order_label(world.ctx, key, world.report)

    assert deleted.refused and not deleted.deleted
    assert "damaged" in deleted.message and target in deleted.message
    assert victim.read_bytes().startswith(b"%PDF-1.4 someone")
    assert small_sandbox.gls.labels[parcel]["state"] == "created"  # GLS not asked either
    assert world.order(key).state == LABELLED
    assert any(target in line for line in world.lines(ERROR))


async def test_a_receipt_naming_a_file_outside_labels_is_not_recorded(
    world, small_sandbox, tmp_path, monkeypatch
):
    key = world.keys[0]
    real = labelling.record.record_and_claim

    def crash(store, labels_dir, asked, *rest):
        if asked:  # GLS answered; glstui stops before the store write
            raise OSError(28, "No space left on device")
        return real(store, labels_dir, asked, *rest)

    monkeypatch.setattr(labelling.record, "record_and_claim", crash)
    await labelling.create_labels(world.ctx, [key], world.report, deliver=False)
    monkeypatch.undo()
    receipt = labelling.receipt_path(world.ctx.labels_dir, key)
    data = json.loads(receipt.read_text())
    victim = _victim(tmp_path)
    data["files"] = [str(victim)]
    receipt.write_text(json.dumps(data))

    found = labelling.reconcile_labels(world.ctx, world.report)

    assert found.recovered == [] and found.uncertain == [key]
    assert world.shipments() == [] and world.order(key).state == NEW
    assert any("damaged" in line and str(victim) in line for line in world.lines(ERROR))
    assert victim.exists()


# --- "label may already exist at GLS" -------------------------------------------------------


async def _gls_done(sandbox, creates: int) -> None:
    """Wait until the sandbox GLS has finished the late Label/Create requests."""
    for _n in range(200):
        if len(sandbox.gls.labels) >= creates:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the sandbox GLS never made the labels")


async def test_create_anyway_adopts_the_label_gls_made_instead_of_a_second(small_sandbox, tmp_path):
    world = make_world(small_sandbox, tmp_path / "data")
    keys = await world.import_orders()
    lost, never_sent = keys[:2], keys[2]
    world.ctx.http_timeout = 0.3
    small_sandbox.gls.slow_next(0.8, count=2)  # GLS makes both labels, the answers are lost
    first = await labelling.create_labels(world.ctx, lost, world.report, deliver=False)
    assert [o.status for o in first.outcomes] == [labelling.UNKNOWN] * 2
    world.ctx.http_timeout = 2.0
    await _gls_done(small_sandbox, 2)
    world.set_order(never_sent, label_pending_at=world.clock.now())  # died before asking GLS
    made = {
        k: [n for n, lb in small_sandbox.gls.labels.items() if lb["reference"] == k.split(":")[1]]
        for k in lost
    }
    assert all(len(v) == 1 for v in made.values())

    # The documented recovery: the operator chooses "create anyway" for all three.
    run = await labelling.create_labels(world.ctx, [*lost, never_sent], world.report, force=True)

    creates = world.gls_creates()
    assert {k.split(":")[1]: creates[k.split(":")[1]] for k in [*lost, never_sent]} == {
        k.split(":")[1]: 1 for k in [*lost, never_sent]
    }
    for key in lost:
        outcome = run.by_key()[key]
        assert outcome.status == labelling.DONE
        assert outcome.parcel_numbers == made[key]  # GLS's own label, adopted
        assert "instead of making a second one" in outcome.message
        sim = small_sandbox.orders[key.split(":")[1]]
        assert [p["trackingNumber"] for p in sim.packages] == made[key]
    assert run.by_key()[never_sent].status == labelling.DONE
    assert len(world.shipments()) == 3
    # asked through GLS Track & Trace itself: found for the two lost, none for the third
    searched = sorted(r.status for r in small_sandbox.requests("/tt-test/api/parcel/v1/search"))
    assert searched == [200, 200, 204]

    printed = await labelling.reprint_order_label(world.ctx, lost[0], world.report)
    assert "GLS portal" in printed.message and not printed.printed


async def test_without_create_anyway_a_found_label_is_adopted_too(small_sandbox, tmp_path):
    world = make_world(small_sandbox, tmp_path / "data", update_tracking=False)
    key = (await world.import_orders())[0]
    world.ctx.http_timeout = 0.3
    small_sandbox.gls.slow_next(0.8)
    await labelling.create_labels(world.ctx, [key], world.report)
    world.ctx.http_timeout = 2.0
    await _gls_done(small_sandbox, 1)

    run = await labelling.create_labels(world.ctx, [key], world.report)

    assert run.labelled == 1 and world.gls_creates() == {key.split(":")[1]: 1}
    assert [r.status for r in small_sandbox.requests("/tt-test/")] == [200]
    assert world.order(key).state == LABELLED and world.order(key).label_pending_at is None


async def test_gls_showing_no_label_keeps_the_warning_until_create_anyway(small_sandbox, tmp_path):
    world = make_world(small_sandbox, tmp_path / "data", update_tracking=False)
    key = (await world.import_orders())[0]
    world.set_order(key, label_pending_at=world.clock.now())

    run = await labelling.create_labels(world.ctx, [key], world.report)

    (outcome,) = run.outcomes
    assert outcome.status == labelling.UNKNOWN and "GLS lists no label" in outcome.message
    assert world.gls_creates() == {}
    assert [r.status for r in small_sandbox.requests("/tt-test/")] == [204]


async def test_the_gls_search_adopts_only_its_own_reference_and_says_when_it_cannot_tell():
    answers = {
        "402-1": httpx.Response(
            200,
            json={
                "parcels": [
                    {"parcelNo": "56570010000001", "customerReference": "402-1", "uri": "u1"},
                    {"parcelNo": "56570010000002", "customerReference": "402-10", "uri": "u2"},
                ]
            },
        ),
        "402-2": httpx.Response(204),
        "402-3": httpx.Response(404, json={"message": "Resource not found"}),
    }
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((request.url.path, request.headers.get("Ocp-Apim-Subscription-Key")))
        return answers[body["customerRef"]]

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        base = tracking_base_url("https://api.gls.nl/Test/V1/api/")
        search = GlsTracking(http, base, "key", "user", "secret-password")
        found = await search.find_by_reference("402-1")
        assert [p.parcel_no for p in found] == ["56570010000001"]
        assert await search.find_by_reference("402-2") == []
        with pytest.raises(GlsError) as info:
            await search.find_by_reference("402-3")
    assert "secret-password" not in str(info.value) + info.value.user_message
    assert seen[0] == ("/tt-test/api/parcel/v1/search", "key")
