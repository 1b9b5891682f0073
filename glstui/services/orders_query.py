"""The orders list for the Orders screen: filtered, sorted and paged, fast at 100k orders.

Decoding every stored order into a dataclass costs ~7 s at 100k orders, so the list is built
from the stored documents into small `OrderRow`s (~0.2 s at 100k, done off the UI thread),
filtered in memory (~50 ms) and handed out a window of at most a few hundred rows at a time.
Details of one order are read on demand (one keyed lookup). The screen never reads store
documents or spells order keys itself: everything it shows comes from here, typed.

Filter text (the `/` box): words must all match the order id, shop name, city or country;
`state:new,held`, `shop:<part of name>`, `from:YYYY-MM-DD` / `to:YYYY-MM-DD` (ship-by date,
inclusive) and `due:today` / `due:YYYY-MM-DD` (ship by that day at the latest) narrow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any

from glstui.domain.clock import Clock, from_iso
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, STATES, Order, order_key
from glstui.domain.serial import from_dict
from glstui.domain.shipment import FAILED, SENT, SKIPPED, OutboxEntry, Shipment
from glstui.i18n import _
from glstui.services import labelling, outbox
from glstui.services.outbox import TrackingSummary
from glstui.store import Store

PAGE_SIZE = 500

# Why an order needs the operator (the Orders screen counts them; one key jumps to the next).
# Decided: only what the operator can act on from the Orders screen. A label that may exist
# at GLS (check the portal, then F), a tracking code Amazon refused (r / m / D), a label made
# before Amazon cancelled the order (D deletes it), a held order (fix its reason). Not: new
# orders (that is the day's work), plain cancelled ones (nothing to do), shipped orders that
# were cancelled afterwards (only GLS can stop the parcel; the details say so).
CHECK_AT_GLS = "check_at_gls"
REFUSED = "refused"
CANCELLED_AFTER_LABEL = "cancelled_after_label"
HELD_ORDER = "held"

# The state presets the Orders screen cycles through with one key.
OPEN = (NEW, HELD)
STATE_PRESETS: tuple[tuple[str, ...], ...] = (
    (),
    OPEN,
    (NEW,),
    (HELD,),
    (LABELLED,),
    (SHIPPED,),
    (CANCELLED,),
)


@dataclass(frozen=True, slots=True)
class OrderRow:
    """What the orders table shows of one order (no address lines, no buyer name)."""

    key: str
    integration_id: str
    shop: str
    order_id: str
    ship_by: datetime | None
    created_at: datetime | None
    city: str
    country: str
    items: int
    state: str
    amazon_status: str
    search: str  # casefolded order id, shop, city, country
    label_pending: bool = False  # asked GLS for a label, no answer: one may exist at GLS

    @property
    def cancelled_on_amazon(self) -> bool:
        """Cancelled by the buyer or Amazon: must not be shipped (shown loudly)."""
        return self.state == CANCELLED or self.amazon_status == "CANCELLED"


@dataclass(frozen=True)
class OrderFilter:
    text: str = ""  # free words, all must match
    states: tuple[str, ...] = ()  # empty = every state
    shop: str = ""  # part of the shop name
    ship_from: date | None = None
    ship_to: date | None = None
    problems: tuple[str, ...] = field(default=())  # parts of the filter text not understood

    @property
    def active(self) -> bool:
        return bool(self.text or self.states or self.shop or self.ship_from or self.ship_to)


_TOKEN = re.compile(r"^(state|s|shop|from|to|due):(.*)$", re.IGNORECASE)


def parse_filter(text: str, today: date, states: tuple[str, ...] = ()) -> OrderFilter:
    """Turn the `/` box text into an OrderFilter; `states` comes from the state key preset.

    A `state:` word in the text replaces the preset. Words that cannot be read are kept in
    `problems` so the screen can say so instead of silently showing nothing.
    """
    words: list[str] = []
    shop = ""
    ship_from = ship_to = None
    problems: list[str] = []
    for word in text.split():
        match = _TOKEN.match(word)
        if not match:
            words.append(word.casefold())
            continue
        key, value = match.group(1).lower(), match.group(2)
        if key in ("state", "s"):
            wanted = tuple(v for v in value.lower().split(",") if v)
            unknown = [v for v in wanted if v not in STATES and v != "open"]
            if unknown:
                problems.append(word)
                continue
            expanded: list[str] = []
            for v in wanted:
                expanded.extend(OPEN if v == "open" else (v,))
            states = tuple(dict.fromkeys(expanded))
        elif key == "shop":
            shop = value.casefold()
        else:
            day = _day(value, today)
            if day is None:
                problems.append(word)
            elif key == "from":
                ship_from = day
            else:  # to, due
                ship_to = day
    return OrderFilter(
        text=" ".join(words),
        states=states,
        shop=shop,
        ship_from=ship_from,
        ship_to=ship_to,
        problems=tuple(problems),
    )


def _day(value: str, today: date) -> date | None:
    value = value.lower()
    if value in ("today", "vandaag"):
        return today
    if value in ("tomorrow", "morgen"):
        return today + timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def matches(row: OrderRow, flt: OrderFilter) -> bool:
    if flt.states and row.state not in flt.states:
        return False
    if flt.shop and flt.shop not in row.shop.casefold():
        return False
    if flt.ship_from or flt.ship_to:
        if row.ship_by is None:
            return False
        day = row.ship_by.astimezone().date()
        if flt.ship_from and day < flt.ship_from:
            return False
        if flt.ship_to and day > flt.ship_to:
            return False
    return all(word in row.search for word in flt.text.split())


@dataclass
class OrderPage:
    rows: list[OrderRow]
    offset: int  # index of rows[0] among the matching orders
    matching: int  # orders matching the filter
    total: int  # orders stored (hot)

    @property
    def end(self) -> int:
        return self.offset + len(self.rows)


def _sort_key(row: OrderRow) -> tuple[Any, ...]:
    # Most urgent first: ship-by date, then order id; orders without a date last.
    return (row.ship_by is None, row.ship_by or datetime.min, row.order_id)


def _row(doc: dict[str, Any], shops: dict[str, str]) -> OrderRow:
    integration_id = str(doc.get("integration_id", ""))
    order_id = str(doc.get("order_id", ""))
    recipient = doc.get("recipient") or {}
    city = str(recipient.get("city") or "")
    country = str(doc.get("country_code") or recipient.get("country_code") or "")
    shop = shops.get(integration_id, integration_id)
    items = sum(int(i.get("quantity") or 0) for i in doc.get("items") or ())
    return OrderRow(
        key=order_key(integration_id, order_id),
        integration_id=integration_id,
        shop=shop,
        order_id=order_id,
        ship_by=from_iso(doc.get("ship_by")),
        created_at=from_iso(doc.get("created_at")),
        city=city,
        country=country,
        items=items,
        state=str(doc.get("state") or NEW),
        amazon_status=str(doc.get("amazon_status") or ""),
        search=f"{order_id} {shop} {city} {country}".casefold(),
        label_pending=bool(doc.get("label_pending_at")),
    )


class OrdersQuery:
    """Holds the rows of the last `load()`; filtering and paging never touch the store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.rows: list[OrderRow] = []
        self.shops: dict[str, str] = {}
        self._filtered: tuple[OrderFilter, list[OrderRow]] | None = None
        self._index: dict[str, OrderRow] | None = None

    def load(self) -> int:
        """(Re)read the stored orders; returns how many. Call off the UI thread."""
        with self.store.read() as view:
            settings = view.settings.get()
            shops = {
                shop_id: _("{name} (deleted shop)").format(name=settings.retired_shop(shop_id)[2])
                for shop_id in settings.retired_shops
            }
            shops.update({i.id: i.shop_name for i in view.integrations.all()})
            # Stored documents as they are, not decoded (100k decodes would take seconds);
            # a damaged one is a StoreRecordDamaged naming the file, not a traceback.
            rows = view.orders.map_docs(lambda doc: _row(doc, shops))
        rows.sort(key=_sort_key)
        self.rows, self.shops, self._filtered, self._index = rows, shops, None, None
        return len(rows)

    def filtered(self, flt: OrderFilter) -> list[OrderRow]:
        if self._filtered is not None and self._filtered[0] == flt:
            return self._filtered[1]
        rows = [r for r in self.rows if matches(r, flt)] if flt.active else self.rows
        self._filtered = (flt, rows)
        return rows

    def page(self, flt: OrderFilter, offset: int = 0, limit: int = PAGE_SIZE) -> OrderPage:
        """The window of matching rows starting at `offset` (clamped into range)."""
        rows = self.filtered(flt)
        offset = max(0, min(offset, max(len(rows) - 1, 0)))
        offset -= offset % limit if limit else 0
        return OrderPage(rows[offset : offset + limit], offset, len(rows), len(self.rows))

    def by_key(self, key: str) -> OrderRow | None:
        if self._index is None:
            self._index = {r.key: r for r in self.rows}
        return self._index.get(key)

    def keys(self, flt: OrderFilter) -> list[str]:
        return [r.key for r in self.filtered(flt)]

    def order(self, key: str) -> Order | None:
        """The whole order (items, address, decision) for the details pane."""
        with self.store.read() as view:
            return view.orders.get(key)

    def order_id(self, key: str) -> str:
        """The Amazon order id of a key (from the loaded row; the key's own part otherwise)."""
        row = self.by_key(key)
        return row.order_id if row is not None else key.split(":", 1)[-1]

    def states(self) -> OrderStates:
        """Where each order's tracking code is, and which may have a label at GLS."""
        with self.store.read() as view:
            tracking = outbox.tracking_by_order(view)
        pending = frozenset(r.key for r in self.rows if r.label_pending and r.state == NEW)
        attention = {}
        for row in self.rows:  # list order: the jump key goes down the list
            reason = attention_reason(row, tracking, pending)
            if reason:
                attention[row.key] = reason
        return OrderStates(tracking, pending, attention)

    def next_needing_attention(
        self, flt: OrderFilter, states: OrderStates, after: int
    ) -> int | None:
        """Index (among the rows `flt` shows) of the first order after index `after` that
        needs the operator, wrapping round to the top; None when the filter shows none."""
        rows = self.filtered(flt)
        wanted = states.attention
        for index in chain(range(after + 1, len(rows)), range(min(after + 1, len(rows)))):
            if rows[index].key in wanted:
                return index
        return None

    def tracking(self, key: str) -> TrackingSummary:
        with self.store.read() as view:
            return outbox.order_tracking(view, key)

    def label_info(self, order: Order, data_dir: Path | None = None) -> LabelInfo:
        """The order's current label (one scan of the stored shipments, nothing decoded but
        it); label files relative to `data_dir` when they are in it."""
        info = LabelInfo(pending_since=order.label_pending_at)
        with self.store.read() as view:
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


@dataclass(frozen=True)
class OrderStates:
    """Read beside the rows: each order's confirmations, the 'label at GLS?' orders and the
    orders that need the operator (key -> why, one of the reasons above)."""

    tracking: dict[str, TrackingSummary] = field(default_factory=dict)
    pending_labels: frozenset[str] = frozenset()
    attention: dict[str, str] = field(default_factory=dict)


def attention_reason(
    row: OrderRow, tracking: dict[str, TrackingSummary], pending_labels: frozenset[str]
) -> str:
    """Why `row` needs the operator ("" when it does not)."""
    if row.key in pending_labels:
        return CHECK_AT_GLS
    summary = tracking.get(row.key)
    if summary is not None and summary.failed:
        return REFUSED
    if row.state == LABELLED and row.amazon_status == "CANCELLED":
        return CANCELLED_AFTER_LABEL
    if row.state == HELD:
        return HELD_ORDER
    return ""


def refused_as_cancelled(summary: TrackingSummary | None, amazon_status: str = "") -> bool:
    """Amazon refused the tracking code because the order is cancelled: sending it again is
    refused again, so the screen offers no retry (the label should be deleted instead).
    Known from the order's Amazon status or from Amazon's own words in the refusal."""
    if summary is None or not summary.failed:
        return False
    if amazon_status == "CANCELLED":
        return True
    return any(e.state == FAILED and "cancel" in e.last_error.casefold() for e in summary.entries)


#: What a confirmation's state is called in the details pane, and how loud it is. A new
#: state (e.g. "verified at Amazon") is one more entry here and in `confirmation_state`.
CONFIRMATION_SENT, CONFIRMATION_BY_HAND = "sent", "by_hand"
CONFIRMATION_REFUSED, CONFIRMATION_WAITING = "refused", "waiting"


def confirmation_state(entry: OutboxEntry) -> str:
    """One of the CONFIRMATION_* states of one parcel's confirmation."""
    if entry.state == SENT:
        return CONFIRMATION_SENT
    if entry.state == SKIPPED:
        return CONFIRMATION_BY_HAND
    if entry.state == FAILED:
        return CONFIRMATION_REFUSED
    return CONFIRMATION_WAITING


@dataclass
class LabelInfo:
    """What the details pane shows about an order's label and its confirmations."""

    shipment: Shipment | None = None
    files: list[str] = field(default_factory=list)
    tracking: TrackingSummary | None = None
    pending_since: datetime | None = None  # label_pending_at: a label may exist at GLS


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
