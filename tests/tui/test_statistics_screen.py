"""The Statistieken screen: periods, per-shop table, per-day charts, loud warnings.

Data: a seeded history (sandbox.history.generate_history) under the FixedClock of the
conftest, so the snapshots are the same on every machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from glstui.sandbox.history import generate_history
from glstui.services import stats
from glstui.services.context import AppContext
from glstui.tui.app import GlsApp
from glstui.tui.screens.statistics import StatisticsScreen
from glstui.tui.widgets.stats_chart import StatsChart, bar_rows, bar_widths, group

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def with_history(make_ctx: Callable[..., AppContext], lang: str = "en") -> AppContext:
    ctx = make_ctx(lang=lang)
    generate_history(ctx.store, ctx.clock, orders=700, days=100, seed=5)
    return ctx


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def press(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "keys", [pytest.param(("4",), id="week"), pytest.param(("4", "k"), id="quarter")]
)
def test_snapshot(snap_compare: Any, make_ctx: Any, keys: tuple[str, ...], size: Any) -> None:
    app = GlsApp(with_history(make_ctx))
    assert snap_compare(app, run_before=press(*keys), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dutch_shop_row(snap_compare: Any, make_ctx: Any, size: Any) -> None:
    app = GlsApp(with_history(make_ctx, lang="nl"))
    assert snap_compare(app, run_before=press("4", "m", "up"), terminal_size=size)


def test_snapshot_empty(snap_compare: Any, make_ctx: Any) -> None:
    app = GlsApp(make_ctx())
    assert snap_compare(app, run_before=press("4"), terminal_size=(80, 24))


async def test_period_keys_switch_the_numbers(make_ctx: Any) -> None:
    ctx = with_history(make_ctx)
    expected = stats.compute(ctx.store, ctx.clock)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatisticsScreen)
        table = screen.query_one(DataTable)

        def total_row() -> list[str]:
            return [str(c).strip() for c in table.get_row_at(table.row_count - 1)]

        for key, days in (("k", 90), ("m", 30), ("w", 7)):
            await pilot.press(key)
            await settle(pilot)
            total = expected.period(days).total
            row = total_row()
            assert row[0] == "Total"
            assert row[1:4] == [str(total.imported), str(total.labelled), str(total.confirmed)]
            chart = screen.query_one("#chart-imported", StatsChart)
            assert chart.values == total.imported_per_day
        # the charts follow the highlighted shop
        for _ in range(len(expected.period(7).shops)):
            await pilot.press("up")
        await settle(pilot)
        first = expected.period(7).shops[0]
        assert screen.query_one("#chart-imported", StatsChart).values == first.imported_per_day
        title = screen.query_one("#stats-chart-title", Static)
        assert first.shop_name in str(title.render())


async def test_warnings_are_shown_on_top(make_ctx: Any) -> None:
    ctx = with_history(make_ctx)
    report = stats.compute(ctx.store, ctx.clock)
    assert report.past_ship_by and report.reconsent_due  # the history has both
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        text = str(app.screen.query_one("#stats-warnings", Static).render())
        assert f"{report.past_ship_by} orders are past their latest ship date" in text
        assert "1 tracking confirmation was refused by Amazon" in text
        assert "Amazon DE: Amazon consent runs out in 13 days" in text


def test_bars_start_at_zero_and_group_days() -> None:
    assert bar_rows([0, 4, 8], height=1) == [" ▄█"]
    assert bar_rows([1, 1], height=2) == ["██", "██"]
    assert bar_rows([4, 8], height=1, widths=[2, 3], gap=1) == ["▄▄ ███"]
    assert group(list(range(90)), 30) == ([sum(range(i, i + 3)) for i in range(0, 90, 3)], 3)
    assert group([1, 2, 3], 10) == ([1, 2, 3], 1)


@pytest.mark.parametrize("count", [1, 7, 10, 30, 38])
@pytest.mark.parametrize("width", [20, 38, 57])
def test_bars_fill_the_whole_chart_width(count: int, width: int) -> None:
    columns, _step = group(list(range(1, count + 1)), width)
    widths, gap = bar_widths(len(columns), width)
    assert sum(widths) + gap * (len(columns) - 1) == width
    assert max(widths) - min(widths) <= 1  # no bar visibly fatter than another
    rows = bar_rows(columns, 3, widths, gap)
    assert all(len(row) == width for row in rows)
    assert rows[-1][0] != " " and rows[-1][-1] != " "  # first and last bar at the edges


async def test_week_chart_spreads_bars_with_iso_dates_under_first_and_last(
    make_ctx: Any,
) -> None:
    app = GlsApp(with_history(make_ctx))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        chart = app.screen.query_one("#chart-imported", StatsChart)
        width = chart.content_size.width
        lines = chart.render().plain.splitlines()
        bottom_bar, dates = lines[-2], lines[-1]
        assert len(bottom_bar) == width and bottom_bar[0] != " " and bottom_bar[-1] != " "
        assert dates.startswith("11-21") and dates.endswith("11-27") and len(dates) == width
        head = str(app.screen.query_one("#stats-head", Static).render())
        assert "2026-11-21 – 2026-11-27" in head
        warnings = str(app.screen.query_one("#stats-warnings", Static).render())
        assert "(oldest 2026-11-" in warnings


async def test_a_shop_name_with_markup_is_shown_literally(make_ctx: Any) -> None:
    """`[/]` once crashed Statistics (MarkupError) and `[bold]x` rendered bold."""
    from glstui.services import integrations as shops

    ctx = with_history(make_ctx)
    odd = "Bad [/] name [bold]x"
    first = stats.compute(ctx.store, ctx.clock).period(7).shops[0]
    shops.update(ctx.store, first.integration_id, shop_name=odd)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatisticsScreen)
        table = screen.query_one(DataTable)
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert odd in names
        table.move_cursor(row=names.index(odd))
        await settle(pilot)
        title = screen.query_one("#stats-chart-title", Static)
        assert odd in str(title.render())


async def test_chart_heading_and_axes_name_the_same_days_per_bar(make_ctx: Any) -> None:
    """90 days at 80 columns do not fit one bar a day: heading and every chart agree."""
    app = GlsApp(with_history(make_ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        heading = str(app.screen.query_one("#stats-chart-title", Static).render())
        steps = {chart.render().plain.splitlines()[-1] for chart in app.screen.query(StatsChart)}
        assert heading.startswith("Per ") and heading.split()[1].isdigit(), heading
        n = int(heading.split()[1])
        assert all(f"per {n} days" in line for line in steps), (heading, steps)
        await pilot.press("w")
        await settle(pilot)
        heading = str(app.screen.query_one("#stats-chart-title", Static).render())
        assert heading.startswith("Per day:")


async def test_the_columns_are_explained_on_screen_and_in_help(make_ctx: Any) -> None:
    from glstui.tui.screens.help import HelpModal

    app = GlsApp(with_history(make_ctx, lang="nl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        line = str(screen.query_one("#stats-columns", Static).render())
        assert "Mediaan: import→label" in line and "Laat: te laat" in line
        assert len(line) <= 78  # one line at 80 columns
        assert "Mediaan = de middelste tijd van import tot eerste label" in screen.help_text()
        table = screen.query_one(DataTable)
        median = str(table.get_row_at(table.row_count - 1)[4]).strip()
        assert median.endswith(" u"), median  # hours in Dutch
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpModal)


@pytest.mark.parametrize(
    ("lang", "hours", "shown"),
    [
        ("en", 0.4, "24 min"),
        ("en", 0.001, "< 1 min"),
        ("en", 2.25, "2.2 h"),
        ("nl", 2.25, "2,2 u"),
        ("nl", 17.4, "17 u"),
    ],
)
def test_median_time_to_label_reads_naturally(lang: str, hours: float, shown: str) -> None:
    from glstui.i18n import set_language
    from glstui.tui.screens.statistics import _hours

    set_language(lang)
    assert _hours(hours) == shown


@pytest.mark.parametrize("lang", ["en", "nl"])
async def test_a_median_under_a_minute_is_not_cut_at_80_columns(
    make_ctx: Callable[..., AppContext], lang: str
) -> None:
    """Found in the 80x24 walk: a shop labelled right after its import showed "< 1 mi"."""
    from glstui.i18n import set_language

    app = GlsApp(with_history(make_ctx, lang=lang))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        set_language(lang)
        from glstui.tui.screens.statistics import _hours

        width = table.columns["median"].width  # type: ignore[index]
        assert width >= len(_hours(0.0)) and width >= len(_hours(59 / 60))
