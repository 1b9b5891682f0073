"""What every screen looks like, at 80x24 (the SSH minimum) and 120x40, in English and Dutch.

Regenerate after a deliberate change: pytest tests/tui/test_snapshots.py --snapshot-update,
then look at the SVGs (tests/tui/make_screenshots.py makes PNGs of the same screens).
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Static

from glstui.secrets import Secrets
from glstui.tui.app import GlsApp
from glstui.tui.screens.help import key_table

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

Before = Callable[[Pilot[Any]], Awaitable[None]]


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def keys(*pressed: str) -> Before:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


async def details_name_error(pilot: Pilot[Any]) -> None:
    await keys("down", "enter")(pilot)
    box = pilot.app.screen.query_one("#shop_name", Input)
    box.value = "amazon a3pnjav4cvi5v1 "
    await settle(pilot)


async def add_then_connect(pilot: Pilot[Any]) -> None:
    await keys("n", "ctrl+s")(pilot)


async def connect_wrong_paste(pilot: Pilot[Any]) -> None:
    await keys("down", "down", "down", "c")(pilot)
    box = pilot.app.screen.query_one("#paste", Input)
    box.value = "https://example.com/redirect?state=wrong&spapi_oauth_code=ANabc123456789"
    await pilot.press("enter")
    await settle(pilot)


SCREENS: dict[str, Before] = {
    "integrations": keys("down"),
    "filter": keys("slash", "w", "i", "n"),
    "details": keys("down", "enter"),
    "details_name_error": details_name_error,
    "add_shop": keys("n"),
    "connect": add_then_connect,
    "connect_error": connect_wrong_paste,
    "delete_modal": keys("down", "d"),
    "backoffice": keys("b"),
    "keys": keys("5"),
    "help_modal": keys("question_mark"),
    "help_guide": keys("6"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(
    snap_compare: Any, make_ctx: Any, seed_shops: Any, fixed_state: str, screen: str, size: Any
) -> None:
    ctx = make_ctx()
    seed_shops(ctx)
    assert snap_compare(GlsApp(ctx), terminal_size=size, run_before=SCREENS[screen])


DUTCH = ["integrations", "details", "connect", "keys", "delete_modal", "help_modal"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", DUTCH)
def test_screen_dutch(
    snap_compare: Any, make_ctx: Any, seed_shops: Any, fixed_state: str, screen: str, size: Any
) -> None:
    ctx = make_ctx(lang="nl")
    seed_shops(ctx)
    assert snap_compare(GlsApp(ctx), terminal_size=size, run_before=SCREENS[screen])


@pytest.mark.parametrize("size", SIZES)
def test_empty_list(snap_compare: Any, make_ctx: Any, size: Any) -> None:
    assert snap_compare(GlsApp(make_ctx()), terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", SIZES)
def test_login_screen(snap_compare: Any, make_ctx: Any, tmp_path: Any, size: Any) -> None:
    secrets = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})
    secrets.unlock("correct horse")
    locked = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})
    ctx = make_ctx(secrets=locked, app_keys=False)
    ctx.secrets.store_name = "encrypted file /srv/glstui/secrets.cfg"
    assert snap_compare(GlsApp(ctx), terminal_size=size, run_before=keys())


async def test_login_names_the_key_file_once(make_ctx: Any, tmp_path: Any) -> None:
    secrets = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})
    secrets.unlock("correct horse")
    locked = Secrets.encrypted_file(tmp_path / "secrets.cfg", env={})
    app = GlsApp(make_ctx(secrets=locked, app_keys=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
    assert f"The keys are in an encrypted file: {tmp_path / 'secrets.cfg'}" in text
    assert text.count("encrypted file") == 1


async def test_help_lists_tab_keys_in_words_not_textual_names(make_ctx: Any) -> None:
    for lang, expected in (("en", "Next / previous field"), ("nl", "Volgend / vorig veld")):
        app = GlsApp(make_ctx(lang=lang))
        async with app.run_test(size=(120, 40)) as pilot:
            await keys("question_mark")(pilot)
            console = Console(width=120, record=True, file=io.StringIO())
            console.print(key_table(app.screen.for_screen))  # type: ignore[attr-defined]
            text = console.export_text()
        assert "Focus Next" not in text and "Focus Previous" not in text
        assert expected in text
