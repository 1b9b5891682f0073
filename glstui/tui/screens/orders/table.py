"""The Orders table: its columns, the cells of one row, and paging at its edges.

At 80 columns the table goes edge to edge, the ship-by date leaves out the time (the details
have it) and the tracking state is a word in the state cell; at 110+ columns there is a
Tracking column. The year is left out at every width (it is this week's date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from glstui.domain.order import HELD, LABELLED, NEW, SHIPPED
from glstui.i18n import _
from glstui.services.orders_query import OrderRow
from glstui.services.outbox import TrackingSummary
from glstui.tui.errors import ReportErrors
from glstui.tui.messages import OperatorMoved
from glstui.tui.screens.orders.cells import (
    MARK,
    STATE_NAMES,
    TRACKING_WIDTH,
    WARN,
    state_text,
    tracking_cell,
    tracking_word,
    when,
)

SHOP_WIDTH, SHOP_WIDTH_COMPACT, CITY_WIDTH = 14, 10, 24
COMPACT_BELOW = 110  # terminal columns


class OrdersTable(ReportErrors, DataTable[Text]):
    """A DataTable that asks for the next/previous window at its edges, and tells the screen
    when the operator moves (so the details replace the log of the last run)."""

    class ShiftWindow(Message):
        """pgdn on the last row (+1) or pgup on the first (-1): the next or previous window."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    def _moved_by_operator(self) -> None:
        self.screen.post_message(OperatorMoved())

    def action_page_down(self) -> None:
        self._moved_by_operator()
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.ShiftWindow(+1))
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        self._moved_by_operator()
        if self.cursor_row <= 0:
            self.post_message(self.ShiftWindow(-1))
            return
        super().action_page_up()

    def action_cursor_up(self) -> None:
        self._moved_by_operator()
        super().action_cursor_up()

    def action_cursor_down(self) -> None:
        self._moved_by_operator()
        super().action_cursor_down()

    def action_scroll_top(self) -> None:
        self._moved_by_operator()
        super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        self._moved_by_operator()
        super().action_scroll_bottom()


@dataclass
class Columns:
    """Which columns the table has at this width and how one row's cells look."""

    compact: bool
    city_width: int = CITY_WIDTH
    now: datetime | None = None
    marked: set[str] = field(default_factory=set)
    tracking: dict[str, TrackingSummary] = field(default_factory=dict)
    pending_labels: frozenset[str] = frozenset()

    def add_to(self, table: OrdersTable, shop_names: list[str], screen_width: int) -> None:
        table.add_column(_("Order"), key="order")
        table.add_column(_("Shop"), key="shop")
        table.add_column(_("Due") if self.compact else _("Ship by"), key="ship_by")
        # Fixed widths for what a label run changes: the columns do not jump when rows change.
        table.add_column(_("State"), key="state", width=self.state_width())
        if not self.compact:
            table.add_column(_("Tracking"), key="tracking", width=self.tracking_width())
        table.add_column(_("Qty"), key="items")
        self.city_width = self._city_width(table, shop_names, screen_width)
        table.add_column(_("City"), key="city", width=self.city_width)

    def cells(self, row: OrderRow) -> list[Text]:
        shop_w, city_w = (SHOP_WIDTH_COMPACT if self.compact else SHOP_WIDTH), self.city_width
        city = f"{row.city}, {row.country}" if row.city else row.country
        if len(city) > city_w and city_w >= 10:  # the country stays: it decides the product
            city = f"{row.city[: city_w - len(row.country) - 3]}…, {row.country}"
        elif len(city) > city_w:
            city = row.city[: city_w - 1] + "…"
        now = self.now
        overdue = (
            row.ship_by is not None
            and now is not None
            and row.ship_by < now
            and row.state in (NEW, HELD)
        )
        ship_by = row.ship_by.astimezone().strftime("%m-%d") if row.ship_by else ""
        cells = [
            self.order_cell(row),
            Text(row.shop if len(row.shop) <= shop_w else row.shop[: shop_w - 1] + "…"),
            Text(
                ship_by if self.compact else when(row.ship_by, short=True),
                style="bold red" if overdue else "",
            ),
            self.state_cell(row),
        ]
        if not self.compact:
            cells.append(tracking_cell(self.tracking.get(row.key), self.tracking_width()))
        cells += [
            Text(str(row.items), justify="right"),
            Text(city, no_wrap=True, overflow="ellipsis"),
        ]
        return cells

    def order_cell(self, row: OrderRow) -> Text:
        text = Text()
        text.append(MARK if row.key in self.marked else " ", style="bold")
        text.append(row.order_id, style="strike" if row.cancelled_on_amazon else "")
        return text

    def state_cell(self, row: OrderRow) -> Text:
        if row.key in self.pending_labels and row.state == NEW:
            return Text(_("label at GLS?"), style=WARN)
        text = state_text(row)
        if self.compact:
            word = tracking_word(self.tracking.get(row.key))
            if word.plain:
                text.append(" ")
                text.append_text(word)
        return text

    def _city_width(self, table: OrdersTable, shop_names: list[str], screen_width: int) -> int:
        """What is left of the screen's width for the City column (the other columns are
        as wide as their longest possible cell)."""
        shops = [len(name) for name in shop_names]
        shop_w = SHOP_WIDTH_COMPACT if self.compact else SHOP_WIDTH
        widths = [
            20,  # mark + order id
            max(len(_("Shop")), min(shop_w, max(shops, default=shop_w))),
            max(len(_("Due") if self.compact else _("Ship by")), 5 if self.compact else 11),
            self.state_width(),
            len(_("Qty")),
        ]
        if not self.compact:
            widths.append(self.tracking_width())
        padding = 2 * table.cell_padding
        used = sum(w + padding for w in widths) + padding
        # the page's padding (none at 80 columns: every column counts) and the scrollbar (1)
        return max(6, min(CITY_WIDTH, screen_width - (1 if self.compact else 3) - used))

    def tracking_width(self) -> int:
        """Wide enough for the usual words in the operator's language."""
        words = [_("sent to Amazon"), _("waiting to be sent"), _("marked done by hand")]
        return max(TRACKING_WIDTH, *(len(w) for w in words))

    def state_width(self) -> int:
        """The widest state cell in the operator's language (the state column's width)."""
        states = [_(name) for name in STATE_NAMES.values()]
        cells = [_("label at GLS?"), _("CANCELLED"), *states]
        # only a labelled or shipped order keeps its state when Amazon cancels it
        cells += [f"{_(STATE_NAMES[s])} {_('CANCELLED')}" for s in (LABELLED, SHIPPED)]
        if self.compact:
            words = [_("REFUSED"), _("waiting"), _("by hand")]
            cells += [f"{_(STATE_NAMES[LABELLED])} {w}" for w in words]
            cells += [f"{_(STATE_NAMES[SHIPPED])} {w}" for w in words]
        return max(len(_("State")), *(len(c) for c in cells))
