"""Regenerate screenshots/<screen>.svg and .png from the app itself (not collected by pytest).

    .venv/bin/python tests/tui/make_screenshots.py [--out screenshots] [--only NAME ...] [--list]

Every screen of the app, drawn by the app from the same deterministic data as the tests (the
fixed clock and seed shops of tests/tui/conftest.py, the sandbox worlds of the import, orders
and label tests, the generated statistics history, the support and rules scenes). The worlds
are built with the tests' own helpers, imported, so screenshots and snapshots show the same
thing. Screenshots the script no longer makes are deleted from the output folder. PNGs need
rsvg-convert (Debian: apt-get install librsvg2-bin); without it only the SVGs are written.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT / "tests" / "integration"))

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ["GLSTUI_NO_BROWSER"] = "1"
os.environ["LANG"] = "en_US.UTF-8"
os.environ.pop("LC_ALL", None)
os.environ.pop("LC_MESSAGES", None)
os.environ["TZ"] = "UTC"
time.tzset()
logging.getLogger("glstui").addHandler(logging.NullHandler())  # no warnings on the terminal

import pytest  # noqa: E402
import test_import_screen as import_tests  # noqa: E402
import test_labels_world as labels_world  # noqa: E402
import test_orders_screen as orders_tests  # noqa: E402
import test_rules_screen as rules_tests  # noqa: E402
import test_statistics_screen as stats_tests  # noqa: E402
import test_support_screen as support_tests  # noqa: E402
from conftest import FIXED_STATE, NOW, _seed_shops  # noqa: E402
from conftest import make_ctx as make_ctx_fixture  # noqa: E402

import glstui.amazon.consent as consent  # noqa: E402
from glstui.domain.clock import FixedClock  # noqa: E402
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED  # noqa: E402
from glstui.sandbox import Sandbox  # noqa: E402
from glstui.secrets import Secrets  # noqa: E402
from glstui.services import labelling  # noqa: E402
from glstui.services.context import AppContext  # noqa: E402
from glstui.tui.app import GlsApp  # noqa: E402
from glstui.tui.screens.sku_weights import SkuWeightsScreen  # noqa: E402
from glstui.tui.widgets.log_pane import LogPane  # noqa: E402

Steps = Callable[[Any], Awaitable[None]]
World = Callable[[str, Path, ExitStack], AppContext]

MAIN, BUSY, SMALL = (100, 30), (120, 40), (80, 24)


# -- steps --------------------------------------------------------------------------------------


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def press(*keys: str) -> Steps:
    async def run(pilot: Any) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def then(*steps: Steps) -> Steps:
    async def run(pilot: Any) -> None:
        for step in steps:
            await step(pilot)

    return run


async def settle_screen(pilot: Any) -> None:
    """Let the start-up worker and the screen's loads finish, then flush the log panes."""
    await settle(pilot)
    for pane in pilot.app.screen.query(LogPane):
        pane.flush()
    await pilot.pause()


async def import_finished(pilot: Any) -> None:
    """Import only the sandbox shop (one shop: the log lines come in one order)."""
    screen = await import_tests.open_import(pilot)
    table = screen.query_one("#shops")
    rows = [r.value for r in table.rows]
    table.move_cursor(row=rows.index("shop0002"))
    await pilot.press("space")
    table.move_cursor(row=rows.index("shop0001"))
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("r")  # reload: column widths as after a restart, not as the run left them
    await settle_screen(pilot)


async def open_import(pilot: Any) -> None:
    await import_tests.open_import(pilot)
    await settle_screen(pilot)


async def open_orders(pilot: Any) -> None:
    await orders_tests.open_orders(pilot)
    await settle_screen(pilot)


def cursor_to(state: str, amazon_cancelled: bool = False, mark: bool = False) -> Steps:
    """Highlight (or mark with space) the first listed order in `state`."""

    async def run(pilot: Any) -> None:
        table = pilot.app.screen.query_one(orders_tests.OrdersTable)
        with pilot.app.ctx.store.read() as view:
            keys = [row.value for row in table.rows]
            orders = [view.orders.get(key) for key in keys]
        marked = set(pilot.app.screen.selected_keys)
        row = next(
            n
            for n, order in enumerate(orders)
            if order.state == state
            and (order.amazon_status == "CANCELLED") == amazon_cancelled
            and order.key not in marked
        )
        table.move_cursor(row=row)
        await settle(pilot)
        if mark:
            await pilot.press("space")
            await settle(pilot)

    return run


async def no_toasts(pilot: Any) -> None:
    pilot.app.clear_notifications()
    await pilot.pause()


async def rules_list(pilot: Any) -> None:
    await rules_tests.open_rules(pilot)
    await pilot.press("down")  # the second rule, so the cursor is not on the first row only
    await settle(pilot)


async def sku_weights(pilot: Any) -> None:
    await rules_tests.open_rules(pilot)
    await pilot.press("w")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SkuWeightsScreen)


# -- worlds -------------------------------------------------------------------------------------


def ctx_factory(tmp: Path, stack: ExitStack) -> Callable[..., AppContext]:
    """conftest's make_ctx fixture, driven by hand: make(lang=..., endpoints=..., ...)."""
    gen = make_ctx_fixture.__wrapped__(tmp, FixedClock(NOW))
    make = next(gen)
    stack.callback(next, gen, None)
    return make


def shops_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    """The four seed shops (connected, connected, needs re-auth, draft)."""
    ctx = ctx_factory(tmp, stack)(lang=lang)
    _seed_shops(ctx)
    return ctx


def empty_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    return ctx_factory(tmp, stack)(lang=lang)


def import_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    """The seed shops, shop0001 a seller of a fresh sandbox (test_import_screen's snapshots)."""
    gen = import_tests.sandbox.__wrapped__()
    sandbox = next(gen)
    stack.callback(next, gen, None)
    make = partial(ctx_factory(tmp, stack), lang=lang)
    return import_tests._ctx_one_shop(make, _seed_shops, sandbox)


def import_idle_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    make = partial(ctx_factory(tmp, stack), lang=lang)
    return import_tests._ctx_one_shop(make, _seed_shops, None)


def orders_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    """One shop on the sandbox, its orders imported for real; then labels and tracking.

    The first orders get GLS labels and their tracking codes reach Amazon (shipped); one
    cannot be labelled (held: no house number); one is labelled while Amazon answers 503
    (labelled, tracking retried later); one is labelled after the buyer cancelled it
    (Amazon refuses the tracking code, the re-import makes it loud); one new order is
    cancelled by the buyer (cancelled); the rest stay new.
    """
    sandbox = Sandbox(seed=3, orders=40, time_scale=1.0, start=NOW, arrivals_per_hour=0).start()
    stack.callback(sandbox.stop)
    world = labels_world.make_world(sandbox, tmp / "data", clock=FixedClock(NOW))
    world.ctx.lang = lang
    keys = asyncio.run(world.import_orders())
    shipped, held, retry, refused, cancelled = keys[:4], keys[4], keys[5], keys[6], keys[7]
    world.set_recipient(held, address_lines=["Kerkstraat zonder nummer"])

    async def labels(*order_keys: str) -> None:
        await labelling.create_labels(world.ctx, order_keys, world.report)

    asyncio.run(labels(*shipped, held))
    sandbox.cancel(world.order(refused).order_id)
    asyncio.run(labels(refused))
    sandbox.cancel(world.order(cancelled).order_id)
    world.clock.advance(600)  # the next import sees the cancellations
    asyncio.run(world.import_orders())
    sandbox.faults.add("503", None, "/orders/v0/orders/")
    world.ctx.time_scale = 1000.0  # the client's retry waits, shortened
    asyncio.run(labels(retry))  # its retry is not due yet when the app starts
    world.ctx.time_scale = sandbox.time_scale
    sandbox.faults.clear()
    states = {o.state for o in world.orders().values()}
    assert states == {NEW, HELD, LABELLED, SHIPPED, CANCELLED}, states
    return world.ctx


def stats_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    return stats_tests.with_history(ctx_factory(tmp, stack), lang=lang)


def support_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    """test_support_screen's scene: HOME = tmp (paths as ~/data0), a log file, audit entries."""
    patch = pytest.MonkeyPatch()
    stack.callback(patch.undo)
    make = support_tests.support_ctx.__wrapped__(ctx_factory(tmp, stack), tmp, patch)
    return make(lang=lang)


def rules_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    """Amazon NL with 14 waiting orders, SKU weights and two rules (test_rules_screen.seed)."""
    ctx = ctx_factory(tmp, stack)(lang=lang)
    rules_tests.seed(ctx, rules_tests.SAMPLE_RULES[:2])
    return ctx


def login_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    """An encrypted key file that exists and is locked: the app asks for the passphrase."""
    first = Secrets.encrypted_file(tmp / "secrets.cfg", env={})
    first.unlock("correct horse")
    locked = Secrets.encrypted_file(tmp / "secrets.cfg", env={})
    ctx = ctx_factory(tmp, stack)(lang=lang, secrets=locked, app_keys=False)
    ctx.secrets.store_name = "encrypted file /srv/glstui/secrets.cfg"
    return ctx


def login_new_world(lang: str, tmp: Path, stack: ExitStack) -> AppContext:
    """No key file yet: the app asks to choose a passphrase (twice)."""
    fresh = Secrets.encrypted_file(tmp / "secrets.cfg", env={})
    ctx = ctx_factory(tmp, stack)(lang=lang, secrets=fresh, app_keys=False)
    ctx.secrets.store_name = "encrypted file /srv/glstui/secrets.cfg"
    return ctx


# -- the screenshots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    steps: Steps
    size: tuple[int, int] = MAIN
    lang: str = "en"
    world: World = shops_world
    about: str = ""


IMPORT_DONE = import_finished
MARK_TWO = then(cursor_to(NEW, mark=True), cursor_to(NEW, mark=True))
ORDERS = then(open_orders, no_toasts, MARK_TWO, cursor_to(LABELLED))
ORDERS_CANCELLED = then(open_orders, no_toasts, cursor_to(LABELLED, amazon_cancelled=True))
# One order: the tracking codes of several are sent in parallel, in no fixed order.
ORDERS_LABELS = then(open_orders, no_toasts, cursor_to(NEW, mark=True), press("c"))

SHOTS: dict[str, Shot] = {
    # 1 Integrations
    "integrations": Shot(press("down"), about="Integrations: four shops, one of each status"),
    "integrations-80x24": Shot(press("down"), SMALL, about="Integrations on an 80x24 terminal"),
    "integrations-nl": Shot(press("down"), lang="nl", about="Integrations in Dutch"),
    "integrations-empty": Shot(press(), world=empty_world, about="Integrations, no shop yet"),
    "integration-details": Shot(press("down", "enter"), about="Integration details form"),
    "integration-details-nl": Shot(
        press("down", "enter"), lang="nl", about="Integration details in Dutch"
    ),
    "add-shop": Shot(press("n"), about="Add a shop: the new-shop form"),
    "connect": Shot(press("n", "ctrl+s"), BUSY, about="Connect: consent link and QR code"),
    "connect-80x24": Shot(press("n", "ctrl+s"), SMALL, about="Connect on 80x24"),
    "delete": Shot(press("down", "d"), about="Delete a shop: the confirmation"),
    "rules": Shot(
        rules_list, BUSY, world=rules_world, about="Shipping rules: two rules and the preview"
    ),
    "rules-80x24": Shot(rules_list, SMALL, world=rules_world, about="Shipping rules on 80x24"),
    "rule-edit": Shot(
        then(rules_list, press("e")), BUSY, world=rules_world, about="Editing one rule"
    ),
    "sku-weights": Shot(sku_weights, world=rules_world, about="SKU weights"),
    # 2 Import
    "import": Shot(open_import, world=import_idle_world, about="Import, idle"),
    "import-done": Shot(
        IMPORT_DONE, BUSY, world=import_world, about="Import finished, with its live log"
    ),
    "import-80x24": Shot(IMPORT_DONE, SMALL, world=import_world, about="Import done on 80x24"),
    "import-nl": Shot(IMPORT_DONE, BUSY, "nl", import_world, about="Import finished, in Dutch"),
    # 3 Orders
    "orders": Shot(ORDERS, BUSY, world=orders_world, about="Orders of every state + details"),
    "orders-cancelled": Shot(
        ORDERS_CANCELLED, BUSY, world=orders_world, about="A labelled order cancelled on Amazon"
    ),
    "orders-labels": Shot(
        ORDERS_LABELS, BUSY, world=orders_world, about="After c: labels made, the run's log"
    ),
    "orders-delete-label": Shot(
        then(ORDERS, press("D")), world=orders_world, about="Delete a label: the confirmation"
    ),
    "orders-80x24": Shot(ORDERS, SMALL, world=orders_world, about="Orders on 80x24"),
    "orders-nl": Shot(ORDERS_CANCELLED, BUSY, "nl", orders_world, about="Orders in Dutch"),
    # 4 Statistics
    "statistics": Shot(press("4"), BUSY, world=stats_world, about="Statistics, 7 days"),
    "statistics-quarter": Shot(
        press("4", "k"), BUSY, world=stats_world, about="Statistics, 90 days"
    ),
    "statistics-80x24": Shot(press("4"), SMALL, world=stats_world, about="Statistics on 80x24"),
    "statistics-nl": Shot(
        press("4", "m", "up"), BUSY, "nl", stats_world, about="Statistics in Dutch, one shop"
    ),
    # 5 Keys
    "keys": Shot(press("5"), about="Keys (Amazon app and GLS)"),
    "keys-80x24": Shot(press("5"), SMALL, about="Keys on 80x24"),
    "keys-nl": Shot(press("5"), lang="nl", about="Keys in Dutch"),
    # 7 Settings
    "settings": Shot(press("7"), about="Settings: printer, sender, label format, GLS test/live"),
    "settings-80x24": Shot(press("7"), SMALL, about="Settings on 80x24"),
    "settings-nl": Shot(press("7"), lang="nl", about="Settings in Dutch"),
    # 6 Help, support
    "guide": Shot(press("6"), about="Help: the installation guide"),
    "guide-80x24": Shot(press("6"), SMALL, about="The guide on 80x24"),
    "guide-nl": Shot(press("6"), lang="nl", about="The guide in Dutch"),
    "help": Shot(press("question_mark"), about="? help for the current screen"),
    "support": Shot(press("6", "s"), BUSY, world=support_world, about="Support: paths, doctor"),
    "support-80x24": Shot(press("6", "s"), SMALL, world=support_world, about="Support on 80x24"),
    "support-audit": Shot(
        press("6", "s", "a"), BUSY, world=support_world, about="Support: the audit log tab"
    ),
    "support-log": Shot(press("6", "s", "g"), BUSY, world=support_world, about="Support: log"),
    # Start
    "login": Shot(press(), world=login_world, about="Log in: passphrase of the key file"),
    "login-new": Shot(press(), world=login_new_world, about="First start: choose a passphrase"),
}


async def run_app(ctx: AppContext, name: str, shot: Shot) -> str:
    app = GlsApp(ctx)
    async with app.run_test(size=shot.size, notifications=True) as pilot:
        await shot.steps(pilot)
        await settle(pilot)
        await pilot.pause(0.1)  # the footer follows the highlighted row a refresh later
        svg = app.export_screenshot(title=f"glstui · {name}")
    # Keep the cells' leading no-break spaces: without this librsvg drops them and the
    # PNGs show "2Import", "nNew" and columns one cell off.
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def shoot(name: str, shot: Shot, out: Path) -> Path:
    # A fixed folder, so paths on screen (label files) are the same on every run.
    tmp = Path(tempfile.gettempdir()) / "glstui-screenshots"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(mode=0o700)
    try:
        with ExitStack() as stack:
            ctx = shot.world(shot.lang, tmp, stack)  # may run its own event loop
            svg = out / f"{name}.svg"
            svg.write_text(asyncio.run(run_app(ctx, name, shot)), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return svg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME")
    parser.add_argument("--list", action="store_true", help="print the names and stop")
    args = parser.parse_args(argv)
    if args.list:
        for name, shot in SHOTS.items():
            print(f"{name}: {shot.about} ({shot.size[0]}x{shot.size[1]}, {shot.lang})")
        return 0
    unknown = set(args.only or ()) - set(SHOTS)
    if unknown:
        parser.error(f"unknown screenshot(s): {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    consent.secrets.token_urlsafe = lambda n=32: FIXED_STATE  # type: ignore[assignment]
    rsvg = shutil.which("rsvg-convert")
    for name, shot in SHOTS.items():
        if args.only and name not in args.only:
            continue
        svg = shoot(name, shot, args.out)
        line = f"{svg.relative_to(ROOT) if svg.is_relative_to(ROOT) else svg}"
        if rsvg:
            # Text without anti-aliasing, like a terminal: a fifth of the size, still sharp
            # (at 1.25x, so bold letters such as "m" do not clog up).
            crisp = svg.read_text(encoding="utf-8").replace(
                "<svg ", '<svg text-rendering="optimizeSpeed" shape-rendering="crispEdges" ', 1
            )
            png = svg.with_suffix(".png")
            subprocess.run([rsvg, "-z", "1.25", "-o", str(png)], input=crisp.encode(), check=True)
            line += " + .png"
        print(line, flush=True)
    if not args.only:  # a full run: drop the pictures of screens no longer shot
        for old in sorted(args.out.glob("*.svg")) + sorted(args.out.glob("*.png")):
            if old.stem not in SHOTS:
                old.unlink()
                print(f"removed {old.name}")
    if not rsvg:
        print("rsvg-convert not found: only SVGs written (apt-get install librsvg2-bin)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
