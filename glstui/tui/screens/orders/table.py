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

from glstui.domain.order import HELD, NEW
from glstui.i18n import _, date_text
from glstui.services.orders_query import OrderRow
from glstui.services.outbox import TrackingSummary
from glstui.tui.errors import ReportErrors
from glstui.tui.messages import OperatorMoved
from glstui.tui.screens.orders.cells import (
    MARK,
    TRACKING_WIDTH,
    WARN,
    state_text,
    tracking_cell,
    tracking_word,
    when,
)

SHOP_WIDTH, SHOP_WIDTH_COMPACT, CITY_WIDTH = 16, 12, 40
GAP = 1  # between columns (DataTable's cell padding would be 2: at 80 columns that is a city)
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


def short_names(names: list[str], width: int) -> dict[str, str]:
    """Each shop name cut to `width`, keeping the part that tells it from the others: shops
    named "Amazon A3PNJAV4CVI5V1" and "Amazon A3PNJAV4CVI5V2" become "Amazon…5V1" and
    "Amazon…5V2", not twice "Amazon A3…"."""
    short: dict[str, str] = {}
    for name in names:
        if len(name) <= width:
            short[name] = name
            continue
        others = [o for o in names if o != name and o[: width - 1] == name[: width - 1]]
        if not others:
            short[name] = name[: width - 1] + "…"
            continue
        same = max(_common_prefix(name, other) for other in others)
        tail = max(3, len(name) - same)
        head = width - 1 - tail
        short[name] = name[:head] + "…" + name[-tail:] if head >= 3 else "…" + name[1 - width :]
    return short


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


@dataclass
class Columns:
    """Which columns the table has at this width, how wide each is and how one row's cells
    look. Widths follow what the window shows (a column is as wide as its widest cell);
    City gets what is left, with the country always at its end (it decides the product)."""

    compact: bool
    city_width: int = CITY_WIDTH
    tracking_w: int = TRACKING_WIDTH
    items_w: int = 3  # the Qty column without its gap
    now: datetime | None = None
    marked: set[str] = field(default_factory=set)
    tracking: dict[str, TrackingSummary] = field(default_factory=dict)
    pending_labels: frozenset[str] = frozenset()
    shops: dict[str, str] = field(default_factory=dict)  # full name -> as shown

    def set_shops(self, names: list[str]) -> None:
        self.shops = short_names(names, SHOP_WIDTH_COMPACT if self.compact else SHOP_WIDTH)

    def fill(self, table: OrdersTable, rows: list[OrderRow], screen_width: int) -> None:
        """Replace the table's columns and rows with `rows` (one window)."""
        states = [self.state_cell(row) for row in rows]
        shops = [Text(self.shops.get(row.shop, row.shop)) for row in rows]
        widths = {
            "order": 20,  # mark + order id
            "shop": max([len(_("Shop")), *(s.cell_len for s in shops)]),
            "ship_by": max(
                len(_("Due") if self.compact else _("Ship by")), 5 if self.compact else 11
            ),
            "state": max([len(_("State")), *(s.cell_len for s in states)]),
            "items": max([len(_("Qty")), *(len(str(row.items)) for row in rows)]),
        }
        if not self.compact:
            widths["tracking"] = self.tracking_width()
        self.items_w = widths["items"]
        widths = {key: width + GAP for key, width in widths.items()}  # the gap is in the column
        used = sum(widths.values()) + 2 * table.cell_padding * (len(widths) + 1)
        # the page's padding (none at 80 columns: every column counts) and the scrollbar (1)
        left = screen_width - (1 if self.compact else 3) - used
        cities = [len(f"{r.city}, {r.country}" if r.city else r.country) for r in rows]
        self.city_width = max(6, min(CITY_WIDTH, left, max(cities, default=CITY_WIDTH)))
        if not self.compact:  # what City does not need widens Tracking (Amazon's words)
            longest = max(
                (self.tracking[r.key].checked_text for r in rows if r.key in self.tracking),
                key=len,
                default="",
            )
            extra = min(left - self.city_width, len(longest) + GAP - widths["tracking"])
            widths["tracking"] += max(0, extra)
            self.tracking_w = widths["tracking"] - GAP
        table.clear(columns=True)
        table.add_column(_("Order"), key="order", width=widths["order"])
        table.add_column(_("Shop"), key="shop", width=widths["shop"])
        due = _("Due") if self.compact else _("Ship by")
        table.add_column(due, key="ship_by", width=widths["ship_by"])
        table.add_column(_("State"), key="state", width=widths["state"])
        if not self.compact:
            table.add_column(_("Tracking"), key="tracking", width=widths["tracking"])
        table.add_column(_("Qty"), key="items", width=widths["items"])
        table.add_column(_("City"), key="city", width=self.city_width)
        for row, state, shop in zip(rows, states, shops, strict=True):
            table.add_row(*self.cells(row, state, shop), key=row.key)

    def cells(self, row: OrderRow, state: Text, shop: Text) -> list[Text]:
        city_w = self.city_width
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
        ship_by = date_text(row.ship_by, year=False, time=False)
        cells = [
            self.order_cell(row),
            shop,
            Text(
                ship_by if self.compact else when(row.ship_by, short=True),
                style="bold red" if overdue else "",
            ),
            state,
        ]
        if not self.compact:
            cells.append(tracking_cell(self.tracking.get(row.key), self.tracking_w))
        cells += [
            # padded here: a right-justified Text loses its trailing gap (Rich strips it), and
            # the number then touched the city
            Text(str(row.items).rjust(self.items_w) + " " * GAP),
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

    def tracking_width(self) -> int:
        """Wide enough for the usual words in the operator's language."""
        words = [_("sent to Amazon"), _("waiting to be sent"), _("marked done by hand")]
        return max(TRACKING_WIDTH, *(len(w) for w in words))
