"""Orders: every imported order, filtered and paged; labels and tracking for the chosen ones.

Fast at 100k stored orders: the list comes from services.orders_query (rows built off the UI
thread, filtered in memory) and the table holds one window of at most 500 rows; pgdn on the
last row (pgup on the first) moves the window. `/` filters (free words match order id, shop,
city, country; `state:new,held`, `shop:`, `from:`/`to:`/`due:` dates), `t` cycles the state
filter, space marks an order, `a` marks every order the filter shows. `selected_keys` is what
the labelling actions work on. Cancelled orders are shown in red: they must not be shipped.

Labels and tracking (services.labelling / services.outbox): `c` creates GLS labels for the
marked orders (or the highlighted one) and sends the tracking codes, `p` reprints, `D` or
ctrl+d deletes a label (modal, focus on No), `r` retries a confirmation Amazon refused, `m`
marks it done by hand, `F` creates a label anyway when one may already exist at GLS. Each runs
as one async worker (group ACTIONS, never two at once) that streams its report lines into the
log pane, which takes the place of the details pane while it runs (`l` switches back and
forth). The state cell (and at 110+ columns a Tracking column) shows where the tracking code
is; the details pane shows parcels, label files, tracking links and each confirmation.
"""

from __future__ import annotations

import asyncio
import re
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from glstui.domain.errors import GlstuiError
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.domain.rules import HELD_BY_RULE, TOO_HEAVY
from glstui.domain.serial import from_dict
from glstui.domain.shipment import FAILED, PENDING, SENT, SKIPPED, Shipment
from glstui.i18n import N_, _, catalog
from glstui.services import labelling, outbox
from glstui.services.events import ERROR, INFO, Event, LogLine, Progress
from glstui.services.orders_query import (
    PAGE_SIZE,
    STATE_PRESETS,
    OrderFilter,
    OrderPage,
    OrderRow,
    OrdersQuery,
    parse_filter,
)
from glstui.tui import errors
from glstui.tui.errors import ReportErrors
from glstui.tui.messages import ActivityAdded, OperatorMoved, OutboxChanged, StoreChanged
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.confirm import ConfirmModal
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.log_pane import LogPane
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
WARN = "bold black on yellow"
ACTIONS = "orders-action"  # worker group: one label / tracking action at a time
TRACKING_WIDTH = 20  # "refused by Amazon: …" (the details pane has Amazon's words)
SHOP_WIDTH, SHOP_WIDTH_COMPACT, CITY_WIDTH = 14, 10, 24

#: Hold reasons our code stores, in the language of the operator at the time. Shown in the
#: language of the operator now (a Dutch colleague may have imported the order).
KNOWN_REASONS = (
    N_("Cancelled on Amazon: do not ship."),
    N_("Cancelled on Amazon after labelling: delete the GLS label."),
    N_("Cancelled on Amazon after shipping: check with GLS."),
    N_("The recipient has no name: add the name or the company."),
    N_(
        "The recipient name is longer than {max} characters, which the label cannot print: "
        "shorten it."
    ),
    HELD_BY_RULE,
    TOO_HEAVY,
)
SERVICE_NAMES = {
    "saturdayService": N_("Saturday"),
    "shopDeliveryService": N_("ParcelShop"),
    "addresseeOnlyService": N_("addressee only"),
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts))


def reason_text(stored: str) -> str:
    """A stored hold reason in the operator's language, when it is one our code makes."""
    text = stored.strip()
    dutch = catalog("nl")
    for template in KNOWN_REASONS:
        for version in (template, dutch.get(template, "")):
            if not version:
                continue
            found = _pattern(version).fullmatch(text)
            if found:
                return _(template).format(**found.groupdict())
    return stored


def _kg(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def decision_text(decision: dict[str, Any]) -> Text:
    """What labelling will do, in words: rule, product, services, parcels and weight; SKUs
    without a weight as a warning (their weight is a guess)."""
    text = Text(no_wrap=False)
    rule = decision.get("rule_name") or ""
    parts = [
        _("rule '{rule}'").format(rule=rule) if rule else _("no rule matched (default)"),
    ]
    if decision.get("skip"):
        parts.append(_("not imported (skip)"))
    if decision.get("product"):
        parts.append(str(decision["product"]))
    services = decision.get("services") or {}
    words = []
    for key, value in services.items():
        if key == "expressService":
            words.append(_("express {time}").format(time=value))
        elif key == "shopDeliveryParcelShopId":
            words.append(_("ParcelShop id") + f" {value}")
        elif key in SERVICE_NAMES:
            words.append(_(SERVICE_NAMES[key]))
    if words:
        parts.append(" + ".join(words))
    parcels = int(decision.get("parcels") or 1)
    per = _kg(decision.get("weight_kg", ""))
    total = _kg(decision.get("total_weight_kg", ""))
    if parcels == 1:
        parts.append(_("1 parcel, {kg} kg").format(kg=per))
    else:
        parts.append(
            _("{n} parcels of {kg} kg ({total} kg in all)").format(n=parcels, kg=per, total=total)
        )
    text.append(_("Decision: ") + ", ".join(parts) + "\n", style="dim")
    unknown = decision.get("unknown_skus") or []
    if unknown:
        text.append(
            _(
                "No weight known for {skus}: the default weight was used (add it under SKU "
                "weights)."
            ).format(skus=", ".join(unknown))
            + "\n",
            style="yellow",
        )
    return text


def short_path(path: str | Path, data_dir: Path | None = None) -> str:
    """A label file relative to the data dir (or with ~ for the home dir), so it fits a line."""
    p = Path(path)
    if data_dir is not None:
        try:
            return str(p.relative_to(data_dir))
        except ValueError:
            pass
    try:
        return "~/" + str(p.relative_to(Path.home()))
    except ValueError:
        return str(p)


def state_text(row: OrderRow | Order) -> Text:
    """The state cell; anything cancelled on Amazon is loud."""
    state = row.state
    if state == CANCELLED:
        return Text(_("CANCELLED"), style=LOUD)
    if row.amazon_status == "CANCELLED":  # labelled or shipped, then cancelled on Amazon
        return Text(f"{_(STATE_NAMES.get(state, state))} {_('CANCELLED')}", style=LOUD)
    style = {HELD: "bold", LABELLED: "", SHIPPED: "dim", NEW: "bold"}.get(state, "")
    return Text(_(STATE_NAMES.get(state, state)), style=style)


def tracking_word(summary: outbox.TrackingSummary | None) -> Text:
    """A short word for the state cell at 80 columns (the details say the rest)."""
    if summary is None or not summary.total:
        return Text("")
    if summary.failed:
        return Text(_("REFUSED"), style=LOUD)
    if summary.pending:
        return Text(_("waiting"), style="bold")
    if summary.skipped and not summary.sent:
        return Text(_("by hand"), style="dim")
    return Text("")


def tracking_cell(summary: outbox.TrackingSummary | None, width: int = TRACKING_WIDTH) -> Text:
    """The Tracking column: "sent to Amazon", "waiting to be sent", "refused by Amazon: ..."."""
    if summary is None or not summary.total:
        return Text("")
    text = summary.text
    if len(text) > width:
        text = text[: width - 1] + "…"
    style = LOUD if summary.failed else "bold" if summary.pending else "dim"
    return Text(text, style=style, no_wrap=True)


def when(value: Any, short: bool = False) -> str:
    """Local time; `short` leaves the year out (narrow terminals)."""
    fmt = "%m-%d %H:%M" if short else "%Y-%m-%d %H:%M"
    return value.astimezone().strftime(fmt) if value else ""


@dataclass
class LabelInfo:
    """What the details pane shows about an order's label and its confirmations."""

    shipment: Shipment | None = None
    files: list[str] = field(default_factory=list)
    tracking: outbox.TrackingSummary | None = None
    pending_since: datetime | None = None  # label_pending_at: a label may exist at GLS


def read_label_info(store: Any, order: Order, data_dir: Path | None = None) -> LabelInfo:
    """The order's current label (one scan of the stored shipments, nothing decoded but it);
    label files relative to `data_dir` when they are in it."""
    info = LabelInfo(pending_since=order.label_pending_at)
    with store.read() as view:
        docs = [
            d
            for d in view.shipments.docs()
            if d.get("order_key") == order.key and not d.get("deleted_at")
        ]
        info.tracking = outbox.order_tracking(view, order.key)
    if docs:
        docs.sort(key=lambda d: str(d.get("created_at") or ""))
        info.shipment = from_dict(Shipment, dict(docs[-1]))
        info.files = [short_path(p, data_dir) for p in labelling.label_files(info.shipment)]
    return info


class OrdersTable(ReportErrors, DataTable[Any]):
    """A DataTable that asks for the next/previous window at its edges, and tells the screen
    when the operator moves (so the details replace the log of the last run)."""

    def _moved_by_operator(self) -> None:
        self.screen.post_message(OperatorMoved())

    def action_page_down(self) -> None:
        self._moved_by_operator()
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.screen.shift_window(+1)  # type: ignore[attr-defined]
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        self._moved_by_operator()
        if self.cursor_row <= 0:
            self.screen.shift_window(-1)  # type: ignore[attr-defined]
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


class OrdersScreen(BaseScreen):
    SECTION = "orders"
    HELP = N_(
        "The imported orders, most urgent first (ship-by date). / filters: words match the "
        "order id, shop, city or country; state:new,held  shop:name  from:2026-11-20  "
        "to:2026-11-27  due:today narrow it; esc clears. t cycles the state filter. Space "
        "marks an order, a marks all the filter shows. pgup/pgdn at the top or bottom of "
        "the list load the previous or next 500. Red orders were cancelled on Amazon: do "
        "not ship them.\n\n"
        "c creates GLS labels for the marked orders (or the highlighted one) and sends the "
        "tracking codes to Amazon; held orders and their reasons are listed in the log (l "
        "shows it, l again shows the order). p prints the label again, or tells where the "
        "file is when no printer is set. D (ctrl+d) deletes the label at GLS, as long as "
        "Amazon has not been told. When Amazon refuses a tracking code (REFUSED) the details "
        "show why: r sends it again, m marks it done when you confirmed the order in Seller "
        "Central yourself. 'label at GLS?' means glstui asked GLS for a label and got no "
        "answer: check the GLS portal, then F creates the label anyway. ctrl+r reloads."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("slash", "filter", N_("Filter"), key_display="/"),
        Binding("t", "cycle_state", N_("State"), show=False),
        Binding("space", "mark", N_("Mark"), key_display="space"),
        Binding("a", "mark_all", N_("Mark all"), show=False),
        Binding("c", "create_labels", N_("Labels")),
        Binding("p", "reprint", N_("Print")),
        Binding("ctrl+d,D", "delete_label", N_("Delete label"), key_display="D", show=False),
        Binding("r", "retry", N_("Retry")),
        Binding("m", "mark_done", N_("Done by hand")),
        Binding("F", "force", N_("Create anyway")),
        Binding("l", "toggle_log", N_("Log")),
        Binding("ctrl+r,f5", "refresh", N_("Refresh"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
    ]
    DEFAULT_CSS = """
    OrdersScreen #orders {
        height: 1fr;
        scrollbar-size-horizontal: 0;
        scrollbar-size-vertical: 1;
    }
    OrdersScreen #counts { height: 1; color: $text-muted; }
    OrdersScreen #detail {
        height: 7;
        border-top: solid $panel-lighten-2;
        padding: 0 1;
    }
    OrdersScreen #detail.-tall { height: 14; }
    OrdersScreen LogPane { height: 8; }
    OrdersScreen LogPane.-tall { height: 14; }
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
        self.city_width = CITY_WIDTH
        self.now: Any = None
        self.tracking: dict[str, outbox.TrackingSummary] = {}
        self.pending_labels: set[str] = set()
        self.busy = ""  # what the running action is doing ("" = nothing runs)
        self.progress = ""
        self.last_run: labelling.LabelRun | None = None
        self._activity_seen = 0
        self._showing_log = False

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
            log = LogPane(id="log")
            log.border_title = _("Log")
            yield log
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(OrdersTable)
        self.compact = self.app.size.width < 110
        if self.compact:  # at 80 columns every column counts: the table goes edge to edge
            self.query_one(".page").styles.padding = (0, 0)
            for widget in (self.query_one(".title"), self.query_one("#counts")):
                widget.styles.padding = (0, 1)
        table.add_column(_("Order"), key="order")
        table.add_column(_("Shop"), key="shop")
        table.add_column(_("Due") if self.compact else _("Ship by"), key="ship_by")
        # Fixed widths for what a label run changes: the columns do not jump when rows change.
        table.add_column(_("State"), key="state", width=self._state_width())
        if not self.compact:
            table.add_column(_("Tracking"), key="tracking", width=self._tracking_width())
        table.add_column(_("Qty"), key="items")
        self.city_width = self._city_width()
        table.add_column(_("City"), key="city", width=self.city_width)
        self.query_one("#filter").display = False
        self.query_one(LogPane).display = False
        self.query_svc = OrdersQuery(self.ctx.store, self.ctx.clock)
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
        svc = self.query_svc
        assert svc is not None
        svc.load()
        svc.filtered(self.flt)
        with self.ctx.store.read() as view:
            tracking = outbox.tracking_by_order(view)
            pending = {
                f"{d.get('integration_id')}:{d.get('order_id')}"
                for d in view.orders.docs()
                if d.get("label_pending_at") and d.get("state") == NEW
            }
        self.app.call_from_thread(self._loaded_now, tracking, pending)

    def _loaded_now(
        self,
        tracking: dict[str, outbox.TrackingSummary] | None = None,
        pending: set[str] | None = None,
    ) -> None:
        self._loaded = True
        self.tracking = tracking if tracking is not None else self.tracking
        self.pending_labels = pending if pending is not None else self.pending_labels
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
        # At 80 columns the ship-by date leaves out the time (the details have it), so the
        # city still fits; the year is left out at every width (it is this week's date).
        shop_w, city_w = (SHOP_WIDTH_COMPACT if self.compact else SHOP_WIDTH), self.city_width
        city = f"{row.city}, {row.country}" if row.city else row.country
        if len(city) > city_w and city_w >= 10:  # the country stays: it decides the product
            city = f"{row.city[: city_w - len(row.country) - 3]}…, {row.country}"
        elif len(city) > city_w:
            city = row.city[: city_w - 1] + "…"
        overdue = row.ship_by is not None and row.ship_by < self.now and row.state in (NEW, HELD)
        ship_by = row.ship_by.astimezone().strftime("%m-%d") if row.ship_by else ""
        cells = [
            self._order_cell(row),
            Text(row.shop if len(row.shop) <= shop_w else row.shop[: shop_w - 1] + "…"),
            Text(
                ship_by if self.compact else when(row.ship_by, short=True),
                style="bold red" if overdue else "",
            ),
            self._state_cell(row),
        ]
        if not self.compact:
            cells.append(tracking_cell(self.tracking.get(row.key), self._tracking_width()))
        cells += [
            Text(str(row.items), justify="right"),
            Text(city, no_wrap=True, overflow="ellipsis"),
        ]
        return cells

    def _city_width(self) -> int:
        """What is left of the screen's width for the City column (the other columns are
        as wide as their longest possible cell)."""
        table = self.query_one(OrdersTable)
        with self.ctx.store.read() as view:
            shops = [len(i.shop_name) for i in view.integrations.all()]
        shop_w = SHOP_WIDTH_COMPACT if self.compact else SHOP_WIDTH
        widths = [
            20,  # mark + order id
            max(len(_("Shop")), min(shop_w, max(shops, default=shop_w))),
            max(len(_("Due") if self.compact else _("Ship by")), 5 if self.compact else 11),
            self._state_width(),
            len(_("Qty")),
        ]
        if not self.compact:
            widths.append(self._tracking_width())
        padding = 2 * table.cell_padding
        used = sum(w + padding for w in widths) + padding
        # the page's padding (none at 80 columns: every column counts) and the scrollbar (1)
        return max(6, min(CITY_WIDTH, self.app.size.width - (1 if self.compact else 3) - used))

    def _tracking_width(self) -> int:
        """Wide enough for the usual words in the operator's language."""
        words = [_("sent to Amazon"), _("waiting to be sent"), _("marked done by hand")]
        return max(TRACKING_WIDTH, *(len(w) for w in words))

    def _state_width(self) -> int:
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

    def _state_cell(self, row: OrderRow) -> Text:
        if row.key in self.pending_labels and row.state == NEW:
            return Text(_("label at GLS?"), style=WARN)
        text = state_text(row)
        if self.compact:
            word = tracking_word(self.tracking.get(row.key))
            if word.plain:
                text.append(" ")
                text.append_text(word)
        return text

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
        refused = sum(1 for t in self.tracking.values() if t.failed)
        if refused:
            parts.append(_("{n} refused by Amazon").format(n=refused))
        if self.busy:
            parts.append(f"{self.busy} {self.progress}".strip())
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
        self.refresh_bindings()  # r / m / F depend on the highlighted order
        detail = self.query_one("#detail", Static)
        key = self.current_key()
        order = self.query_svc.order(key) if key and self.query_svc else None
        if order is None:
            detail.update("")
            return
        info = read_label_info(self.ctx.store, order, self.ctx.data_dir)
        shop = self.query_svc.shops.get(order.integration_id, "")
        detail.update(detail_text(order, shop, info))

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

    # -- log pane -------------------------------------------------------------------------

    def _show_log(self, on: bool) -> None:
        self._showing_log = on
        log = self.query_one(LogPane)
        log.display = on
        self.query_one("#detail").display = not on
        if on:  # lines written while it was hidden: show the newest
            log.flush()
            self.call_after_refresh(log.scroll_end, animate=False)

    @on(OperatorMoved)
    def _operator_moved(self) -> None:
        """The operator moves through the list: show the order, not the log (l brings it)."""
        if self._showing_log and not self.busy:
            self._show_log(False)

    def _stamp(self) -> str:
        return self.ctx.clock.now().astimezone().strftime("%H:%M:%S")

    def log_line(self, text: str, level: str = INFO) -> None:
        self.query_one(LogPane).add(text, level, self._stamp())

    def report(self, event: Event) -> None:
        """The actions' Reporter: lines to the log, progress to the counts line; any thread."""
        if threading.get_ident() != self.app._thread_id:
            self.app.call_from_thread(self.report, event)
            return
        if isinstance(event, LogLine):
            shop = f"[{event.shop}] " if event.shop else ""
            self.log_line(shop + event.text, event.level)
        elif isinstance(event, Progress) and event.total:
            self.progress = f"{event.done}/{event.total}"
            self._show_counts()

    @on(ActivityAdded)
    def _take_activity(self) -> None:
        """Background lines from the app (start-up, tracking deliveries) into the log."""
        activity = getattr(self.app, "activity", ())
        log = self.query_one(LogPane)
        for seq, stamp, level, text in activity:
            if seq > self._activity_seen:
                log.add(text, level, stamp)
                self._activity_seen = seq

    @on(OutboxChanged)
    def _outbox_changed(self) -> None:
        """The app delivered tracking codes: show the new states."""
        if self._loaded and not self.busy:
            self.load()

    # -- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """r / m / F only show (and work) where they apply to the highlighted order."""
        if action not in ("retry", "mark_done", "force"):
            return True
        key = self.current_key() if self.is_mounted else None
        if key is None:
            return False
        if action == "force":
            return key in self.pending_labels
        summary = self.tracking.get(key)
        if summary is None:
            return False
        if action == "retry":
            return bool(summary.failed or summary.pending)
        return bool(summary.failed or summary.pending)

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

    def _order_id(self, key: str) -> str:
        return key.split(":", 1)[-1]

    def _can_start(self) -> bool:
        if self.busy:
            self.notify(
                _("Wait: {what} is still running.").format(what=self.busy),
                severity="warning",
                markup=False,
            )
            return False
        return True

    def _start(self, what: str) -> None:
        self.busy = what
        self.progress = ""
        self._show_log(True)
        self._show_counts()

    def _finish(self) -> None:
        self.busy = ""
        self.progress = ""
        log = self.query_one(LogPane)
        log.flush()
        self.call_after_refresh(log.scroll_end, animate=False)
        self.load()

    async def _exclusive(self) -> Any:
        """The app's delivery lock: no tracking delivery runs beside a label action."""
        lock = getattr(self.app, "outbox_lock", None)
        if lock is None:
            lock = asyncio.Lock()
        if lock.locked():
            self.log_line(_("Waiting for the tracking codes being sent right now..."))
        return lock

    # c: create labels

    def action_create_labels(self) -> None:
        keys = self.selected_keys
        if not keys:
            key = self.current_key()
            keys = [key] if key else []
        if not keys or not self._can_start():
            return
        self._start(_("creating labels"))
        self.log_line(_("Creating labels for {n} order(s)...").format(n=len(keys)))
        self.run_labels(keys, force=False)

    @work(exclusive=True, group=ACTIONS)
    async def run_labels(self, keys: list[str], force: bool = False) -> None:
        try:
            lock = await self._exclusive()
            async with lock:
                run = await labelling.create_labels(
                    self.ctx, keys, self.report, force=force, deliver=True
                )
            self.last_run = run
            self._after_labels(run)
        except GlstuiError as exc:  # finally: never leave the screen busy
            self._failed(exc)
        finally:
            self._finish()

    def _after_labels(self, run: labelling.LabelRun) -> None:
        done = {o.order_key for o in run.outcomes if o.status in (labelling.DONE, labelling.SKIP)}
        done |= {o.order_key for o in run.outcomes if o.status == labelling.HOLD}
        self.marked -= done
        if run.error and not run.outcomes:
            self.notify(run.error, title=_("No labels"), severity="error", markup=False)
            return
        lines = [
            _("Labelled {n}").format(n=run.labelled)
            + (" · " + _("held {n} (reasons in the log)").format(n=run.held) if run.held else "")
            + (
                " · " + _("failed {n}").format(n=run.failed + run.unknown)
                if run.failed + run.unknown
                else ""
            )
        ]
        if run.skipped:
            lines.append(
                _("skipped {n} (already labelled, held or cancelled)").format(n=run.skipped)
            )
        delivery = run.delivery
        if delivery is not None:
            if delivery.sent:
                lines.append(_("{n} tracking code(s) sent to Amazon").format(n=delivery.sent))
            if delivery.failed:
                lines.append(
                    _("{n} refused by Amazon: r retries, m marks done").format(n=delivery.failed)
                )
            waiting = delivery.retry_later + delivery.blocked
            if waiting:
                lines.append(_("{n} tracking code(s) wait (see the log)").format(n=waiting))
        if run.unknown:
            lines.append(
                _("{n} may already have a label at GLS: check, then F").format(n=run.unknown)
            )
        bad = run.failed or run.unknown or (delivery is not None and delivery.failed)
        severity = "error" if bad else "warning" if (run.held or run.error) else "information"
        self.notify(
            "\n".join(lines),
            title=_("Labels"),
            severity=severity,
            timeout=10 if severity != "information" else 6,
            markup=False,
        )

    def _failed(self, exc: GlstuiError) -> None:
        error = errors.operator_message(exc, None)
        self.log_line(error, ERROR)
        self.notify(error, severity="error", markup=False)

    # p: reprint

    def action_reprint(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        self._start(_("printing"))
        self.run_reprint(key)

    @work(exclusive=True, group=ACTIONS)
    async def run_reprint(self, key: str) -> None:
        try:
            result = await labelling.reprint_order_label(self.ctx, key, self.report)
            if result.printed:
                text = _("Label of order {order} sent to the printer.").format(
                    order=self._order_id(key)
                )
                self.notify(text, markup=False)
            elif result.files:
                self.notify(result.message, title=_("Label file"), timeout=15, markup=False)
            else:
                self.notify(result.message, severity="warning", markup=False)
        except GlstuiError as exc:
            self._failed(exc)
        finally:
            self._finish()

    # D / ctrl+d: delete the label at GLS

    def action_delete_label(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        order_id = self._order_id(key)
        row = self.query_svc.by_key(key) if self.query_svc else None
        summary = self.tracking.get(key)
        if row is None or row.state not in (LABELLED, SHIPPED):
            text = _("Order {order} has no label to delete.").format(order=order_id)
            self.notify(text, severity="warning", markup=False)
            return
        if row.state == SHIPPED or (summary and (summary.sent or summary.skipped)):
            # Amazon shows the tracking code already: the service refuses and says why.
            self._start(_("deleting the label"))
            self.run_delete(key)
            return

        def answered(yes: bool | None) -> None:
            if yes and self._can_start():
                self._start(_("deleting the label"))
                self.log_line(
                    _("Deleting the label of order {order} at GLS...").format(order=order_id)
                )
                self.run_delete(key)

        self.app.push_screen(
            ConfirmModal(
                _("Delete the GLS label of order {order}?").format(order=order_id),
                yes=_("Delete label"),
                detail=_(
                    "GLS cancels the parcel and the order is new again; its tracking code is "
                    "not sent to Amazon. Throw the printed label away."
                ),
                danger=True,
            ),
            answered,
        )

    @work(exclusive=True, group=ACTIONS)
    async def run_delete(self, key: str) -> None:
        try:
            lock = await self._exclusive()
            async with lock:
                result = await labelling.delete_order_label(self.ctx, key, self.report)
            if result.deleted:
                self.notify(result.message, markup=False)
            elif result.refused:
                self.notify(
                    result.message,
                    title=_("Label not deleted"),
                    severity="error",
                    timeout=15,
                    markup=False,
                )
            else:
                self.notify(result.message, severity="warning", timeout=10, markup=False)
        except GlstuiError as exc:
            self._failed(exc)
        finally:
            self._finish()

    # r: retry a refused confirmation;  m: mark it done by hand

    def action_retry(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        self._start(_("sending the tracking code"))
        self.log_line(
            _("Sending the tracking code of order {order} again...").format(
                order=self._order_id(key)
            )
        )
        self.run_retry(key)

    @work(exclusive=True, group=ACTIONS)
    async def run_retry(self, key: str) -> None:
        from glstui.services.context import MissingCredentials

        order_id = self._order_id(key)
        try:
            lock = await self._exclusive()
            async with lock:
                queued = await asyncio.to_thread(
                    outbox.retry_order, self.ctx.store, key, self.ctx.clock
                )
                if not queued:
                    text = _("Order {order} has no tracking code waiting.").format(order=order_id)
                    self.notify(text, severity="warning", markup=False)
                    return
                result = await outbox.deliver_pending(self.ctx, self.report, order_keys=[key])
            if result.failed:
                with self.ctx.store.read() as view:
                    error = outbox.order_tracking(view, key).last_error
                self.notify(
                    _("Amazon refused it again: {error}").format(error=error),
                    title=_("Order {order}").format(order=order_id),
                    severity="error",
                    timeout=15,
                    markup=False,
                )
            elif result.sent:
                self.notify(
                    _("Order {order}: tracking code sent to Amazon.").format(order=order_id),
                    markup=False,
                )
            else:
                self.notify(
                    _("Order {order}: not sent yet; it is tried again automatically.").format(
                        order=order_id
                    ),
                    severity="warning",
                    markup=False,
                )
        except MissingCredentials as exc:
            self.log_line(str(exc), ERROR)
            self.notify(str(exc), severity="error", markup=False)
        except GlstuiError as exc:
            self._failed(exc)
        finally:
            self._finish()

    def action_mark_done(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        summary = self.tracking.get(key)
        ids = [e.id for e in summary.entries if e.state in (PENDING, FAILED)] if summary else []
        if not ids:
            return
        order_id = self._order_id(key)

        def answered(yes: bool | None) -> None:
            if yes and self._can_start():
                self._start(_("marking done"))
                self.run_mark_done(key, ids)

        self.app.push_screen(
            ConfirmModal(
                _("Mark the tracking code of order {order} as done by hand?").format(
                    order=order_id
                ),
                yes=_("Done by hand"),
                detail=_(
                    "Only when you confirmed the shipment in Seller Central yourself: glstui "
                    "stops sending this tracking code and the order counts as shipped."
                ),
                danger=True,
            ),
            answered,
        )

    @work(exclusive=True, group=ACTIONS)
    async def run_mark_done(self, key: str, entry_ids: list[str]) -> None:
        order_id = self._order_id(key)

        def mark() -> None:
            for entry_id in entry_ids:
                outbox.mark_done(self.ctx.store, entry_id, self.ctx.clock)

        try:
            lock = await self._exclusive()
            async with lock:
                await asyncio.to_thread(mark)
            text = _("Order {order}: marked done by hand; glstui no longer sends it.").format(
                order=order_id
            )
            self.log_line(text)
            self.notify(text, markup=False)
        except GlstuiError as exc:
            self._failed(exc)
        finally:
            self._finish()

    # F: a label may already exist at GLS

    def action_force(self) -> None:
        key = self.current_key()
        if key is None or key not in self.pending_labels or not self._can_start():
            return
        order_id = self._order_id(key)

        def answered(yes: bool | None) -> None:
            if yes and self._can_start():
                self._start(_("creating labels"))
                self.log_line(
                    _("Creating the label of order {order} anyway...").format(order=order_id)
                )
                self.run_labels([key], force=True)

        self.app.push_screen(
            ConfirmModal(
                _("Create a label for order {order} anyway?").format(order=order_id),
                yes=_("Create anyway"),
                detail=_(
                    "glstui asked GLS for this label and got no answer, so a label with "
                    "reference {order} may already exist. If it does, this makes a SECOND "
                    "label and parcel for the same order. Look for {order} in the GLS portal "
                    "first; delete it there, or print that one instead."
                ).format(order=order_id),
                danger=True,
            ),
            answered,
        )

    def action_forget_pending(self) -> None:
        key = self.current_key()
        if key is None or key not in self.pending_labels or not self._can_start():
            return
        order_id = self._order_id(key)

        def answered(yes: bool | None) -> None:
            if yes:
                labelling.forget_pending_label(self.ctx.store, key)
                self.log_line(
                    _("Order {order}: warning cleared; c creates its label.").format(order=order_id)
                )
                self.load()

        self.app.push_screen(
            ConfirmModal(
                _("GLS has no label for order {order}: clear the warning?").format(order=order_id),
                detail=_(
                    "Only when the GLS portal shows no label with reference {order}; then c "
                    "creates its label as usual."
                ).format(order=order_id),
                danger=True,
            ),
            answered,
        )

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
            (
                _("Create labels"),
                _("GLS labels for the marked orders or the highlighted one (c)"),
                self.action_create_labels,
            ),
            (
                _("Print the label again"),
                _("Reprint the highlighted order's label, or show where the file is (p)"),
                self.action_reprint,
            ),
            (
                _("Delete the label"),
                _("Delete the highlighted order's label at GLS, before Amazon is told (D)"),
                self.action_delete_label,
            ),
            (
                _("Send the tracking code again"),
                _("Retry a tracking code Amazon refused (r)"),
                self.action_retry,
            ),
            (
                _("Tracking code done by hand"),
                _("You confirmed the order in Seller Central yourself (m)"),
                self.action_mark_done,
            ),
            (
                _("Create the label anyway"),
                _("A label may already exist at GLS: you checked the GLS portal (F)"),
                self.action_force,
            ),
            (
                _("Clear 'label at GLS?'"),
                _("The GLS portal has no label for the highlighted order"),
                self.action_forget_pending,
            ),
            (
                _("Show the log"),
                _("What the last label run and tracking deliveries did (l)"),
                self.action_toggle_log,
            ),
        ]


def label_text(info: LabelInfo, order_id: str) -> Text:
    """Parcels, label files, tracking links and each confirmation of one order."""
    text = Text(no_wrap=False)
    if info.pending_since is not None and info.shipment is None:
        text.append(
            _(
                "A label with reference {order} may already exist at GLS (asked {since}, no "
                "answer). Check the GLS portal; F creates it anyway."
            ).format(order=order_id, since=when(info.pending_since))
            + "\n",
            style=WARN,
        )
    shipment = info.shipment
    if shipment is not None:
        text.append(_("Label: "), style="bold")
        text.append(
            _("parcel {parcels}, {made}").format(
                parcels=", ".join(shipment.parcel_numbers), made=when(shipment.created_at)
            )
            + "\n"
        )
        for path in info.files:
            text.append(f"  {path}\n", style="dim")
        for link in shipment.tracking_links:
            text.append(f"  {link}\n", style="dim")
    summary = info.tracking
    if summary is not None and summary.total:
        for entry in summary.entries:
            text.append(_("Amazon parcel {ref}: ").format(ref=entry.package_reference_id))
            if entry.state == SENT:
                text.append(_("sent {at}").format(at=when(entry.sent_at)), style="dim")
            elif entry.state == SKIPPED:
                text.append(_("marked done by hand"), style="dim")
            elif entry.state == FAILED:
                text.append(_("REFUSED: {error}").format(error=entry.last_error), style="bold red")
                text.append("\n  " + _("r sends it again, m marks it done by hand"), style="dim")
            else:
                text.append(_("waiting to be sent"), style="bold")
                if entry.last_error:
                    error = entry.last_error.strip()
                    if not error.endswith((".", "!", "?")):
                        error += "."
                    text.append(
                        "  "
                        + _("Last try: {error} Next try {at}.").format(
                            error=error, at=when(entry.next_attempt_at)
                        ),
                        style="dim",
                    )
            text.append("\n")
    elif shipment is not None:
        text.append(
            _("Tracking update is off for this shop: Amazon is not told.") + "\n", style="dim"
        )
    return text


def detail_text(order: Order, shop: str, info: LabelInfo | None = None) -> Text:
    """Label, tracking, items, address, decision and hold reason of one order (shown, never
    logged)."""
    text = Text(no_wrap=False)
    text.append(f"{order.order_id}", style="bold")
    text.append(f"  {shop}  ")
    text.append_text(state_text(order))
    stale = order.state in (LABELLED, SHIPPED) and order.amazon_status in (
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
    )  # Amazon's status at the import: we labelled (and told Amazon) since then
    if order.amazon_status and not stale:
        text.append(f"  Amazon: {order.amazon_status}", style="dim")
    text.append("\n")
    if order.hold_reason:
        loud = order.state == CANCELLED or order.amazon_status == "CANCELLED"
        text.append(f"{reason_text(order.hold_reason)}\n", style=LOUD if loud else "bold")
    if info is not None:
        text.append_text(label_text(info, order.order_id))
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
        text.append_text(decision_text(decision))
    return text
