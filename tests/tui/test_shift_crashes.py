"""Crashes an operator met in one shift: each test does what they did, in a row, at 80x24."""

from __future__ import annotations

from typing import Any

from test_import_screen import open_import, sandbox, shop_ctx, summary  # noqa: F401
from textual import events

from glstui.tui.app import GlsApp


async def test_a_second_import_in_the_same_session_runs(shop_ctx: Any) -> None:  # noqa: F811
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        for _round in range(2):
            await pilot.press("s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not screen.running
            assert summary(screen).startswith("Import finished:")
        assert len(screen.query("#bar-overall")) == 1


async def test_q_and_a_section_key_at_once_quit_cleanly(shop_ctx: Any) -> None:  # noqa: F811
    """`q2` and `qs` typed fast: the key after q must not open a screen in a closing app."""
    for keys in (("q", "2"), ("q", "6", "s")):
        app = GlsApp(shop_ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            for key in keys:  # one burst, as a terminal delivers "q2": no wait between keys
                app.post_message(events.Key(key, key))
            await pilot.pause()
        assert app.return_code == 0, keys
