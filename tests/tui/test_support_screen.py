"""The Support screen: paths, secret store, doctor, log tail, audit log, bundle, log out.

Deterministic: HOME is the test's tmp dir (paths show as ~/data0), the version is fixed, the
log file and the audit entries are written by the test, the doctor runs without network.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from glstui import config
from glstui.logs import _registry, register_sensitive
from glstui.secrets import Secrets
from glstui.services import audit
from glstui.services.context import AppContext
from glstui.tui.app import GlsApp
from glstui.tui.screens import support
from glstui.tui.screens.support import SupportScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LOG = """\
2026-11-27 07:58:01,101 INFO glstui.import: import started: 2 shops
2026-11-27 07:58:03,412 INFO glstui.import: Amazon NL: page 1, 14 orders (3 new)
2026-11-27 07:58:03,950 WARNING glstui.amazon: token answer {"refresh_token": "Atzr|IwEBleaked"}
2026-11-27 07:58:04,020 INFO glstui.import: mail from buyer jan@example.com
2026-11-27 07:58:05,777 ERROR glstui.labels: Order 302-1234567-7654321: GLS refused the postcode
2026-11-27 07:59:00,000 INFO glstui.outbox: 3 confirmations sent to Amazon
"""


@pytest.fixture
def support_ctx(
    make_ctx: Callable[..., AppContext], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., AppContext]:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(support, "VERSION", "9.9.9")

    def make(lang: str = "en", secrets: Secrets | None = None) -> AppContext:
        ctx = make_ctx(lang=lang, secrets=secrets)
        ctx.data_dir.chmod(0o700)
        if not ctx.secrets.locked:
            for name, value in (
                ("gls.username", "warehouse"),
                ("gls.password", "S3cret-GLS-pass!"),
                ("gls.subscription_key", "0123456789abcdef"),
            ):
                ctx.secrets.set(name, value)
        logs = config.log_dir(ctx.data_dir)
        (logs / "glstui.log").write_text(LOG, encoding="utf-8")
        with ctx.store.write() as tx:
            for n, (user, action, detail) in enumerate(
                [
                    ("anna", audit.INTEGRATION_ADDED, "Amazon NL"),
                    ("anna", audit.KEYS_CHANGED, "gls.password"),
                    ("bram", audit.INTEGRATION_TOGGLED, "Amazon NL: active off"),
                    ("cron", audit.IMPORT_RUN, "2 shops, 14 orders, 3 new"),
                    ("bram", audit.LABEL_CREATED, "order 302-1234567-7654321, 1 parcel"),
                ]
            ):
                ctx.clock.advance(60 * (n + 1))
                audit.record(tx, action, detail, user=user)
        ctx.clock.advance(60)
        return ctx

    return make


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def open_support(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.app.push_screen(SupportScreen())
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_overview(snap_compare: Any, support_ctx: Any, size: Any) -> None:
    assert snap_compare(GlsApp(support_ctx()), run_before=open_support(), terminal_size=size)


def test_snapshot_audit_filtered(snap_compare: Any, support_ctx: Any) -> None:
    run = open_support("slash", "b", "r", "a", "m", "enter")
    assert snap_compare(GlsApp(support_ctx()), run_before=run, terminal_size=(80, 24))


def test_snapshot_log_dutch(snap_compare: Any, support_ctx: Any) -> None:
    app = GlsApp(support_ctx(lang="nl"))
    assert snap_compare(app, run_before=open_support("g"), terminal_size=(120, 40))


async def test_the_log_tail_is_redacted(support_ctx: Any) -> None:
    app = GlsApp(support_ctx())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_support("g")(pilot)
        text = "\n".join(app.screen.log_lines)
        assert text in str(app.screen.query_one("#support-log", Static).render())
        assert "3 confirmations sent to Amazon" in text
        assert "IwEBleaked" not in text and "jan@example.com" not in text


async def test_doctor_lines_and_facts(support_ctx: Any) -> None:
    app = GlsApp(support_ctx())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_support()(pilot)
        facts = str(app.screen.query_one("#support-facts", Static).render())
        assert "~/data0/logs" in facts and "in-memory (demo)" in facts and "9.9.9" in facts
        doctor = str(app.screen.query_one("#support-doctor", Static).render())
        assert "PASS  Secret store in use: in-memory (demo)" in doctor
        assert "S3cret" not in doctor


async def test_export_writes_a_bundle_and_records_it(support_ctx: Any) -> None:
    ctx = support_ctx()
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_support("e")(pilot)
        await settle(pilot)
        (bundle,) = (ctx.data_dir / "support").glob("glstui-support-*.zip")
        with zipfile.ZipFile(bundle) as zf:
            everything = b"".join(zf.read(n) for n in zf.namelist())
        assert b"S3cret-GLS-pass!" not in everything and b"IwEBleaked" not in everything
        assert audit.entries(ctx.store, action=audit.SUPPORT_BUNDLE)
        table = app.screen.query_one("#audit", DataTable)
        assert "support.bundle" in str(table.get_row_at(0)[2])


async def test_log_out_locks_the_secrets_and_quits(support_ctx: Any, tmp_path: Path) -> None:
    secrets = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})
    secrets.unlock("a long passphrase for the test")
    ctx = support_ctx(secrets=secrets)
    register_sensitive("Buyer Name For Registry")
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_support("l")(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert app.return_code == 0
    assert secrets.locked
    assert "Buyer Name For Registry" not in _registry
    assert audit.entries(ctx.store, action=audit.LOGOUT)


async def test_log_out_can_be_cancelled(support_ctx: Any) -> None:
    ctx = support_ctx()
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_support("l", "n")(pilot)
        assert isinstance(app.screen, SupportScreen)
    assert not audit.entries(ctx.store, action=audit.LOGOUT)


@pytest.mark.parametrize(("lang", "shown"), [("en", "11-27 08:01"), ("nl", "27-11 08:01")])
async def test_the_audit_log_dates_read_as_everywhere_else(
    support_ctx: Any, lang: str, shown: str
) -> None:
    """English MM-DD, Dutch DD-MM (glstui.i18n.date_text), as the other screens."""
    app = GlsApp(support_ctx(lang=lang))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_support("a")(pilot)
        table = app.screen.query_one("#audit", DataTable)
        times = [str(table.get_row_at(n)[0]) for n in range(table.row_count)]
        assert times[-1] == shown
