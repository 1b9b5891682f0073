"""Orders: every imported order, filtered and paged, with the highlighted one's details.

Fast at 100k stored orders: the list comes from services.orders_query (rows built off the UI
thread, filtered in memory) and the table holds one window of at most 500 rows; pgdn on the
last row (pgup on the first) moves the window. `/` filters (free words match order id, shop,
city, country; `state:new,held`, `shop:`, `from:`/`to:`/`due:` dates), `t` cycles the state
filter, space marks an order, `a` marks every order the filter shows. `selected_keys` is what
the labelling actions work on. Cancelled orders are shown in red: they must not be shipped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Input, Static

from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.i18n import N_, _
from glstui.services.orders_query import (
    PAGE_SIZE,
    STATE_PRESETS,
    OrderFilter,
    OrderPage,
    OrderRow,
    OrdersQuery,
    parse_filter,
)
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.section_bar import SectionBar

STATE_NAMES = {
    NEW: N_("new"),
    HELD: N_("held"),
    LABELLED: N_("labelled"),
    SHIPPED: N_("shipped"),
    CANCELLED: N_("cancelled"),
}
MARK = "●"
LOUD = "bold white on red"


def state_text(row: OrderRow | Order) -> Text:
    """The state cell; anything cancelled on Amazon is loud."""
    state = row.state
    if state == CANCELLED:
        return Text(_("CANCELLED"), style=LOUD)
    if row.amazon_status == "CANCELLED":  # labelled or shipped, then cancelled on Amazon
        return Text(f"{_(STATE_NAMES.get(state, state))} {_('CANCELLED')}", style=LOUD)
    style = {HELD: "bold", LABELLED: "", SHIPPED: "dim", NEW: "bold"}.get(state, "")
    return Text(_(STATE_NAMES.get(state, state)), style=style)


def when(value: Any, short: bool = False) -> str:
    """Local time; `short` leaves the year out (narrow terminals)."""
    fmt = "%m-%d %H:%M" if short else "%Y-%m-%d %H:%M"
    return value.astimezone().strftime(fmt) if value else ""


class OrdersTable(DataTable[Any]):
    """A DataTable that asks for the next/previous window at its edges."""

    def action_page_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.screen.shift_window(+1)  # type: ignore[attr-defined]
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0:
            self.screen.shift_window(-1)  # type: ignore[attr-defined]
            return
        super().action_page_up()


class OrdersScreen(BaseScreen):
    SECTION = "orders"
    HELP = N_(
        "The imported orders, most urgent first (ship-by date). / filters: words match the "
        "order id, shop, city or country; state:new,held  shop:name  from:2026-11-20  "
        "to:2026-11-27  due:today narrow it; esc clears. t cycles the state filter. Space "
        "marks an order, a marks all the filter shows. pgup/pgdn at the top or bottom of "
        "the list load the previous or next 500. Red orders were cancelled on Amazon: do "
        "not ship them."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("slash", "filter", N_("Filter"), key_display="/"),
        Binding("t", "cycle_state", N_("State")),
        Binding("space", "mark", N_("Mark"), key_display="space"),
        Binding("a", "mark_all", N_("Mark all")),
        Binding("r", "refresh", N_("Refresh"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
    ]
    DEFAULT_CSS = """
    OrdersScreen #orders { height: 1fr; scrollbar-size-horizontal: 0; }
    OrdersScreen #counts { height: 1; color: $text-muted; }
    OrdersScreen #detail {
        height: 9;
        border-top: solid $panel-lighten-2;
        padding: 0 1;
    }
    OrdersScreen #detail.-tall { height: 14; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.query_svc: OrdersQuery | None = None
        self.filter_text = ""
        self.preset = 0
        self.flt = OrderFilter()
        self.window_start = 0
        self.window: OrderPage | None = None
        self.marked: set[str] = set()
        self._loaded = False
        self.compact = False
        self.now: Any = None

    @property
    def selected_keys(self) -> list[str]:
        """Keys of the marked orders (shop id:order id), in list order where loaded."""
        if self.query_svc is None:
            return sorted(self.marked)
        order = {r.key: i for i, r in enumerate(self.query_svc.rows)}
        return sorted(self.marked, key=lambda k: order.get(k, len(order)))

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            yield Static(_("Orders"), classes="title")
            yield Input(
                placeholder=_(
                    "Filter: words, state:new,held shop: from: to: due:today; esc clears"
                ),
                id="filter",
                compact=True,
            )
            yield Static("", id="counts")
            yield OrdersTable(id="orders", cursor_type="row", zebra_stripes=False)
            yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(OrdersTable)
        self.compact = self.app.size.width < 110
        table.add_column(_("Order"), key="order")
        table.add_column(_("Shop"), key="shop")
        table.add_column(_("Ship by"), key="ship_by")
        table.add_column(_("State"), key="state")
        table.add_column(_("Qty"), key="items")
        table.add_column(_("City"), key="city")
        self.query_one("#filter").display = False
        self.query_svc = OrdersQuery(self.ctx.store, self.ctx.clock)
        self.query_one("#counts", Static).update(_("Loading orders..."))
        self.load()
        table.focus()

    def on_resize(self) -> None:
        self.query_one("#detail").set_class(self.size.height >= 36, "-tall")

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.load()

    def focus_main(self) -> None:
        self.query_one(OrdersTable).focus()

    # -- data -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="orders-load")
    def load(self) -> None:
        svc = self.query_svc
        assert svc is not None
        svc.load()
        svc.filtered(self.flt)
        self.app.call_from_thread(self._loaded_now)

    def _loaded_now(self) -> None:
        self._loaded = True
        known = {r.key for r in self.query_svc.rows} if self.query_svc else set()
        self.marked &= known
        self.show(keep_cursor=True)

    def show(self, keep_cursor: bool = False, cursor: int | None = None) -> None:
        """Fill the table with the window at `self.window_start` of the filtered rows."""
        if self.query_svc is None:
            return
        table = self.query_one(OrdersTable)
        current = self.current_key() if keep_cursor else None
        self.now = self.ctx.clock.now()
        self.window = page = self.query_svc.page(self.flt, self.window_start)
        self.window_start = page.offset
        table.clear()
        for row in page.rows:
            table.add_row(*self._cells(row), key=row.key)
        if page.rows:
            keys = [r.key for r in page.rows]
            if current in keys:
                table.move_cursor(row=keys.index(current), animate=False)
            elif cursor is not None:
                table.move_cursor(row=max(0, min(cursor, len(keys) - 1)), animate=False)
        self._show_counts()
        self._show_detail()

    def _cells(self, row: OrderRow) -> list[Any]:
        shop_w, city_w = (13, 16) if self.compact else (24, 30)
        city = f"{row.city}, {row.country}" if row.city else row.country
        overdue = row.ship_by is not None and row.ship_by < self.now and row.state in (NEW, HELD)
        return [
            self._order_cell(row),
            Text(row.shop if len(row.shop) <= shop_w else row.shop[: shop_w - 1] + "…"),
            Text(when(row.ship_by, short=self.compact), style="bold red" if overdue else ""),
            state_text(row),
            Text(str(row.items), justify="right"),
            Text(city[:city_w], no_wrap=True),
        ]

    def _order_cell(self, row: OrderRow) -> Text:
        text = Text()
        text.append(MARK if row.key in self.marked else " ", style="bold")
        text.append(row.order_id, style="strike" if row.cancelled_on_amazon else "")
        return text

    def _show_counts(self) -> None:
        page = self.window
        counts = self.query_one("#counts", Static)
        if page is None:
            return
        parts: list[str] = []
        if page.matching == 0:
            parts.append(
                _("No orders match the filter.") if self.flt.active else _("No orders yet.")
            )
        else:
            parts.append(
                _("{first}–{last} of {matching:,}").format(
                    first=page.offset + 1, last=page.end, matching=page.matching
                )
            )
        if self.flt.active:
            parts.append(_("({total:,} stored)").format(total=page.total))
        states = self.flt.states
        if states:
            names = ",".join(_(STATE_NAMES.get(s, s)) for s in states)
            parts.append(_("state: {states}").format(states=names))
        if self.filter_text:
            parts.append(_("filter: {text}").format(text=self.filter_text))
        if self.marked:
            parts.append(_("{n:,} marked").format(n=len(self.marked)))
        if self.flt.problems:
            parts.append(_("not understood: {words}").format(words=" ".join(self.flt.problems)))
        counts.update(Text("  ·  ".join(parts)))

    def current_key(self) -> str | None:
        table = self.query_one(OrdersTable)
        if table.row_count == 0:
            return None
        row_key, _col = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    @on(DataTable.RowHighlighted, "#orders")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        key = self.current_key()
        order = self.query_svc.order(key) if key and self.query_svc else None
        if order is None:
            detail.update("")
            return
        detail.update(detail_text(order, self.query_svc.shops.get(order.integration_id, "")))

    def shift_window(self, direction: int) -> None:
        """Load the next (+1) or previous (-1) window of PAGE_SIZE rows."""
        page = self.window
        if page is None:
            return
        if direction > 0 and page.end < page.matching:
            self.window_start = page.offset + PAGE_SIZE
            self.show(cursor=0)
        elif direction < 0 and page.offset > 0:
            self.window_start = max(0, page.offset - PAGE_SIZE)
            self.show(cursor=PAGE_SIZE - 1)

    def _apply_filter(self) -> None:
        today = self.ctx.clock.now().astimezone().date()
        self.flt = parse_filter(self.filter_text, today, STATE_PRESETS[self.preset])
        self.window_start = 0
        self.show(cursor=0)

    # -- actions --------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        self.focus_main()
        if not event.value:
            event.input.display = False

    def action_cycle_state(self) -> None:
        self.preset = (self.preset + 1) % len(STATE_PRESETS)
        self._apply_filter()

    def action_mark(self) -> None:
        key = self.current_key()
        if key is None:
            return
        self.marked ^= {key}
        table = self.query_one(OrdersTable)
        row = table.cursor_row
        table.update_cell(key, "order", self._order_cell(self.query_svc.by_key(key)))
        if row < table.row_count - 1:
            table.move_cursor(row=row + 1, animate=False)
        self._show_counts()

    def action_mark_all(self) -> None:
        if self.query_svc is None:
            return
        visible = set(self.query_svc.keys(self.flt))
        if visible and visible <= self.marked:
            self.marked -= visible
        else:
            self.marked |= visible
        self.show(keep_cursor=True)

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            self.filter_text = ""
            box.display = False
            self._apply_filter()
            self.focus_main()
            return
        if self.marked:
            self.marked.clear()
            self.show(keep_cursor=True)
            return
        super().action_back()

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (
                _("Filter orders"),
                _("Filter by words, state, shop and date (/)"),
                self.action_filter,
            ),
            (
                _("Cycle state filter"),
                _("All, open, new, held, labelled, shipped, cancelled (t)"),
                self.action_cycle_state,
            ),
            (
                _("Mark all shown orders"),
                _("Mark every order the filter shows (a)"),
                self.action_mark_all,
            ),
        ]


def detail_text(order: Order, shop: str) -> Text:
    """Items, address, decision and hold reason of one order (shown, never logged)."""
    text = Text(no_wrap=False)
    text.append(f"{order.order_id}", style="bold")
    text.append(f"  {shop}  ")
    text.append_text(state_text(order))
    if order.amazon_status:
        text.append(f"  Amazon: {order.amazon_status}", style="dim")
    text.append("\n")
    if order.hold_reason:
        loud = order.state == CANCELLED or order.amazon_status == "CANCELLED"
        text.append(f"{order.hold_reason}\n", style=LOUD if loud else "bold")
    text.append(
        _("Ordered {created}  ship by {ship_by}").format(
            created=when(order.created_at) or "?", ship_by=when(order.ship_by) or "?"
        )
    )
    flags = [f for f, on_ in (("Prime", order.is_prime), (_("Business"), order.is_business)) if on_]
    if order.service_level:
        flags.insert(0, order.service_level)
    if flags:
        text.append("  " + ", ".join(flags), style="dim")
    text.append("\n")
    recipient = order.recipient
    if recipient is not None:
        who = ", ".join(p for p in (recipient.name, recipient.company) if p)
        place = " ".join(p for p in (recipient.postal_code, recipient.city) if p)
        parts = [who, *recipient.address_lines, place, recipient.country_code]
        text.append(_("Ship to: ") + " · ".join(p for p in parts if p) + "\n")
    elif order.pii_purged_at:
        text.append(_("Address removed (kept 30 days after shipping).") + "\n", style="dim")
    for item in order.items:
        text.append(f"{item.quantity} × {item.sku}  {item.title}\n")
    decision = order.decision or {}
    if decision:
        shown = ", ".join(f"{k}: {v}" for k, v in decision.items() if v not in (None, "", [], {}))
        text.append(_("Decision: ") + (shown or _("default")) + "\n", style="dim")
    return text
