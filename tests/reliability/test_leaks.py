"""After a whole day's flow on the sandbox (connect, import, label, confirm, support bundle),
look for secrets and buyer data where they must not be.

Secrets (LWA client secret, refresh and access tokens, GLS password and subscription key):
not in the store files, the logs, the support bundle or screenshots of the screens.
Buyer data (name, street, phone, e-mail): not in the logs or the support bundle (the store
holds it on purpose until the retention purge). The store file is mode 0600.
"""

from __future__ import annotations

import html
import re
import stat
import zipfile
from pathlib import Path

import pytest
from test_labels_world import make_world

from glstui import config
from glstui.logs import setup_logging
from glstui.sandbox import DEMO_CLIENT_SECRET
from glstui.sandbox.gls import GLS_DEMO_PASSWORD, GLS_DEMO_SUBSCRIPTION_KEY
from glstui.services import connect, diagnostics, labelling, outbox

TUI_TESTS = Path(__file__).resolve().parents[1] / "tui"


def _texts(paths) -> dict[str, str]:
    return {str(p): p.read_bytes().decode("utf-8", "replace") for p in paths if p.is_file()}


def _bundle_texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {f"bundle:{n}": zf.read(n).decode("utf-8", "replace") for n in zf.namelist()}


def _find(needles: set[str], haystacks: dict[str, str]) -> list[tuple[str, str]]:
    return [(where, n) for where, text in haystacks.items() for n in needles if n in text]


@pytest.fixture
async def flow(make_sandbox, tmp_path):
    """The whole flow; returns (world, secrets seen, buyer data seen, bundle path)."""
    from test_flows import approve_in_browser

    sandbox = make_sandbox(seed=3, orders=30, time_scale=60.0, arrivals_per_hour=0)
    world = make_world(sandbox, tmp_path / "data")
    setup_logging(config.log_dir(world.ctx.data_dir))
    # connect a second seller's shop the way an operator does: consent link, browser, paste
    # back (the world's own seller is connected already, and one seller is one shop)
    pending = connect.start(world.ctx, "EU", ["A1805IZSGTT6HS"], "Leak test shop")
    redirect = await approve_in_browser(pending.request.url, seller="A2GLSDEMOSHOP7")
    shop = await connect.finish(world.ctx, pending, redirect)
    keys = await world.import_orders()
    world.keys_shown = world.order(keys[-1]).order_id  # still open: listed on the orders screen
    await labelling.create_labels(world.ctx, keys[:5], world.report)
    await outbox.deliver_pending(world.ctx, world.report)
    bundle = diagnostics.export_bundle(world.ctx)

    secrets = {
        DEMO_CLIENT_SECRET,
        GLS_DEMO_PASSWORD,
        GLS_DEMO_SUBSCRIPTION_KEY,
        world.ctx.refresh_token(world.shop.id),
        world.ctx.refresh_token(shop.id),
        *sandbox.amazon._access,  # every access token the sandbox handed out
    }
    buyer: set[str] = set()
    for order in world.orders().values():
        r = order.recipient
        if r is not None:
            buyer |= {r.name, r.phone, r.email, *r.address_lines}
    buyer = {b for b in buyer if b and len(b) >= 6}
    assert len(secrets) >= 6 and len(buyer) >= 20
    yield world, secrets, buyer, bundle.path
    setup_logging(config.log_dir(tmp_path / "elsewhere"))  # let go of this test's log file


async def test_no_secret_in_store_logs_or_bundle_and_no_buyer_data_in_logs(flow):
    world, secrets, buyer, bundle = flow
    data = world.ctx.data_dir
    store_files = _texts(p for p in data.rglob("*.json*") if "labels" not in p.parts)
    logs = _texts(config.log_dir(data).rglob("*"))
    assert logs and any(text.strip() for text in logs.values()), "nothing was logged"
    bundled = _bundle_texts(bundle)

    assert _find(secrets, store_files) == []
    assert _find(secrets, logs) == []
    assert _find(secrets, bundled) == []
    assert _find(buyer, logs) == []
    assert _find(buyer, bundled) == []
    # what the services reported on screen (the live log) holds no secret either
    assert _find(secrets, {"live log": "\n".join(world.lines())}) == []

    hot = data / "glstui.json"
    assert stat.S_IMODE(hot.stat().st_mode) == 0o600
    for path in data.rglob("*.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600


@pytest.mark.parametrize("section", ["1", "3", "5"], ids=["integrations", "orders", "keys"])
async def test_no_secret_on_screen(flow, section, monkeypatch):
    from glstui.tui.app import GlsApp

    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    world, secrets, buyer, _bundle = flow
    app = GlsApp(world.ctx)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press(section)
        await app.workers.wait_for_complete()
        await pilot.pause()
        svg = app.export_screenshot()
    shown = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
    title = {"1": "Integrations", "3": world.keys_shown, "5": "Keys"}[section]
    assert title in shown  # the screen is really there
    assert _find(secrets, {"screen": shown}) == []
    # not even the last characters of a secret (the Keys screen showed "ends in word")
    assert _find({f"ends in {s[-4:]}" for s in secrets}, {"screen": shown}) == []
    if section != "3":  # the orders screen shows the recipient on purpose
        assert _find(buyer, {"screen": shown}) == []
