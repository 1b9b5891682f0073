"""The shipping rules screen as an operator drives it: build rules, reorder, see the preview move.

Snapshots (80x24 and 120x40) of the rule list with its preview, the rule editor with an inline
error, and the SKU weights screen after a CSV with bad rows. Regenerate after a deliberate
change: pytest tests/tui/test_rules_screen.py --snapshot-update, then look at the SVGs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input

from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import Order, OrderItem, Recipient
from glstui.domain.rules import Actions, Conditions, Rule
from glstui.services import rules as svc
from glstui.tui.app import GlsApp
from glstui.tui.screens.help import key_table
from glstui.tui.screens.rules import RuleEditScreen, RulesScreen
from glstui.tui.screens.sku_weights import SkuWeightsScreen
from glstui.tui.widgets.confirm import ConfirmModal

NOW = datetime(2026, 11, 27, 8, 0, 0, tzinfo=UTC)  # the FixedClock of tests/tui/conftest.py
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SHOP = "shop0001"
COUNTRIES = ("NL", "BE", "DE", "NL", "FR", "NL", "NL")


def seed(ctx: Any, rules: list[Rule] | None = None) -> None:
    orders = []
    for n in range(14):
        country = COUNTRIES[n % len(COUNTRIES)]
        orders.append(
            Order(
                integration_id=SHOP,
                order_id=f"302-{4000000 + n:07d}-{5000000 + n * 7:07d}",
                marketplace_id="A1805IZSGTT6HS",
                items=[OrderItem(f"i{n}", ("MUG-01", "LAMP-20", "BOOK-3")[n % 3], "x", 1 + n % 2)],
                recipient=Recipient(postal_code=("1011AB", "8891AB")[n % 2], country_code=country),
                country_code=country,
                service_level="NextDay" if n % 4 == 0 else "Standard",
                is_prime=n % 3 == 0,
                order_total=f"{20 + n * 9}.95",
                imported_at=NOW - timedelta(minutes=n),
            )
        )
    with ctx.store.write() as tx:
        tx.integrations.put(
            Integration(
                shop_name="Amazon NL",
                id=SHOP,
                status=CONNECTED,
                marketplace_ids=["A1805IZSGTT6HS"],
                rules_enabled=True,
                rules=[r.to_dict() for r in rules or []],
            )
        )
        tx.orders.put_many(orders)
        settings = tx.settings.get()
        settings.sku_weights = {"MUG-01": 0.45, "LAMP-20": 3.2, "BOOK-3": 0.8}
        tx.settings.put(settings)


def rule(name: str, **kw: Any) -> Rule:
    cond = {k: v for k, v in kw.items() if k in Conditions.__dataclass_fields__}
    act = {k: v for k, v in kw.items() if k in Actions.__dataclass_fields__}
    return Rule(name=name, conditions=Conditions(**cond), actions=Actions(**act))


SAMPLE_RULES = [
    rule("Prime next day", prime=True, service_levels=["NextDay"], countries=["NL"], express="t12"),
    rule(
        "Wadden islands",
        countries=["NL"],
        postcodes=["8881-8899"],
        hold=True,
        hold_reason="Boat: check date",
    ),
    rule("Belgium", countries=["BE"], saturday=True, label_format="zpl"),
    rule("No France", countries=["FR"], skip=True),
]


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_rules(pilot: Pilot[Any]) -> RulesScreen:
    await pilot.pause()
    screen = RulesScreen(SHOP)
    pilot.app.push_screen(screen)
    await settle(pilot)
    await settle(pilot)
    return screen


def preview_rules(screen: RulesScreen) -> list[str]:
    return [row.rule_name for row in screen.preview_rows]


async def type_into(pilot: Pilot[Any], widget_id: str, text: str, keys: bool = False) -> None:
    """Fill a field: key by key when `keys`, else at once (same Changed events, faster)."""
    box = pilot.app.screen.query_one(f"#{widget_id}", Input)
    box.value = ""
    box.focus()
    await pilot.pause()
    if keys:
        for ch in text:
            await pilot.press("space" if ch == " " else ch)
    else:
        box.value = text
    await pilot.pause()


# --- Pilot -------------------------------------------------------------------------------------


async def test_build_two_rules_reorder_and_preview_follows(make_ctx: Any) -> None:
    ctx = make_ctx()
    seed(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rules(pilot)
        assert set(preview_rules(screen)) == {"default"}

        # rule 1: every NL order -> Saturday
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RuleEditScreen)
        await type_into(pilot, "name", "NL Saturday", keys=True)
        await type_into(pilot, "conditions-countries", "nl")
        await pilot.press("ctrl+s")  # Saturday is still off: saved, then switched on below
        await settle(pilot)
        assert app.screen is screen
        assert [r.name for r in svc.get_rules(ctx.store, SHOP)[1]] == ["NL Saturday"]
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#actions-saturday").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)

        # rule 2: prime orders -> express 12:00
        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "name", "Prime express")
        app.screen.query_one("#conditions-prime").value = "yes"
        app.screen.query_one("#actions-express").value = "t12"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert [r.name for r in screen.rules] == ["NL Saturday", "Prime express"]
        before = preview_rules(screen)
        first = "302-4000000"  # NL, prime, NextDay
        rows = screen.preview_rows
        nl_prime = next(i for i, r in enumerate(rows) if r.order_id.startswith(first))
        assert before[nl_prime] == "NL Saturday"  # an NL prime order: the first rule wins

        await pilot.press("shift+up")  # move "Prime express" to the top: saved at once
        await settle(pilot)
        assert [r.name for r in screen.rules] == ["Prime express", "NL Saturday"]
        stored_names = [r.name for r in svc.get_rules(ctx.store, SHOP)[1]]
        assert stored_names == ["Prime express", "NL Saturday"]
        after = preview_rules(screen)
        assert after[nl_prime] == "Prime express"
        assert after != before
        assert screen.preview_rows[nl_prime].decision.services == {"expressService": "t12"}

        await pilot.press("shift+down")  # and back down again
        await settle(pilot)
        assert preview_rules(screen) == before
    _enabled, stored = svc.get_rules(ctx.store, SHOP)
    assert [r.name for r in stored] == ["NL Saturday", "Prime express"]
    assert stored[0].actions.saturday


async def test_editor_shows_errors_inline_and_refuses_to_save(make_ctx: Any) -> None:
    ctx = make_ctx()
    seed(ctx)
    async with GlsApp(ctx).run_test(size=(80, 24)) as pilot:
        await open_rules(pilot)
        await pilot.press("n")
        await settle(pilot)
        editor = pilot.app.screen
        await type_into(pilot, "conditions-countries", "NL, XX")
        await type_into(pilot, "actions-parcels", "12")
        error = editor.query_one("#err-conditions-countries")
        assert "'XX' is not a country code" in str(error.render())
        assert "1 to 10" in str(editor.query_one("#err-actions-parcels").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is editor  # not saved
        assert editor.focused is editor.query_one("#conditions-countries")
    assert svc.get_rules(ctx.store, SHOP)[1] == []


async def test_space_and_delete_are_saved_at_once_and_esc_just_leaves(make_ctx: Any) -> None:
    ctx = make_ctx()
    seed(ctx, SAMPLE_RULES[:2])
    async with GlsApp(ctx).run_test(size=(80, 24)) as pilot:
        before = pilot.app.screen
        screen = await open_rules(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert not screen.rules[0].enabled
        assert not svc.get_rules(ctx.store, SHOP)[1][0].enabled  # saved, no ctrl+s

        await pilot.press("d")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal)
        assert modal.focused is modal.query_one("#no", Button)
        await pilot.press("enter")  # No
        await settle(pilot)
        assert len(screen.rules) == 2
        await pilot.press("d", "y")
        await settle(pilot)
        assert [r.name for r in screen.rules] == ["Wadden islands"]
        assert [r.name for r in svc.get_rules(ctx.store, SHOP)[1]] == ["Wadden islands"]

        await pilot.press("escape")  # nothing unsaved: no question
        await settle(pilot)
        assert pilot.app.screen is before


async def test_reapply_after_save_holds_the_waiting_orders(make_ctx: Any) -> None:
    ctx = make_ctx()
    seed(ctx, SAMPLE_RULES)
    async with GlsApp(ctx).run_test(size=(80, 24)) as pilot:
        await open_rules(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    with ctx.store.read() as view:
        held = [o for o in view.orders.by_integration(SHOP) if o.state == "held"]
    reasons = {o.hold_reason for o in held}
    assert "Boat: check date" in reasons
    assert any("skips orders like this one" in r for r in reasons)


async def test_sku_weights_csv_import_lists_bad_rows(make_ctx: Any, tmp_path: Path) -> None:
    ctx = make_ctx()
    seed(ctx)
    path = tmp_path / "weights.csv"
    path.write_text("sku;gewicht\nMUG-01;0,5\nNEW-9;1,25\nBAD;zwaar\n", encoding="utf-8")
    async with GlsApp(ctx).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = SkuWeightsScreen()
        pilot.app.push_screen(screen)
        await settle(pilot)
        await pilot.press("i")
        screen.query_one("#csv-path", Input).value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert "line 4: 'zwaar' is not a weight in kg" in str(
            screen.query_one("#csv-problems").render()
        )
        assert screen.query_one("#weights-table", DataTable).row_count == 4
    assert svc.load_weights(ctx.store)[0]["MUG-01"] == 0.5


async def test_editor_saves_the_rule_with_one_key(make_ctx: Any) -> None:
    """ctrl+s in the editor stores the rule: leaving the list at once keeps it."""
    ctx = make_ctx()
    seed(ctx, SAMPLE_RULES[:1])
    async with GlsApp(ctx).run_test(size=(80, 24)) as pilot:
        before = pilot.app.screen
        await open_rules(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await type_into(pilot, "actions-parcels", "2")
        await pilot.press("ctrl+s", "escape")
        await settle(pilot)
        assert pilot.app.screen is before
    assert svc.get_rules(ctx.store, SHOP)[1][0].actions.parcels == 2


def footer_keys(screen: Any) -> list[tuple[str, str]]:
    """(key, description) of every key the footer shows, as drawn."""
    from textual.widgets._footer import FooterKey

    return [(k.key_display, k.description) for k in screen.query(FooterKey)]


async def test_keys_to_move_a_rule_are_shown_and_the_footer_is_dutch(make_ctx: Any) -> None:
    ctx = make_ctx(lang="nl")
    seed(ctx, SAMPLE_RULES)
    async with GlsApp(ctx).run_test(size=(80, 24)) as pilot:
        screen = await open_rules(pilot)
        keys = footer_keys(screen)
        assert ("shift+↑↓", "Schuif") in keys
        assert ("spatie", "Aan/uit") in keys
        assert ("enter", "Wijzig") in keys
        assert not any(d == "Opslaan" for _k, d in keys)  # one save: in the editor only
        table = key_table(screen)  # what ? lists
        rows = list(zip(table.columns[0].cells, table.columns[1].cells, strict=True))
        assert ("shift+↑↓", "Schuif") in rows
        assert ("enter", "Wijzig") in rows
        assert len(rows) == len(set(rows))
        await pilot.press("enter")
        await settle(pilot)
        assert ("^s", "Opslaan") in footer_keys(pilot.app.screen)
        field = pilot.app.screen.query_one("#conditions-marketplaces", Input)
        assert field.placeholder == "bijv. NL, DE"


async def test_dutch_decisions_write_a_decimal_comma(make_ctx: Any) -> None:
    ctx = make_ctx(lang="nl")
    seed(ctx, SAMPLE_RULES)
    async with GlsApp(ctx).run_test(size=(120, 40)) as pilot:
        screen = await open_rules(pilot)
        table = screen.query_one("#preview-table", DataTable)
        cells = " ".join(str(c) for r in range(table.row_count) for c in table.get_row_at(r))
        assert "0,45 kg" in cells and "0.45 kg" not in cells


async def test_dutch_sku_weights_write_a_decimal_comma_and_uncut_labels(make_ctx: Any) -> None:
    ctx = make_ctx(lang="nl")
    seed(ctx)
    async with GlsApp(ctx).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = SkuWeightsScreen()
        pilot.app.push_screen(screen)
        await settle(pilot)
        table = screen.query_one("#weights-table", DataTable)
        weights = [str(table.get_row_at(r)[1]) for r in range(table.row_count)]
        assert weights == ["0,8", "3,2", "0,45"]
        column = next(c for c in table.columns.values() if c.key.value == "kg")
        assert str(column.label) == "kg per artikel" and column.width >= len("kg per artikel")
        label = screen.query_one(".lbl")
        assert label.size.width >= len("CSV-bestand")


# --- snapshots -----------------------------------------------------------------------------------


async def rules_list(pilot: Pilot[Any]) -> None:
    await open_rules(pilot)


async def rule_editor(pilot: Pilot[Any]) -> None:
    await open_rules(pilot)
    await pilot.press("down", "e")
    await settle(pilot)
    box = pilot.app.screen.query_one("#conditions-postcodes", Input)
    box.value = "8881-8899, 9%"
    await settle(pilot)


async def empty_rules(pilot: Pilot[Any]) -> None:
    await open_rules(pilot)


async def weights_errors(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    screen = SkuWeightsScreen()
    pilot.app.push_screen(screen)
    await settle(pilot)
    result = svc.import_weights_csv(
        pilot.app.ctx.store, "sku;gewicht\nMUG-01;0,5\n;1\nBAD;zwaar\nMUG-01;0,55\n"
    )
    screen.show_result(result, "")
    await settle(pilot)


SCENES = {
    "rules_list": (rules_list, SAMPLE_RULES),
    "rule_editor": (rule_editor, SAMPLE_RULES),
    "empty_rules": (empty_rules, []),
    "weights_errors": (weights_errors, []),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene", list(SCENES))
def test_snapshot(snap_compare: Any, make_ctx: Any, scene: str, size: Any) -> None:
    before, rules = SCENES[scene]
    ctx = make_ctx()
    seed(ctx, rules)
    assert snap_compare(GlsApp(ctx), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dutch(snap_compare: Any, make_ctx: Any, size: Any) -> None:
    ctx = make_ctx(lang="nl")
    seed(ctx, SAMPLE_RULES)
    assert snap_compare(GlsApp(ctx), terminal_size=size, run_before=rules_list)
