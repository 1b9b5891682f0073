"""Settings (section 7), the portal's menu with GLS test/live, ? and ctrl+p, Keys, Dutch keys.

Pilot tests drive the app as an operator would; the snapshots show the Settings screen at
80x24 in English and Dutch (reviewed as PNG).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Static

from glstui.domain.settings import Settings
from glstui.services import audit, printing
from glstui.tui.app import GlsApp
from glstui.tui.screens.help import HelpModal, key_table
from glstui.tui.screens.keys import KeysScreen
from glstui.tui.screens.settings import SettingsScreen
from glstui.tui.widgets.confirm import ConfirmModal
from glstui.tui.widgets.section_bar import SectionBar, render_bar

SENDER = {
    "name": "Demo Webshop BV",
    "street": "Oudegracht",
    "house-no": "12",
    "zip-code": "3511 AB",
    "city": "Utrecht",
}


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def bar_text(app: GlsApp) -> str:
    return str(app.screen.query_one(SectionBar).render())


def fill(screen: SettingsScreen, **values: str) -> None:
    for name, value in values.items():
        screen.query_one(f"#{name}", Input).value = value


@pytest.fixture(autouse=True)
def printers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "known_printers", lambda lpstat="lpstat": ["Zebra1"])


@pytest.fixture
def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp.log"
    script = bindir / "lp"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\necho "request id is Zebra1-3"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


async def test_seven_opens_settings_and_one_to_six_keep_their_sections(make_ctx: Any) -> None:
    app = GlsApp(make_ctx())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        assert isinstance(app.screen, SettingsScreen)
        for key, mode in zip(
            "123456",
            ("integrations", "import", "orders", "statistics", "keys", "help"),
            strict=True,
        ):
            await pilot.press(key)
            assert app.current_mode == mode
        await pilot.press("f8")
        assert app.current_mode == "settings"


async def test_a_wrong_postcode_is_named_and_nothing_is_saved(make_ctx: Any) -> None:
    ctx = make_ctx()
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        fill(screen, **{f"sender-{k}": v for k, v in SENDER.items()})
        fill(screen, **{"sender-zip-code": "351 AB", "printer": "Zebra9"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(screen.query_one("#status", Static).render())
        assert status == "Not saved; check: Postcode, Printer."
        postcode = str(screen.query_one("#sender-zip-code-problem", Static).render())
        assert postcode.startswith("A Dutch postcode is 4 digits")
        printer = str(screen.query_one("#printer-problem", Static).render())
        assert printer == "CUPS does not know 'Zebra9'. Known: Zebra1."
        assert screen.query_one("#status").region.y < 23  # in view above the footer
        assert screen.query_one("#sender-zip-code").has_class("-problem")
        assert app.focused is screen.query_one("#sender-zip-code")
        assert ctx.settings() == Settings()
        assert audit.entries(ctx.store) == []


async def test_settings_are_saved_audited_and_a_test_label_prints(
    make_ctx: Any, fake_lp: Path
) -> None:
    ctx = make_ctx()
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        fill(screen, **{f"sender-{k}": v for k, v in SENDER.items()}, printer="Zebra1")
        await pilot.press("ctrl+t")
        assert "Save first" in str(screen.query_one("#status", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(screen.query_one("#status", Static).render()).startswith("Saved: Printer")
        assert ctx.settings().printer == "Zebra1"
        assert ctx.settings().sender.zip_code == "3511 AB"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Zebra1-3" in str(screen.query_one("#status", Static).render())
    assert fake_lp.read_text().split()[:2] == ["-d", "Zebra1"]
    actions = [e.action for e in audit.entries(ctx.store)]
    assert actions == [audit.SETTINGS_TEST_PRINT, audit.SETTINGS_CHANGED]


async def test_going_live_asks_first_and_every_bar_shows_it(make_ctx: Any) -> None:
    ctx = make_ctx()
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        assert bar_text(app).startswith(" GLS test ")
        await pilot.press("7")
        screen = app.screen
        live = [b for b in screen.query("#gls-environment RadioButton") if b.name == "live"]
        live[0].value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert app.focused is app.screen.query_one("#no")  # a danger modal: focus on No
        await pilot.press("y")
        await settle(pilot)
        assert ctx.settings().gls_environment == "live"
        assert bar_text(app).startswith(" GLS live ")
        await pilot.press("1")  # a screen made before the change follows it too
        assert bar_text(app).startswith(" GLS live ")


def test_the_bar_follows_the_portal_and_fits_80_columns() -> None:
    wide = render_bar("orders", "test", 120).plain
    assert wide.index("Ship") < wide.index("Statistics") < wide.index("Settings")
    assert wide.index("Settings") < wide.index("Support") < wide.index("Log out")
    for mode in ("integrations", "import", "orders", "statistics", "keys", "help", "settings"):
        narrow = render_bar(mode, "live", 80)
        assert narrow.cell_len <= 80 and narrow.plain.startswith(" GLS live ")


@pytest.mark.parametrize(
    ("key", "enter"), [("1", "Open the row under the cursor"), ("7", "Save (in a field)")]
)
async def test_help_lists_every_key_once_with_enter(
    make_ctx: Any, seed_shops: Any, key: str, enter: str
) -> None:
    ctx = make_ctx()
    seed_shops(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(key)
        await settle(pilot)
        if key == "1":
            await pilot.press("down")  # the list has the cursor: enter opens the shop
        console = Console(width=100, record=True)
        console.print(key_table(app.screen))
        lines = console.export_text().splitlines()
        keys = [line.split("  ")[0] for line in lines if line[:1].strip()]
        assert len(keys) == len(set(keys)), lines
        assert not {"1", "2", "f2"} & set(keys)  # the sections: one row, not seven more
        assert any(line.startswith("⏎") and enter in line for line in lines), lines
        text = " ".join(" ".join(lines).split())
        assert "1-7, F2-F8 Ship: 2 Import, 3 Orders · 4 Statistics · Settings: 1" in text
        assert "5 Keys, 7 General · 6 Support" in text
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpModal)


async def test_the_palette_names_the_screens_keys_and_every_section(make_ctx: Any) -> None:
    app = GlsApp(make_ctx())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Save settings", "Print a test label", "Back", "Log out"):
            assert title in titles
        assert {
            f"Go to {s}"
            for s in ("Integrations", "Import", "Orders", "Statistics", "Keys", "Help", "General")
        } <= set(titles)
        assert len(titles) == len(set(titles))


async def test_keys_never_show_a_password_and_read_back_the_customer_number(
    make_ctx: Any,
) -> None:
    ctx = make_ctx()
    ctx.secrets.set("gls.username", "warehouse-nl")
    ctx.secrets.set("gls.password", "Geheim-wachtwoord")
    ctx.secrets.set("gls.customer_no", "55001234")
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        screen = app.screen
        assert isinstance(screen, KeysScreen)
        password = screen.query_one("#gls-password", Input)
        assert (password.value, password.placeholder) == ("", "saved")
        assert screen.query_one("#gls-username", Input).placeholder == "saved, ends in e-nl"
        customer = screen.query_one("#gls-customer_no", Input)
        assert customer.value == "55001234" and not customer.password
        assert "api-portal.gls.nl" in str(screen.query_one("#gls-key-origin", Static).render())
        assert "api-portal.gls.nl" in screen.help_text()
        environment = screen.query_one("#gls-environment", Static)
        assert str(environment.render()) == "test (change it in Settings, key 7)"
        assert environment.region.height == 1
        await pilot.press("ctrl+s")  # nothing typed: the shown customer number is no change
        assert audit.entries(ctx.store) == []


async def test_dutch_confirm_takes_j_and_the_footer_says_spatie(make_ctx: Any) -> None:
    ctx = make_ctx(lang="nl")
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        from textual.binding import Binding

        assert app.get_key_display(Binding("space", "x")) == "spatie"
        answers: list[bool | None] = []
        app.push_screen(ConfirmModal("Doorgaan?"), answers.append)
        await pilot.pause()
        assert "(j)" in str(app.screen.query_one("#yes").render())
        await pilot.press("j")
        await pilot.pause()
    assert answers == [True]


async def test_the_saved_language_is_used_at_the_next_start(make_ctx: Any) -> None:
    ctx = make_ctx()
    with ctx.store.write() as tx:
        settings = tx.settings.get()
        settings.language = "nl"
        tx.settings.put(settings)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)):
        assert "Verzenden" in bar_text(app)
    english = GlsApp(ctx, lang="en")  # --lang wins for one run
    async with english.run_test(size=(80, 24)):
        assert "Ship" in bar_text(english)


SIZES = [pytest.param((80, 24), id="80x24")]


async def _open_settings(pilot: Pilot[Any]) -> None:
    await pilot.press("7")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    fill(screen, **{f"sender-{k}": v for k, v in SENDER.items()})
    fill(screen, **{"sender-zip-code": "351 AB"})
    await pilot.press("ctrl+s")
    await settle(pilot)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_snapshot_settings(snap_compare: Any, make_ctx: Any, lang: str) -> None:
    assert snap_compare(
        GlsApp(make_ctx(lang=lang)), terminal_size=(80, 24), run_before=_open_settings
    )


async def test_q_is_log_out_the_keys_are_forgotten_after_the_screen_closes(
    make_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar's last item: q quits, then run_app logs out as Support's l does."""
    from glstui.tui import app as app_module

    ctx = make_ctx()
    pressed: list[bool] = []

    async def press_q(self: GlsApp) -> None:
        async with self.run_test(size=(80, 24)) as pilot:
            await pilot.press("q")
        pressed.append(self.log_out_on_exit)

    def run(self: GlsApp, mouse: bool = True) -> None:
        import asyncio
        import threading

        thread = threading.Thread(target=lambda: asyncio.run(press_q(self)))
        thread.start()
        thread.join()

    monkeypatch.setattr(app_module.GlsApp, "run", run)
    assert app_module.run_app(ctx) == 0
    assert pressed == [True]
    assert [e.action for e in audit.entries(ctx.store)] == [audit.LOGOUT]


async def test_the_bar_follows_a_switch_made_by_another_operator(make_ctx: Any) -> None:
    ctx = make_ctx()
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        assert bar_text(app).startswith(" GLS test ")
        with ctx.store.write() as tx:  # another glstui on the same server
            settings = tx.settings.get()
            settings.gls_environment = "live"
            tx.settings.put(settings)
        app.check_store()
        await settle(pilot)
        assert bar_text(app).startswith(" GLS live ")
