"""Label paths read from disk are not trusted: reprint and delete never reach outside labels/.

In a shared data dir one operator can edit the store or a receipt; a `label_path` of
`../../x`, an absolute path elsewhere or a symlink out of labels/ must be refused as a damaged
record that names the file, with nothing printed, deleted or recorded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_labels_world import SENDER, make_world

from glstui.domain.order import LABELLED, NEW
from glstui.domain.settings import Settings
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
    real = labelling._record_and_claim

    def crash(store, labels_dir, asked, *rest):
        if asked:  # GLS answered; glstui stops before the store write
            raise OSError(28, "No space left on device")
        return real(store, labels_dir, asked, *rest)

    monkeypatch.setattr(labelling, "_record_and_claim", crash)
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
