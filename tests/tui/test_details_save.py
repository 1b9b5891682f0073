"""Details: ctrl+s says on the screen that it saved (not only in a toast that fades), in both
languages, and the note goes once the form is changed again."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Static

from glstui.services import integrations as svc
from glstui.tui.app import GlsApp
from glstui.tui.screens.details import DetailsScreen


def saved_line(app: GlsApp) -> str:
    return str(app.screen.query_one("#saved", Static).render())


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Saved 'Winkel NL' at 08:00; esc goes back to the list."),
        ("nl", "'Winkel NL' opgeslagen om 08:00; esc gaat terug naar de lijst."),
    ],
)
async def test_ctrl_s_says_on_the_screen_that_it_saved(
    make_ctx: Any, seed_shops: Any, lang: str, expected: str
) -> None:
    ctx = make_ctx(lang=lang)
    seed_shops(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        shop_id = app.screen.integration_id
        app.screen.query_one("#shop_name", Input).value = "  Winkel   NL "
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert svc.get(ctx.store, shop_id).shop_name == "Winkel NL"
        assert saved_line(app) == expected
        app.clear_notifications()
        await pilot.pause()
        assert saved_line(app) == expected  # still there: it does not fade like a toast

        app.screen.query_one("#shop_name", Input).value = "Winkel NL 2"
        await pilot.pause()
        assert saved_line(app) == ""  # changed again: no longer "saved"
