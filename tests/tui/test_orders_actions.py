"""Labels and tracking from the Orders screen, against the sandbox (Amazon + GLS) over HTTP.

The operator marks orders, presses c, and sees them labelled and shipped; p tells where the
label file is; D deletes a label (modal, focus on No) until Amazon has the tracking code;
a tracking code Amazon refuses shows Amazon's words, r sends it again, m marks it done;
an order whose label may already exist at GLS is loud and F creates it anyway (modal).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Static

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from test_labels_world import make_world

from glstui.domain.clock import FixedClock
from glstui.domain.order import LABELLED, NEW, SHIPPED
from glstui.domain.shipment import FAILED, PENDING, SENT, SKIPPED
from glstui.sandbox import Sandbox
from glstui.services import audit
from glstui.tui.app import GlsApp
from glstui.tui.screens.orders import OrdersScreen, OrdersTable
from glstui.tui.widgets.confirm import ConfirmModal
from glstui.tui.widgets.log_pane import LogPane

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
CONFIRM = "/orders/v0/orders/"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(seed=3, orders=12, time_scale=60.0, start=NOW).start()
    yield sb
    sb.stop()


async def new_world(sandbox: Sandbox, data_dir: Path) -> Any:
    world = make_world(sandbox, data_dir, clock=FixedClock(NOW))
    world.keys = await world.import_orders()
    assert len(world.keys) >= 4
    return world


@pytest.fixture
async def world(sandbox: Sandbox, tmp_path: Path) -> Any:
    return await new_world(sandbox, tmp_path / "data")


# -- helpers ----------------------------------------------------------------------------------


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_orders(pilot: Any) -> OrdersScreen:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OrdersScreen)
    return screen


async def go_to(pilot: Any, screen: OrdersScreen, key: str) -> None:
    table = screen.query_one(OrdersTable)
    keys = [r.value for r in table.rows]
    table.move_cursor(row=keys.index(key))
    await pilot.pause()
    await pilot.pause()  # the footer follows one refresh later


async def press(pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def cell(screen: OrdersScreen, key: str, column: str) -> str:
    return str(screen.query_one(OrdersTable).get_cell(key, column))


def detail(screen: OrdersScreen) -> str:
    return str(screen.query_one("#detail", Static).render())


def log_text(screen: OrdersScreen) -> str:
    pane = screen.query_one(LogPane)
    pane.flush()
    return "\n".join(pane.lines)


def toasts(app: GlsApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def said(app: GlsApp) -> str:
    """What the Orders screen said about its last action: the log and the status line (an
    action's result is never a toast: one would cover the log and the table)."""
    screen = app.screen
    assert isinstance(screen, OrdersScreen)
    status = " ".join(str(screen.query_one("#counts", Static).render()).split())
    return log_text(screen) + "\n" + status


def oid(key: str) -> str:
    return key.split(":", 1)[1]


# -- c: create labels -------------------------------------------------------------------------


async def test_marked_orders_get_labels_and_amazon_gets_the_tracking(world) -> None:
    first, second = world.keys[:2]
    app = GlsApp(world.ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_orders(pilot)
        for key in (first, second):
            await go_to(pilot, screen, key)
            await pilot.press("space")
        assert screen.selected_keys and set(screen.selected_keys) == {first, second}

        await press(pilot, "c")

        for key in (first, second):
            assert world.order(key).state == SHIPPED
            assert cell(screen, key, "state") == "shipped"
            assert cell(screen, key, "tracking") == "verified at Amazon"  # read back
        parcels = {s.order_id: s.parcel_numbers[0] for s in world.shipments()}
        for key in (first, second):
            (package,) = world.sandbox.orders[oid(key)].packages
            assert package["carrier"] == "GLS"
            assert package["trackingNumber"] == parcels[oid(key)]
        assert list(app._notifications) == []  # no toast over the log and the table
        assert "Labelled 2" in said(app)
        assert "2 tracking codes sent to Amazon" in said(app)
        assert screen.selected_keys == []  # done: the marks are cleared
        assert f"Order {oid(first)}: label created" in log_text(screen)

        await go_to(pilot, screen, first)
        shown = detail(screen)
        assert parcels[oid(first)] in shown
        assert "Amazon parcel 1: sent" in shown


async def test_held_orders_are_counted_and_explained_in_the_log(world) -> None:
    good, bad = world.keys[:2]
    world.set_recipient(bad, address_lines=["Kerkstraat zonder nummer"])
    app = GlsApp(world.ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_orders(pilot)
        for key in (good, bad):
            await go_to(pilot, screen, key)
            await pilot.press("space")
        await press(pilot, "c")
        assert "Labelled 1 · held 1 (reasons in the log)" in said(app)
        assert f"Order {oid(bad)}: held:" in log_text(screen)
        assert "house number" in log_text(screen)
        assert screen.query_one(LogPane).display  # the log shows what just happened
        await pilot.press("down")  # moving on shows the highlighted order again
        assert not screen.query_one(LogPane).display
        assert screen.query_one("#detail").display


# -- p: reprint -------------------------------------------------------------------------------


async def test_reprint_without_printer_tells_where_the_file_is(world) -> None:
    key = world.keys[0]
    app = GlsApp(world.ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_orders(pilot)
        await go_to(pilot, screen, key)
        await press(pilot, "c")
        (shipment,) = world.shipments()
        path = shipment.label_path
        assert Path(path).is_file()

        await press(pilot, "p")

        assert f"the label of order {oid(key)} is at {path}" in said(app)
        assert path in log_text(screen)
        await go_to(pilot, screen, key)
        shown = detail(screen).replace("\n", "")
        assert str(Path(path).relative_to(world.ctx.data_dir)) in shown  # short: it fits a line
        assert path not in shown


# -- D: delete a label ------------------------------------------------------------------------


async def test_delete_label_asks_first_and_only_before_amazon_knows(world) -> None:
    key, sent_key = world.keys[:2]
    app = GlsApp(world.ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_orders(pilot)
        # Amazon is unreachable for a while: the tracking code waits.
        world.sandbox.faults.add("503", count=None, path=CONFIRM)
        await go_to(pilot, screen, key)
        await press(pilot, "c")
        assert world.order(key).state == LABELLED
        assert [e.state for e in world.outbox()] == [PENDING]
        # one wording in the table and the details
        assert cell(screen, key, "tracking") == "waiting to be sent"
        assert "waiting to be sent" in detail(screen)
        assert "again.;" not in detail(screen)
        (unit_no,) = world.shipments()[0].parcel_numbers

        await pilot.press("D")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert oid(key) in modal.question
        assert isinstance(app.focused, Button) and app.focused.id == "no"
        await press(pilot, "enter")  # No
        assert world.order(key).state == LABELLED
        assert world.sandbox.gls.labels[unit_no]["state"] != "deleted"

        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert world.order(key).state == NEW
        assert world.outbox() == []  # a deleted parcel is never confirmed
        assert world.sandbox.gls.labels[unit_no]["state"] == "deleted"
        assert "label deleted at GLS; the order is new again" in said(app)
        assert cell(screen, key, "state") == "new"

        # Once Amazon has the tracking code the label stays, and the screen says why.
        world.sandbox.faults.clear()
        await go_to(pilot, screen, sent_key)
        await press(pilot, "c")
        assert world.order(sent_key).state == SHIPPED
        await press(pilot, "D")
        assert not isinstance(app.screen, ConfirmModal)
        assert "already sent to Amazon" in said(app)
        assert "can no longer be deleted" in log_text(screen)
        assert world.order(sent_key).state == SHIPPED
        assert len(world.sandbox.gls.labels) == 2
        assert [e.action for e in audit.entries(world.store, action="label")].count(
            audit.LABEL_DELETED
        ) == 1


# -- r / m: a tracking code Amazon refused ----------------------------------------------------


async def test_refused_tracking_shows_amazons_words_and_r_sends_it_again(world) -> None:
    key = world.keys[0]
    world.sandbox.orders[oid(key)].status = "PENDING"  # Amazon holds the order after import
    app = GlsApp(world.ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_orders(pilot)
        await go_to(pilot, screen, key)
        await press(pilot, "c")

        assert [e.state for e in world.outbox()] == [FAILED]
        assert cell(screen, key, "state") == "labelled REFUSED"
        assert "1 refused by Amazon: n goes to them" in said(app)
        await go_to(pilot, screen, key)
        shown = detail(screen)
        assert "REFUSED: 400 InvalidInput: The order is pending" in shown
        assert "1 to check: n" in str(screen.query_one("#counts", Static).render())
        assert "r Retry" in footer(screen)

        # Amazon releases the order; the operator sends the code again.
        world.sandbox.orders[oid(key)].status = "UNSHIPPED"
        await press(pilot, "r")

        assert world.order(key).state == SHIPPED
        assert [e.state for e in world.outbox()] == [SENT]
        assert world.confirm_204s() == {(oid(key), "1"): 1}
        assert f"Order {oid(key)}: tracking code sent to Amazon." in said(app)
        assert cell(screen, key, "state") == "shipped"
        assert "r Retry" not in footer(screen)


async def test_refused_tracking_marked_done_by_hand(world) -> None:
    key = world.keys[0]
    world.sandbox.cancel(oid(key))
    app = GlsApp(world.ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_orders(pilot)
        await go_to(pilot, screen, key)
        await press(pilot, "c")
        assert cell(screen, key, "tracking").startswith("refused by Amazon: 400 InvalidInput")

        await pilot.press("m")
        assert isinstance(app.screen, ConfirmModal)
        assert oid(key) in app.screen.question
        await press(pilot, "n")
        assert [e.state for e in world.outbox()] == [FAILED]

        await pilot.press("m")
        await press(pilot, "y")
        assert [e.state for e in world.outbox()] == [SKIPPED]
        assert world.order(key).state == SHIPPED
        assert cell(screen, key, "tracking") == "marked done by hand"
        (entry,) = audit.entries(world.store, action=audit.CONFIRMATION_SKIPPED)
        assert entry.target == key
        assert len(world.confirm_requests()) == 1  # nothing more was sent


# -- F: a label may already exist at GLS ------------------------------------------------------


async def test_label_that_may_exist_at_gls_is_loud_and_f_creates_it_after_a_warning(
    world,
) -> None:
    key = world.keys[0]
    world.set_order(key, label_pending_at=NOW - timedelta(minutes=10))
    app = GlsApp(world.ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_orders(pilot)
        await go_to(pilot, screen, key)
        assert cell(screen, key, "state") == "label at GLS?"
        assert "may already exist at GLS" in detail(screen)
        assert "F Create anyway" in footer(screen)

        await press(pilot, "c")  # an ordinary run does not make a second label
        assert world.gls_creates() == {}
        assert "may already have a label at GLS" in said(app)

        await pilot.press("F")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert "SECOND" in modal.detail and oid(key) in modal.detail
        assert isinstance(app.focused, Button) and app.focused.id == "no"
        await press(pilot, "y")
        assert world.gls_creates() == {oid(key): 1}
        assert world.order(key).state == SHIPPED


# -- the app: start-up work and the periodic delivery ------------------------------------------


async def test_start_up_sends_waiting_codes_and_the_timer_sends_new_ones(world) -> None:
    from glstui.services import labelling

    first, second = world.keys[:2]
    await labelling.create_labels(world.ctx, [first], world.report, deliver=False)
    app = GlsApp(world.ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert world.order(first).state == SHIPPED
        assert "1 tracking code sent to Amazon" in toasts(app)

        await labelling.create_labels(world.ctx, [second], world.report, deliver=False)
        app.deliver_due()  # what the one-minute timer does
        await settle(pilot)
        assert world.order(second).state == SHIPPED
        assert world.confirm_204s() == {(oid(first), "1"): 1, (oid(second), "1"): 1}

        screen = await open_orders(pilot)
        await press(pilot, "l")
        assert f"Order {oid(second)} is shipped." in log_text(screen)


async def test_start_up_with_nothing_to_do_is_silent(world) -> None:
    before = len(world.sandbox.request_log)
    app = GlsApp(world.ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.deliver_due()
        await settle(pilot)
        assert list(app._notifications) == []
        assert len(world.sandbox.request_log) == before


def footer(screen: OrdersScreen) -> str:
    from textual.widgets import Footer

    return " ".join(
        f"{key.key_display} {key.description}"
        for key in screen.query_one(Footer).query("FooterKey").results()
    )


# -- snapshot ---------------------------------------------------------------------------------

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_labelled_shipped_refused(snap_compare: Any, sandbox: Sandbox, size: Any) -> None:
    # The label paths are on screen: a fixed data dir keeps them the same on every run.
    data_dir = Path(tempfile.gettempdir()) / f"glstui-orders-snapshot-{size[0]}x{size[1]}"
    shutil.rmtree(data_dir, ignore_errors=True)
    world = asyncio.run(new_world(sandbox, data_dir))
    shipped, refused, pending = world.keys[:3]
    sandbox.cancel(oid(refused))
    world.set_order(pending, label_pending_at=NOW - timedelta(minutes=10))
    app = GlsApp(world.ctx)

    async def before(pilot: Any) -> None:
        screen = await open_orders(pilot)
        # One at a time, so GLS numbers the parcels in the same order on every run.
        for key in (shipped, refused):
            await go_to(pilot, screen, key)
            await press(pilot, "c")
        await go_to(pilot, screen, refused)
        await pilot.press("space", "up")  # marks it; moving shows the details, not the log
        app.clear_notifications()
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=size, run_before=before)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
