"""The Orders screen's list half: layout, loading, the table window, counts, details, filter
and marks (no labelling: that is `actions`)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from glstui.i18n import N_, _
from glstui.services.orders_query import (
    CANCELLED_AFTER_LABEL,
    CHECK_AT_GLS,
    HELD_ORDER,
    PAGE_SIZE,
    REFUSED,
    STATE_PRESETS,
    OrderFilter,
    OrderPage,
    OrdersQuery,
    OrderStates,
    parse_filter,
    refused_as_cancelled,
)
from glstui.services.outbox import TrackingSummary
from glstui.tui.messages import OutboxChanged, StoreChanged
from glstui.tui.screens.orders.cells import STATE_NAMES
from glstui.tui.screens.orders.detail import detail_text
from glstui.tui.screens.orders.log import NOTE_STYLES, OrdersLog
from glstui.tui.screens.orders.table import COMPACT_BELOW, Columns, OrdersTable
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.log_pane import LogPane
from glstui.tui.widgets.section_bar import SectionBar

#: Why an order is among those to check, in words (services.orders_query decides).
ATTENTION_WORDS = {
    CHECK_AT_GLS: N_("a label may exist at GLS: check the GLS portal, then F"),
    REFUSED: N_("Amazon refused the tracking code"),
    CANCELLED_AFTER_LABEL: N_("cancelled on Amazon after labelling: D deletes the label"),
    HELD_ORDER: N_("held"),
}


class OrdersView(OrdersLog):
    """Rows come from services.orders_query (built off the UI thread); the table holds one
    window of at most PAGE_SIZE of them."""

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
        self.columns = Columns(compact=False)
        self.states = OrderStates()

    @property
    def compact(self) -> bool:
        return self.columns.compact

    @property
    def tracking(self) -> dict[str, TrackingSummary]:
        return self.states.tracking

    @property
    def pending_labels(self) -> frozenset[str]:
        return self.states.pending_labels

    @property
    def svc(self) -> OrdersQuery:
        """The orders query (made on mount)."""
        assert self.query_svc is not None
        return self.query_svc

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
            yield OrdersTable(id="orders", cursor_type="row", zebra_stripes=False, cell_padding=0)
            yield Static("", id="detail")
            log = LogPane(id="log", wrap=True)
            log.border_title = _("Log")
            yield log
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(OrdersTable)
        self.columns.compact = self.app.size.width < COMPACT_BELOW
        if self.compact:  # at 80 columns every column counts: the table goes edge to edge
            self.query_one(".page").styles.padding = (0, 0)
            for widget in (self.query_one(".title"), self.query_one("#counts")):
                widget.styles.padding = (0, 1)
        self.query_svc = OrdersQuery(self.ctx.store, self.ctx.clock)
        self.query_one("#filter").display = False
        self.query_one(LogPane).display = False
        self.query_one("#counts", Static).update(_("Loading orders..."))
        self._take_activity()
        self.load()
        table.focus()

    def on_resize(self) -> None:
        tall = self.size.height >= 36
        self.query_one("#detail").set_class(tall, "-tall")
        self.query_one(LogPane).set_class(tall, "-tall")

    def on_screen_resume(self) -> None:
        if self._loaded:
            self._take_activity()
            self.load()

    @on(StoreChanged)
    def _store_changed(self) -> None:
        if self._loaded:
            self.load()

    def focus_main(self) -> None:
        self.query_one(OrdersTable).focus()

    # -- data -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="orders-load")
    def load(self) -> None:
        svc = self.svc
        svc.load()
        svc.filtered(self.flt)
        states = svc.states()
        self.app.call_from_thread(self._loaded_now, states)

    def _loaded_now(self, states: OrderStates | None = None) -> None:
        self._loaded = True
        if states is not None:
            self.states = states
            self.columns.tracking = states.tracking
            self.columns.pending_labels = states.pending_labels
        known = {r.key for r in self.query_svc.rows} if self.query_svc else set()
        self.marked &= known
        self.show(keep_cursor=True)

    def show(self, keep_cursor: bool = False, cursor: int | None = None) -> None:
        """Fill the table with the window at `self.window_start` of the filtered rows."""
        if self.query_svc is None:
            return
        table = self.query_one(OrdersTable)
        current = self.current_key() if keep_cursor else None
        self.columns.now = self.ctx.clock.now()
        self.columns.marked = self.marked
        self.window = page = self.query_svc.page(self.flt, self.window_start)
        self.window_start = page.offset
        self.columns.set_shops(list(self.svc.shops.values()))
        self.columns.fill(table, page.rows, self.app.size.width)
        if page.rows:
            keys = [r.key for r in page.rows]
            if current in keys:
                table.move_cursor(row=keys.index(current), animate=False)
            elif cursor is not None:
                table.move_cursor(row=max(0, min(cursor, len(keys) - 1)), animate=False)
        self._show_counts()
        self._show_detail()

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
        if self.states.attention:
            parts.append(_("{n:,} to check: n").format(n=len(self.states.attention)))
        if self.busy:
            parts.append(f"{self.busy} {self.progress}".strip())
        text = Text("  ·  ".join(parts))
        if self.note[0]:  # the last action's result (the log has all of it)
            text.append("\n")
            text.append(self.note[0], style=NOTE_STYLES.get(self.note[1], ""))
        counts.update(text)

    def refused_as_cancelled(self, key: str) -> bool:
        """Amazon refused this order's tracking code because the order is cancelled."""
        row = self.svc.by_key(key)
        return refused_as_cancelled(self.tracking.get(key), row.amazon_status if row else "")

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
        self.refresh_bindings()  # r / m / F depend on the highlighted order
        detail = self.query_one("#detail", Static)
        key = self.current_key()
        order = self.query_svc.order(key) if key and self.query_svc else None
        if key is None or order is None:
            detail.update("")
            return
        info = self.svc.label_info(order, self.ctx.data_dir)
        shop = self.svc.shops.get(order.integration_id, "")
        detail.update(detail_text(order, shop, info, self.refused_as_cancelled(key)))

    @on(OrdersTable.ShiftWindow)
    def _shift_window(self, event: OrdersTable.ShiftWindow) -> None:
        self.shift_window(event.direction)

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

    @on(OutboxChanged)
    def _outbox_changed(self) -> None:
        """The app delivered tracking codes: show the new states."""
        if self._loaded and not self.busy:
            self.load()

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
        row_data = self.svc.by_key(key)
        if row_data is not None:
            table.update_cell(key, "order", self.columns.order_cell(row_data))
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

    def action_next_attention(self) -> None:
        """n: the next order that needs the operator, below the cursor (then from the top).
        When the filter hides every one of them the filter is cleared first, so n never
        leads nowhere; the status line says why the order needs attention."""
        if not self.states.attention:
            self.say(_("Nothing to check: no order is held, refused or waiting for a look."))
            return
        page = self.window
        table = self.query_one(OrdersTable)
        here = (page.offset + table.cursor_row) if page is not None and table.row_count else -1
        index = self.svc.next_needing_attention(self.flt, self.states, here)
        if index is None:
            self._clear_filter()
            index = self.svc.next_needing_attention(self.flt, self.states, -1)
            if index is None:
                return
        self.window_start = index
        self.show(cursor=index % PAGE_SIZE)
        key = self.current_key()
        if key is not None:
            reason = _(ATTENTION_WORDS.get(self.states.attention.get(key, ""), ""))
            position = list(self.states.attention).index(key) + 1
            total = len(self.states.attention)
            self.say(f"{position}/{total}: {reason}", log=False)

    def _clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        with box.prevent(Input.Changed):  # it would show the top of the list after the jump
            box.value = ""
        box.display = False
        self.filter_text = ""
        self.preset = 0
        self._apply_filter()

    def action_refresh(self) -> None:
        self.load()

    def action_toggle_log(self) -> None:
        self._show_log(not self._showing_log)

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            self.filter_text = ""
            box.display = False
            self._apply_filter()
            self.focus_main()
            return
        if isinstance(self.focused, LogPane):
            self.focus_main()
            return
        if self.marked:
            self.marked.clear()
            self.show(keep_cursor=True)
            return
        super().action_back()
