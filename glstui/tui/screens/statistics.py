"""Statistics ("Statistieken"): imported, labelled and confirmed, per shop and per day.

w / m / k switch between the last 7, 30 and 90 days; the charts follow the highlighted row
(a shop, or the totals). What needs the operator now is on top, loud: orders past their
latest ship date, confirmations Amazon refused, consent that runs out. The numbers are
computed in a thread (services.stats reads the archives) and use the app's clock, so the
screen is the same on every run with a FixedClock.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist

from glstui.i18n import N_, _, date_text
from glstui.i18n_numbers import decimal
from glstui.services import stats
from glstui.tui.messages import StoreChanged
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.stats_chart import StatsChart

PERIOD_KEYS = (("w", 7), ("m", 30), ("k", 90))
# One line under the table (fits 80 columns in both languages); `?` explains in full.
COLUMNS_HINT = N_("Median: import to label · Pending/Failed: tracking to Amazon · Late: overdue")
NAME_MIN, NAME_MAX = 10, 30
NUMBER_MIN = 5
TOTAL_KEY = "__total__"


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _hours(value: float | None) -> str:
    """A median time to label: minutes below an hour ("0.0 h" said nothing), else hours."""
    if value is None:
        return "–"
    if value < 1:
        minutes = round(value * 60)
        return _("< 1 min") if minutes < 1 else _("{minutes} min").format(minutes=minutes)
    return _("{hours} h").format(hours=decimal(value, ".0f" if value >= 10 else ".1f"))


def _cell(text: str, width: int, style: str = "") -> Text:
    """Right-aligned by padding (DataTable does not align a cell's Text reliably)."""
    return Text(text.rjust(width), style=style)


def warning_lines(report: stats.StatsReport) -> list[str]:
    """The loud lines on top, in the operator's words (empty when all is well)."""
    lines = []
    if report.past_ship_by:
        oldest = report.oldest_past_ship_by
        text = (
            _("1 order is past its latest ship date ({date}): label it now.")
            if report.past_ship_by == 1
            else _("{n} orders are past their latest ship date (oldest {date}): label them.")
        )
        lines.append(text.format(n=report.past_ship_by, date=date_text(oldest) or "?"))
    if report.failed:
        text = (
            _("1 tracking confirmation was refused by Amazon: see Orders (3).")
            if report.failed == 1
            else _("{n} tracking confirmations were refused by Amazon: see Orders (3).")
        )
        lines.append(text.format(n=report.failed))
    for due in report.reconsent_due:
        if due.days_left < 0:
            text = _("{shop}: Amazon consent expired {days} days ago: re-connect it (1, c).")
            lines.append(text.format(shop=due.shop_name, days=-due.days_left))
        else:
            text = _("{shop}: Amazon consent runs out in {days} days: re-connect it (1, c).")
            lines.append(text.format(shop=due.shop_name, days=due.days_left))
    return lines


class StatisticsScreen(BaseScreen):
    SECTION = "statistics"
    HELP = N_(
        "What was imported, labelled and confirmed to Amazon, per shop, for the last 7, 30 or "
        "90 days (keys w, m, k). The columns: Imported = orders imported in the period; "
        "Labelled = orders that got their first GLS label in the period; Confirmed = orders "
        "whose tracking code Amazon accepted in the period; Median = the middle time from "
        "import to first label, in hours; Pending = tracking codes still waiting to be sent "
        "to Amazon; Failed = tracking codes Amazon refused (see Orders, 3); Late = orders "
        "Amazon still waits for whose latest ship date has passed. Pending, Failed and Late "
        "are counted now, the same in every period. The charts show the highlighted row per "
        "day, or per 2 or more days when the period does not fit the width (the heading "
        "says which). Warnings on top need you now: orders past their latest ship date, "
        "confirmations Amazon refused, and shops whose Amazon consent runs out within 30 "
        "days."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("w", "period(7)", N_("7 days"), id="statistics.week"),
        Binding("m", "period(30)", N_("30 days"), id="statistics.month"),
        Binding("k", "period(90)", N_("90 days"), id="statistics.quarter"),
        Binding("r", "refresh", N_("Refresh"), id="statistics.refresh"),
        Binding("escape", "back", N_("Back"), show=False, id="statistics.back"),
    ]

    DEFAULT_CSS = """
    StatisticsScreen #stats-head {
        height: 1;
        margin: 0 0 1 0;
    }
    StatisticsScreen #stats-warnings {
        height: auto;
        color: $error;
        text-style: bold;
        margin: 0 0 1 0;
    }
    StatisticsScreen #stats-table {
        height: auto;
        max-height: 12;
    }
    StatisticsScreen #stats-columns {
        height: auto;
        color: $text-muted;
    }
    StatisticsScreen #stats-chart-title {
        height: 1;
        margin: 1 0 0 0;
        color: $text-muted;
    }
    StatisticsScreen #stats-charts {
        height: 1fr;
        min-height: 4;
        max-height: 16;
    }
    StatisticsScreen StatsChart {
        height: 1fr;
        color: $primary;
    }
    StatisticsScreen #stats-empty {
        height: auto;
        padding: 1 0;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.name_width = NAME_MIN
        self.widths: list[int] = []
        self.days = 7
        self.report: stats.StatsReport | None = None

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            yield Static("", id="stats-head")
            yield Static("", id="stats-warnings")
            yield DataTable(id="stats-table", cursor_type="row", zebra_stripes=False)
            yield Static("", id="stats-empty", classes="hint")
            yield Static(Text(_(COLUMNS_HINT)), id="stats-columns")
            yield Static("", id="stats-chart-title")
            with Horizontal(id="stats-charts"):
                yield StatsChart(id="chart-imported")
                yield StatsChart(id="chart-labelled")
                yield StatsChart(id="chart-confirmed")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._columns()
        self.query_one("#stats-warnings").display = False
        self.query_one("#stats-empty").display = False
        self._head()
        self.load()
        self.query_one(DataTable).focus()

    def _columns(self) -> None:
        """Fixed widths that fit the terminal: numbers as wide as their header, the shop
        name gets the rest (so 80 columns never need a horizontal scrollbar)."""
        table = self.query_one(DataTable)
        headers = [
            ("imported", _("Imported")),
            ("labelled", _("Labelled")),
            ("confirmed", _("Confirmed")),
            ("median", _("Median")),
            ("pending", _("Pending")),
            ("failed", _("Failed")),
            ("late", _("Late")),
        ]
        widths = [max(NUMBER_MIN, len(title)) for _key, title in headers]
        # the median's words ("< 1 min", "59 min") must fit uncut, in both languages
        longest = max(len(_hours(0.0)), len(_hours(59 / 60)), len(_hours(99.0)))
        widths[3] = max(widths[3], longest)
        self.widths = widths
        room = self.app.size.width - 2 - 2 * (len(headers) + 1) - 1 - sum(widths)
        self.name_width = max(NAME_MIN, min(NAME_MAX, room))
        table.add_column(_("Shop"), key="shop", width=self.name_width)
        for (key, title), width in zip(headers, widths, strict=True):
            table.add_column(title.rjust(width), key=key, width=width)

    def on_screen_resume(self) -> None:
        if self.report is not None:
            self.load()

    @on(StoreChanged)
    def _store_changed(self) -> None:
        self.on_screen_resume()

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    # -- data -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="stats")
    def load(self) -> None:
        report = stats.compute(self.ctx.store, self.ctx.clock)
        self.app.call_from_thread(self.show, report)

    def show(self, report: stats.StatsReport) -> None:
        self.report = report
        warnings = self.query_one("#stats-warnings", Static)
        lines = warning_lines(report)
        warnings.update(Text("\n".join(f"! {line}" for line in lines)))
        warnings.display = bool(lines)
        self._fill()

    def _head(self) -> None:
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(_("Statistics"), style="bold")
        head.append("   ")
        for key, days in PERIOD_KEYS:
            label = f" {key} " + _("{n} days").format(n=days) + " "
            head.append(label, style="bold reverse" if days == self.days else "dim")
            head.append(" ")
        if self.report is not None:
            period = self.report.period(self.days)
            head.append(
                f"  {date_text(period.first_day)} – {date_text(period.last_day)}", style="dim"
            )
        self.query_one("#stats-head", Static).update(head)

    def _fill(self) -> None:
        if self.report is None:
            return
        self._head()
        period = self.report.period(self.days)
        table = self.query_one(DataTable)
        current = self._current_key()
        table.clear()
        for row in period.shops:
            name = Text(_short(row.shop_name, self.name_width))  # literal: names may hold [/]
            table.add_row(*self._cells(row, name), key=row.integration_id)
        total = period.total
        table.add_row(*self._cells(total, Text(_("Total"), style="bold"), bold=True), key=TOTAL_KEY)
        keys = [r.integration_id for r in period.shops] + [TOTAL_KEY]
        table.move_cursor(row=keys.index(current) if current in keys else len(keys) - 1)
        empty = self.query_one("#stats-empty", Static)
        if not total.imported and not total.labelled and not total.confirmed:
            empty.update(
                _("Nothing imported in the last {n} days: import orders with 2 (Import).").format(
                    n=self.days
                )
            )
            empty.display = True
        else:
            empty.display = False
        self._charts()

    def _cells(self, row: stats.ShopStats, name: Text, bold: bool = False) -> list[Text]:
        widths = iter(self.widths)

        def num(value: int, loud: bool = False) -> Text:
            style = ("bold reverse" if loud else "bold" if bold else "") if value else "dim"
            return _cell(str(value), next(widths), style)

        return [
            name,
            num(row.imported),
            num(row.labelled),
            num(row.confirmed),
            _cell(_hours(row.median_label_hours), next(widths), "bold" if bold else ""),
            num(row.pending),
            num(row.failed, loud=True),
            num(row.past_ship_by, loud=True),
        ]

    def _current_key(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            row_key, _col = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return row_key.value

    def _selected(self) -> stats.ShopStats | None:
        if self.report is None:
            return None
        period = self.report.period(self.days)
        key = self._current_key()
        for row in period.shops:
            if row.integration_id == key:
                return row
        return period.total

    def _charts(self) -> None:
        row = self._selected()
        if row is None or self.report is None:
            return
        period = self.report.period(self.days)
        name = row.shop_name or _("all shops")
        charts = list(self.query(StatsChart).results(StatsChart))
        step = max(chart.days_per_bar(len(row.imported_per_day)) for chart in charts)
        heading = _("Per day: {shop}") if step == 1 else _("Per {n} days: {shop}")
        self.query_one("#stats-chart-title", Static).update(Text(heading.format(n=step, shop=name)))
        for widget_id, title, values in (
            ("#chart-imported", _("Imported"), row.imported_per_day),
            ("#chart-labelled", _("Labelled"), row.labelled_per_day),
            ("#chart-confirmed", _("Confirmed"), row.confirmed_per_day),
        ):
            self.query_one(widget_id, StatsChart).set_data(
                title, values, period.first_day, period.last_day, step
            )

    def on_resize(self) -> None:
        if self.is_mounted:
            self.call_after_refresh(self._charts)  # the charts' new widths decide the step

    @on(DataTable.RowHighlighted)
    def _row_changed(self, event: DataTable.RowHighlighted) -> None:
        self._charts()

    # -- actions --------------------------------------------------------------------------

    def action_period(self, days: int) -> None:
        if days == self.days:
            return
        self.days = days
        self._head()
        self._fill()

    def action_refresh(self) -> None:
        self.load()
