"""The orders list for the Orders screen: filtered, sorted and paged, fast at 100k orders.

Decoding every stored order into a dataclass costs ~7 s at 100k orders, so the list is built
from the stored documents into small `OrderRow`s (~0.2 s at 100k, done off the UI thread),
filtered in memory (~50 ms) and handed out a window of at most a few hundred rows at a time.
Details of one order are read on demand (one keyed lookup).

Filter text (the `/` box): words must all match the order id, shop name, city or country;
`state:new,held`, `shop:<part of name>`, `from:YYYY-MM-DD` / `to:YYYY-MM-DD` (ship-by date,
inclusive) and `due:today` / `due:YYYY-MM-DD` (ship by that day at the latest) narrow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from glstui.domain.clock import Clock, from_iso
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, STATES, Order, order_key
from glstui.i18n import _

PAGE_SIZE = 500

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

    def with_states(self, states: tuple[str, ...]) -> OrderFilter:
        return replace(self, states=states)


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
    )


class OrdersQuery:
    """Holds the rows of the last `load()`; filtering and paging never touch the store."""

    def __init__(self, store: Any, clock: Clock) -> None:
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

    def state_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for row in self.rows:
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts
