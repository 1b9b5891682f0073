"""Creating, printing and deleting GLS labels against the sandbox, as the operator sees it."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_labels_world import SENDER, check_pdf, make_world, png_size

from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED
from glstui.domain.settings import Settings
from glstui.domain.shipment import PENDING
from glstui.services import labelling, outbox
from glstui.services.events import ERROR, WARNING


@pytest.fixture
def small_sandbox(make_sandbox):
    return make_sandbox(seed=3, orders=30, time_scale=60.0)


@pytest.fixture
async def world(small_sandbox, tmp_path):
    w = make_world(small_sandbox, tmp_path / "data")
    w.keys = await w.import_orders()
    assert len(w.keys) >= 4
    return w


def _gls_label_states(sandbox) -> dict[str, str]:
    return {unit_no: label["state"] for unit_no, label in sandbox.gls.labels.items()}


async def test_address_that_cannot_be_split_holds_the_order(world, small_sandbox):
    key = world.keys[0]
    world.set_recipient(key, address_lines=["Kerkstraat zonder nummer"])

    run = await labelling.create_labels(world.ctx, [key], world.report)

    order = world.order(key)
    assert run.held == 1 and order.state == HELD
    assert "house number" in order.hold_reason
    assert any("held" in line and order.order_id in line for line in world.lines(WARNING))
    assert world.gls_creates() == {}
    assert world.shipments() == [] and world.outbox() == []


async def test_gls_field_errors_are_shown_and_the_order_stays_new(world, monkeypatch):
    key = world.keys[0]
    world.set_recipient(key, city="Sint-Michielsgestel-Den-Dungen-Noord")  # 35 > 30
    # Let the request reach GLS (no check in the client) so GLS's own 422 is what we see.
    monkeypatch.setattr("glstui.gls.client.validate_request", lambda *a, **k: {})

    run = await labelling.create_labels(world.ctx, [key], world.report)

    (outcome,) = run.outcomes
    assert outcome.status == labelling.FAIL
    assert list(outcome.field_errors) == ["Recipient city"]
    assert "maximum length of 30" in outcome.field_errors["Recipient city"][0]
    errors = world.lines(ERROR)
    assert any(
        order_line.startswith(f"Order {outcome.order_id}: no label") for order_line in errors
    )
    assert any(line.strip().startswith("Recipient city:") for line in errors)
    order = world.order(key)
    assert order.state == NEW and order.label_pending_at is None
    assert world.shipments() == [] and world.outbox() == []
    assert [r.status for r in world.sandbox.gls.request_log] == [422]


async def test_field_errors_found_before_sending_look_the_same(world):
    key = world.keys[0]
    world.set_recipient(key, city="Sint-Michielsgestel-Den-Dungen-Noord")

    run = await labelling.create_labels(world.ctx, [key], world.report)

    assert run.outcomes[0].field_errors.keys() == {"Recipient city"}
    assert world.order(key).state == NEW and world.sandbox.gls.request_log == []


async def test_wrong_gls_login_stops_the_run_and_changes_nothing(world):
    world.ctx.secrets.set("gls.password", "wrong")

    run = await labelling.create_labels(world.ctx, world.keys, world.report)

    assert run.labelled == 0 and "GLS refused the login" in run.error
    assert all(o.status == labelling.FAIL for o in run.outcomes)
    assert len(world.sandbox.gls.request_log) <= labelling.CONCURRENCY
    for key in world.keys:
        order = world.order(key)
        assert order.state == NEW and order.label_pending_at is None


async def test_skips_are_explained(world):
    cancelled, labelled = world.keys[:2]
    world.set_order(cancelled, state=CANCELLED)
    await labelling.create_labels(world.ctx, [labelled], world.report, deliver=False)
    world.events.clear()

    run = await labelling.create_labels(world.ctx, [cancelled, labelled, "x:nope"], world.report)

    assert run.skipped == 3 and run.labelled == 0
    text = "\n".join(world.lines())
    assert "cancelled by the buyer" in text
    assert "already has a label" in text
    assert "not found" in text


async def test_zpl_labels_are_written_per_parcel(small_sandbox, tmp_path):
    world = make_world(
        small_sandbox, tmp_path / "data", settings=Settings(sender=SENDER, label_format="zpl")
    )
    keys = await world.import_orders()
    world.set_order(keys[0], decision={"parcels": 2, "label_format": "zpl"})

    run = await labelling.create_labels(world.ctx, keys[:2], world.report, deliver=False)

    assert run.labelled == 2
    first = run.by_key()[keys[0]]
    assert len(first.files) == 2
    for path, parcel in zip(first.files, first.parcel_numbers, strict=True):
        assert path.suffix == ".zpl" and path.name == f"{first.order_id}-{parcel}.zpl"
        text = path.read_text()
        assert text.lstrip().startswith("^XA") and text.rstrip().endswith("^XZ")
        assert parcel in text
    create = small_sandbox.gls.request_log[0].body
    assert create["labelType"] == "zpl"


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None and not os.environ.get("CI"),
    reason="poppler-utils not installed (under CI=true this fails instead: .ci/run installs it)",
)
async def test_saved_pdf_renders(world, tmp_path):
    run = await labelling.create_labels(world.ctx, world.keys[:1], world.report, deliver=False)
    (path,) = run.outcomes[0].files
    assert check_pdf(path.read_bytes()) == 1
    out = tmp_path / "render"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-singlefile", str(path), str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    width, height = png_size(out.with_suffix(".png"))
    assert width > 50 and height > 50


async def test_label_request_carries_the_whole_address(world, small_sandbox):
    key = world.keys[0]
    world.set_recipient(
        key,
        name="Jan de Vries",
        company="De Vries Techniek BV",
        address_lines=["Kerkstraat 12 B", "2e verdieping"],
        postal_code="1234 ab",
        country_code="NL",
        phone="+31 6 1234 5678",
        email="buyer@marketplace.amazon.nl",
    )
    with world.store.write() as tx:  # the e-mail goes to GLS for its delivery notifications
        settings = tx.settings.get()
        settings.gls_buyer_notifications = True
        tx.settings.put(settings)

    run = await labelling.create_labels(world.ctx, [key], world.report, deliver=False)

    assert run.labelled == 1
    body = small_sandbox.gls.request_log[0].body
    delivery = body["addresses"]["deliveryAddress"]
    assert delivery["name1"] == "Jan de Vries"
    assert "De Vries Techniek BV" in delivery["name2"] + delivery.get("name3", "")
    assert "2e verdieping" in delivery["name2"] + delivery.get("name3", "")
    assert (delivery["street"], delivery["houseNo"], delivery["houseNoExt"]) == (
        "Kerkstraat",
        "12",
        "B",
    )
    assert delivery["zipCode"] == "1234AB" and delivery["addresseeType"] == "b"
    assert delivery["phone"] == "+31 6 1234 5678"
    assert delivery["email"] == "buyer@marketplace.amazon.nl"
    assert body["reference"] == world.order(key).order_id
    assert body["addresses"]["pickupAddress"]["name1"] == SENDER.name
    assert body["units"] == [{"unitId": f"{world.order(key).order_id}-1", "weight": 1.0}]


# --- printing ------------------------------------------------------------------------------


@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """An `lp` on PATH that records its arguments (exit code from $FAKE_LP_EXIT)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp.log"
    script = bindir / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'if [ "${FAKE_LP_EXIT:-0}" != 0 ]; then echo "lp: The printer does not exist" >&2; '
        'exit "$FAKE_LP_EXIT"; fi\n'
        'echo "request id is Zebra-1 (1 file(s))"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


async def test_labels_are_printed_and_can_be_reprinted(world, fake_lp):
    with world.store.write() as tx:
        tx.settings.put(Settings(sender=SENDER, printer="Zebra1"))

    run = await labelling.create_labels(world.ctx, world.keys[:1], world.report, deliver=False)

    (outcome,) = run.outcomes
    assert outcome.printed
    (path,) = outcome.files
    assert fake_lp.read_text().split() == ["-d", "Zebra1", "--", str(path)]

    result = await labelling.reprint_order_label(world.ctx, outcome.order_key, world.report)
    assert result.printed and result.files == [path]
    assert fake_lp.read_text().count("Zebra1") == 2


async def test_a_failed_print_never_loses_the_label(world, fake_lp, monkeypatch):
    monkeypatch.setenv("FAKE_LP_EXIT", "1")
    with world.store.write() as tx:
        tx.settings.put(Settings(sender=SENDER, printer="Nope"))

    run = await labelling.create_labels(world.ctx, world.keys[:1], world.report, deliver=False)

    (outcome,) = run.outcomes
    assert outcome.status == labelling.DONE and not outcome.printed
    assert world.order(outcome.order_key).state == LABELLED
    assert outcome.files[0].exists()
    assert any("Printing on 'Nope' failed" in line for line in world.lines(WARNING))


async def test_reprint_without_printer_tells_the_path(world):
    run = await labelling.create_labels(world.ctx, world.keys[:1], world.report, deliver=False)
    result = await labelling.reprint_order_label(world.ctx, world.keys[0], world.report)
    assert not result.printed and str(run.outcomes[0].files[0]) in result.message


# --- deleting ------------------------------------------------------------------------------


async def test_delete_label_before_confirmation_then_label_again(world, small_sandbox):
    key = world.keys[0]
    small_sandbox.faults.add("503", count=None, path="/orders/v0/orders")
    run = await labelling.create_labels(world.ctx, [key], world.report)
    first_parcel = run.outcomes[0].parcel_numbers[0]
    assert [e.state for e in world.outbox()] == [PENDING]

    result = await labelling.delete_order_label(world.ctx, key, world.report)

    assert result.deleted and not result.refused
    assert _gls_label_states(small_sandbox)[first_parcel] == "deleted"
    assert world.order(key).state == NEW
    assert world.outbox() == []
    assert not run.outcomes[0].files[0].exists()

    # A new label gets a new packageReferenceId; only it reaches Amazon.
    small_sandbox.faults.clear()
    world.clock.advance(3600)
    again = await labelling.create_labels(world.ctx, [key], world.report)
    second_parcel = again.outcomes[0].parcel_numbers[0]
    sim = small_sandbox.orders[world.order(key).order_id]
    assert [(p["packageReferenceId"], p["trackingNumber"]) for p in sim.packages] == [
        ("2", second_parcel)
    ]
    assert world.order(key).state == SHIPPED


async def test_delete_label_refused_once_amazon_has_the_tracking_code(world, small_sandbox):
    key = world.keys[0]
    run = await labelling.create_labels(world.ctx, [key], world.report)
    assert world.order(key).state == SHIPPED

    result = await labelling.delete_order_label(world.ctx, key, world.report)

    assert result.refused and not result.deleted
    assert "already sent to Amazon" in result.message
    assert _gls_label_states(small_sandbox)[run.outcomes[0].parcel_numbers[0]] == "created"
    assert world.order(key).state == SHIPPED
    assert not any(r.path.lower().endswith("label/delete") for r in small_sandbox.gls.request_log)


async def test_delete_with_nothing_to_delete(world):
    result = await labelling.delete_order_label(world.ctx, world.keys[0], world.report)
    assert not result.deleted and "no label" in result.message


# --- when GLS's answer is lost --------------------------------------------------------------


class NotListedYet:
    """GLS Track & Trace that does not list a new parcel yet (GLS documents no delay)."""

    async def find_by_reference(self, reference, since=None):
        return []


async def test_gls_timeout_never_makes_a_second_label_silently(world, small_sandbox):
    key = world.keys[0]
    world.ctx.http_timeout = 0.3
    small_sandbox.gls.slow_next(0.8)  # GLS makes the label but answers too late

    run = await labelling.create_labels(world.ctx, [key], world.report)

    (outcome,) = run.outcomes
    assert outcome.status == labelling.UNKNOWN
    order = world.order(key)
    assert order.state == NEW and order.label_pending_at is not None
    assert any("may already exist at GLS" in line for line in world.lines(WARNING))
    world.ctx.http_timeout = 2.0

    # Asked again while GLS Track & Trace does not list the parcel yet: refused with the same
    # warning, GLS is asked for no second label.
    def creates() -> int:
        return sum(r.path.lower().endswith("label/create") for r in small_sandbox.gls.request_log)

    for _n in range(200):  # the late Label/Create is done at GLS
        if creates():
            break
        await asyncio.sleep(0.05)
    again = await labelling.create_labels(world.ctx, [key], world.report, lookup=NotListedYet())
    assert again.outcomes[0].status == labelling.UNKNOWN
    assert creates() == 1
    # At the next start the operator is told again.
    world.clock.advance(labelling.STALE_AFTER_S)
    world.events.clear()
    found = labelling.reconcile_labels(world.ctx, world.report)
    assert found.uncertain == [key] and "may already exist" in world.lines(WARNING)[0]

    # The operator checked the GLS portal and chooses to create it anyway.
    forced = await labelling.create_labels(world.ctx, [key], world.report, force=True)
    assert forced.labelled == 1 and world.order(key).label_pending_at is None
    assert world.order(key).state == SHIPPED


async def test_crash_after_gls_answered_is_recovered_from_the_receipt(
    world, small_sandbox, monkeypatch
):
    key = world.keys[0]

    real = labelling.record.record_and_claim

    def crash(store, labels_dir, asked, *rest):
        if asked:  # GLS answered: the write that would record the label fails
            raise OSError(28, "No space left on device")
        return real(store, labels_dir, asked, *rest)

    monkeypatch.setattr(labelling.record, "record_and_claim", crash)
    run = await labelling.create_labels(world.ctx, [key], world.report)
    assert run.outcomes[0].status == labelling.UNKNOWN
    assert world.order(key).state == NEW and world.shipments() == []
    monkeypatch.undo()

    found = labelling.reconcile_labels(world.ctx, world.report)

    assert found.recovered == [key]
    order = world.order(key)
    assert order.state == LABELLED and order.label_pending_at is None
    (shipment,) = world.shipments()
    (parcel,) = shipment.parcel_numbers
    assert labelling.label_files(shipment)[0].exists()
    assert world.gls_creates() == {order.order_id: 1}
    delivery = await outbox.deliver_pending(world.ctx, world.report)
    assert delivery.sent == 1
    assert small_sandbox.orders[order.order_id].packages[0]["trackingNumber"] == parcel
    # Reconciling again changes nothing.
    assert labelling.reconcile_labels(world.ctx, world.report).recovered == []
    assert len(world.shipments()) == 1


def test_label_dir_is_private(tmp_path):
    from glstui import config

    path = config.labels_dir(tmp_path / "d")
    assert (path.stat().st_mode & 0o777) == 0o700
    assert isinstance(path, Path)
