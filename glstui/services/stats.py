"""Statistics of what was imported, labelled and confirmed, per shop and in total.

Why it is shaped like this:
- one pass computes the 7, 30 and 90 day views together: every event is counted per shop
  and per UTC day, and a period is the sum of its last N days, so the screen switches period
  without reading the store again;
- the store is read file by file: the hot file, then only the monthly archives that can hold
  something of the last 90 days (an order is archived by the month it shipped, never before
  it was imported, with its labels and confirmations). Stored documents are read as they are,
  not decoded into domain objects (that alone costs seconds at 100k orders);
- an archive month hardly ever changes, so what it contributes (counts per shop and day) is
  cached in <data dir>/cache/stats-YYYY-MM.json, keyed by the archive file's identity
  (inode, mtime, size): a changed archive is simply counted again. The cache holds counts
  and shop ids only, no order data. Only parsing the big archive files would take seconds;
- "labelled" and "confirmed" count orders, not parcels: an order with two parcels is one
  labelled order, on the day of its first label; a deleted label does not count;
- the warnings (orders past their latest ship date, confirmations Amazon refused, consent
  that runs out within 30 days) are facts of "now", the same in every period; the screen
  shows them loud. "Past the latest ship date" = Amazon still waits for the order: no label
  yet (new or held), or labelled with its tracking confirmation still pending or failed. A
  labelled order of a shop whose tracking update is off is done as far as glstui can tell.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from glstui.domain.clock import Clock, from_iso, to_iso
from glstui.domain.integration import Integration
from glstui.domain.order import HELD, LABELLED, NEW, Order, order_key
from glstui.domain.serial import to_dict
from glstui.domain.shipment import FAILED, PENDING, SENT, OutboxEntry, Shipment
from glstui.files import atomic_write
from glstui.store.archive_scan import ArchiveScan

PERIODS = (7, 30, 90)
MAX_DAYS = max(PERIODS)
RECONSENT_WARN_DAYS = 30
TOTAL_ID = ""  # integration_id of the totals row
CACHE_DIR = "cache"
CACHE_VERSION = 1


@dataclass
class ShopStats:
    """One row of the statistics table (a shop, or the totals when integration_id is "")."""

    integration_id: str
    shop_name: str
    days: int
    imported: int = 0
    labelled: int = 0
    confirmed: int = 0
    imported_per_day: list[int] = field(default_factory=list)  # oldest first, today last
    labelled_per_day: list[int] = field(default_factory=list)
    confirmed_per_day: list[int] = field(default_factory=list)
    median_label_hours: float | None = None  # import -> first label, orders labelled in period
    # facts of "now", the same in every period:
    pending: int = 0  # confirmations waiting to be sent
    failed: int = 0  # confirmations Amazon refused (they wait for the operator)
    past_ship_by: int = 0  # Amazon still waits for it, and its latest ship date has passed
    reconsent_days_left: int | None = None


@dataclass
class ReconsentDue:
    integration_id: str
    shop_name: str
    days_left: int  # negative = expired that many days ago
    due: datetime


@dataclass
class PeriodStats:
    days: int
    first_day: date
    last_day: date
    shops: list[ShopStats]
    total: ShopStats


@dataclass
class StatsReport:
    now: datetime
    periods: dict[int, PeriodStats]
    reconsent_due: list[ReconsentDue]
    past_ship_by: int
    failed: int
    pending: int
    oldest_past_ship_by: datetime | None = None

    def period(self, days: int) -> PeriodStats:
        return self.periods[days]

    @property
    def has_warnings(self) -> bool:
        return bool(self.past_ship_by or self.failed or self.reconsent_due)


def _median_hours(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


# --- counting one data file ---------------------------------------------------------------


@dataclass
class FileTally:
    """What one data file contributes, per shop id and UTC day ("YYYY-MM-DD"). JSON-able."""

    imported: dict[str, dict[str, int]] = field(default_factory=dict)
    labelled: dict[str, dict[str, int]] = field(default_factory=dict)
    confirmed: dict[str, dict[str, int]] = field(default_factory=dict)
    hours: dict[str, list[list[Any]]] = field(default_factory=dict)  # [[day, hours], ...]
    pending: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    past_ship_by: dict[str, int] = field(default_factory=dict)
    oldest_past_ship_by: str | None = None


class FileCounter:
    """Counts the stored documents of ONE data file: shipments and outbox entries first, then
    orders (an order is joined to its first label, which lives in the same file).

    Works on the stored form of the times: the store writes every time as
    "YYYY-MM-DDTHH:MM:SSZ", which sorts like the time itself, so few need parsing.
    """

    def __init__(self, now: datetime) -> None:
        self._now_iso = to_iso(now) or ""
        self.tally = FileTally()
        self._first_label: dict[str, tuple[str, str]] = {}  # order key -> (shop, time)
        self._first_sent: dict[str, tuple[str, str]] = {}
        self._owed: set[str] = set()  # order keys with a confirmation still pending/failed

    @staticmethod
    def _bump(table: dict[str, dict[str, int]], shop: str, day: str) -> None:
        days = table.get(shop)
        if days is None:
            days = table[shop] = {}
        days[day] = days.get(day, 0) + 1

    def add_shipment_doc(self, doc: dict[str, Any]) -> None:
        created = doc.get("created_at")
        if not created or doc.get("deleted_at"):
            return
        key = doc.get("order_key", "")
        seen = self._first_label.get(key)
        if seen is None or created < seen[1]:
            self._first_label[key] = (doc.get("integration_id", ""), created)

    def add_outbox_doc(self, doc: dict[str, Any]) -> None:
        state = doc.get("state")
        shop = doc.get("integration_id", "")
        if state == PENDING:
            self.tally.pending[shop] = self.tally.pending.get(shop, 0) + 1
            self._owed.add(doc.get("order_key", ""))
        elif state == FAILED:
            self.tally.failed[shop] = self.tally.failed.get(shop, 0) + 1
            self._owed.add(doc.get("order_key", ""))
        elif state == SENT:
            sent = doc.get("sent_at")
            if not sent:
                return
            key = doc.get("order_key", "")
            seen = self._first_sent.get(key)
            if seen is None or sent < seen[1]:
                self._first_sent[key] = (shop, sent)

    def add_order_doc(self, doc: dict[str, Any]) -> None:
        tally = self.tally
        shop = doc.get("integration_id", "")
        imported = doc.get("imported_at")
        if imported:
            self._bump(tally.imported, shop, imported[:10])
        ship_by = doc.get("ship_by")
        if ship_by and ship_by < self._now_iso and self._still_owed(doc, shop):
            tally.past_ship_by[shop] = tally.past_ship_by.get(shop, 0) + 1
            if tally.oldest_past_ship_by is None or ship_by < tally.oldest_past_ship_by:
                tally.oldest_past_ship_by = ship_by
        if imported and self._first_label:
            first = self._first_label.get(order_key(shop, doc.get("order_id", "")))
            label_at = from_iso(first[1]) if first else None
            imported_at = from_iso(imported)
            if first and label_at and imported_at:
                hours = max(0.0, (label_at - imported_at).total_seconds() / 3600)
                tally.hours.setdefault(shop, []).append([first[1][:10], round(hours, 3)])

    def _still_owed(self, doc: dict[str, Any], shop: str) -> bool:
        """Amazon still waits for this order: no label yet, or its tracking not yet sent."""
        state = doc.get("state")
        if state in (NEW, HELD):
            return True
        return state == LABELLED and order_key(shop, doc.get("order_id", "")) in self._owed

    def finish(self) -> FileTally:
        for events, table in (
            (self._first_label, self.tally.labelled),
            (self._first_sent, self.tally.confirmed),
        ):
            for shop, when in events.values():
                self._bump(table, shop, when[:10])
        self._first_label.clear()
        self._first_sent.clear()
        return self.tally


def docs(repo: Any) -> Iterator[dict[str, Any]]:
    """The stored documents of a repo, not decoded into domain objects (read-only!).

    Decoding costs ~0.1 ms an order, seconds at 100k orders, and statistics need only a
    few fields.
    """
    yield from repo.docs()


def count_file(part: Any, now: datetime) -> FileTally:
    """Count one data file: the hot view, or one archive month (shipments, outbox, orders)."""
    counter = FileCounter(now)
    for doc in docs(part.shipments):
        counter.add_shipment_doc(doc)
    for doc in docs(part.outbox):
        counter.add_outbox_doc(doc)
    for doc in docs(part.orders):
        counter.add_order_doc(doc)
    return counter.finish()


# --- adding files up ------------------------------------------------------------------------


@dataclass
class _Shop:
    imported: Counter[str] = field(default_factory=Counter)
    labelled: Counter[str] = field(default_factory=Counter)
    confirmed: Counter[str] = field(default_factory=Counter)
    hours: list[tuple[str, float]] = field(default_factory=list)
    pending: int = 0
    failed: int = 0
    past_ship_by: int = 0


class StatsBuilder:
    """Adds up FileTally's (or, for small callers and tests, domain objects) into a report."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = now.date()
        self._shops: dict[str, _Shop] = {}
        self._oldest_past: str | None = None
        self._open: FileCounter | None = None

    def _shop(self, integration_id: str) -> _Shop:
        found = self._shops.get(integration_id)
        if found is None:
            found = self._shops[integration_id] = _Shop()
        return found

    def add_tally(self, tally: FileTally) -> None:
        for table, attr in (
            (tally.imported, "imported"),
            (tally.labelled, "labelled"),
            (tally.confirmed, "confirmed"),
        ):
            for shop, days in table.items():
                getattr(self._shop(shop), attr).update(days)
        for shop, pairs in tally.hours.items():
            self._shop(shop).hours.extend((d, h) for d, h in pairs)
        for counts, attr in (
            (tally.pending, "pending"),
            (tally.failed, "failed"),
            (tally.past_ship_by, "past_ship_by"),
        ):
            for shop, n in counts.items():
                target = self._shop(shop)
                setattr(target, attr, getattr(target, attr) + n)
        oldest = tally.oldest_past_ship_by
        if oldest and (self._oldest_past is None or oldest < self._oldest_past):
            self._oldest_past = oldest

    # Domain objects, all of one file: shipments and outbox entries before orders.
    def _counter(self) -> FileCounter:
        if self._open is None:
            self._open = FileCounter(self.now)
        return self._open

    def add_shipment(self, shipment: Shipment) -> None:
        self._counter().add_shipment_doc(to_dict(shipment))

    def add_outbox(self, entry: OutboxEntry) -> None:
        self._counter().add_outbox_doc(to_dict(entry))

    def add_order(self, order: Order) -> None:
        self._counter().add_order_doc(
            {
                "integration_id": order.integration_id,
                "order_id": order.order_id,
                "state": order.state,
                "imported_at": to_iso(order.imported_at),
                "ship_by": to_iso(order.ship_by),
            }
        )

    # -- results -------------------------------------------------------------------------

    def finish(self, integrations: Iterable[Integration]) -> StatsReport:
        if self._open is not None:
            self.add_tally(self._open.finish())
            self._open = None
        integrations = list(integrations)
        names = {i.id: i.shop_name for i in integrations}
        for integ in integrations:
            self._shop(integ.id)
        reconsent: list[ReconsentDue] = []
        days_left: dict[str, int | None] = {}
        for integ in integrations:
            left = integ.reconsent_days_left(self.now)
            days_left[integ.id] = left
            due = integ.reconsent_due()
            if left is not None and due is not None and left <= RECONSENT_WARN_DAYS:
                reconsent.append(ReconsentDue(integ.id, integ.shop_name, left, due))
        reconsent.sort(key=lambda r: (r.days_left, r.shop_name.casefold()))

        ids = sorted(self._shops, key=lambda i: (i not in names, names.get(i, "").casefold(), i))
        periods: dict[int, PeriodStats] = {}
        for days in PERIODS:
            dates = [(self.today - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]
            rows = [
                self._row(i, names.get(i) or _deleted_name(i), days, dates, days_left) for i in ids
            ]
            periods[days] = PeriodStats(
                days=days,
                first_day=self.today - timedelta(days=days - 1),
                last_day=self.today,
                shops=rows,
                total=self._total(rows, days, dates),
            )
        everything = periods[PERIODS[0]].total
        return StatsReport(
            now=self.now,
            periods=periods,
            reconsent_due=reconsent,
            past_ship_by=everything.past_ship_by,
            failed=everything.failed,
            pending=everything.pending,
            oldest_past_ship_by=from_iso(self._oldest_past),
        )

    def _row(
        self,
        integration_id: str,
        name: str,
        days: int,
        dates: list[str],
        days_left: dict[str, int | None],
    ) -> ShopStats:
        shop = self._shops[integration_id]
        imported = [shop.imported.get(d, 0) for d in dates]
        labelled = [shop.labelled.get(d, 0) for d in dates]
        confirmed = [shop.confirmed.get(d, 0) for d in dates]
        first = dates[0]
        return ShopStats(
            integration_id=integration_id,
            shop_name=name,
            days=days,
            imported=sum(imported),
            labelled=sum(labelled),
            confirmed=sum(confirmed),
            imported_per_day=imported,
            labelled_per_day=labelled,
            confirmed_per_day=confirmed,
            median_label_hours=_median_hours([h for d, h in shop.hours if first <= d <= dates[-1]]),
            pending=shop.pending,
            failed=shop.failed,
            past_ship_by=shop.past_ship_by,
            reconsent_days_left=days_left.get(integration_id),
        )

    def _total(self, rows: list[ShopStats], days: int, dates: list[str]) -> ShopStats:
        def column(attr: str) -> list[int]:
            return [sum(col) for col in zip(*(getattr(r, attr) for r in rows), strict=True)] or [
                0
            ] * days

        first = dates[0]
        hours = [h for s in self._shops.values() for d, h in s.hours if first <= d <= dates[-1]]
        total = ShopStats(
            integration_id=TOTAL_ID,
            shop_name="",
            days=days,
            imported_per_day=column("imported_per_day"),
            labelled_per_day=column("labelled_per_day"),
            confirmed_per_day=column("confirmed_per_day"),
            median_label_hours=_median_hours(hours),
            pending=sum(r.pending for r in rows),
            failed=sum(r.failed for r in rows),
            past_ship_by=sum(r.past_ship_by for r in rows),
        )
        total.imported = sum(total.imported_per_day)
        total.labelled = sum(total.labelled_per_day)
        total.confirmed = sum(total.confirmed_per_day)
        return total


def _deleted_name(integration_id: str) -> str:
    return f"(deleted shop {integration_id[:6]})"


def months_back(now: datetime, days: int = MAX_DAYS) -> list[str]:
    """ "YYYY-MM" of every month from `days - 1` days before `now` up to now, oldest first."""
    first = (now - timedelta(days=days - 1)).date()
    year, month = first.year, first.month
    out = []
    while (year, month) <= (now.year, now.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- the archive cache ----------------------------------------------------------------------


def _archive_signature(store: Any, month: str) -> list[int] | None:
    try:
        st = os.stat(Path(store.archive_dir) / f"orders-{month}.json")
    except (OSError, AttributeError):
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size]


def _cache_path(store: Any, month: str) -> Path:
    return Path(store.data_dir) / CACHE_DIR / f"stats-{month}.json"


def _read_cache(path: Path, signature: list[int]) -> FileTally | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION or data.get("signature") != signature:
            return None
        return FileTally(**data["tally"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write_cache(path: Path, signature: list[int], tally: FileTally) -> None:
    payload = json.dumps(
        {"version": CACHE_VERSION, "signature": signature, "tally": to_dict(tally)},
        separators=(",", ":"),
    )
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        path.parent.mkdir(mode=0o700, exist_ok=True)
        atomic_write(path, payload.encode("utf-8"))


def archive_tally(
    store: Any, month: str, hot_keys: Container[str], now: datetime, cache: bool
) -> FileTally:
    """One archive month's contribution, from the cache when the file did not change.

    The month is parsed by a scan of its own (not the store's archive cache), so it is freed
    before the next month is read: at most one month is in memory at a time.
    """
    signature = _archive_signature(store, month) if cache else None
    path = _cache_path(store, month)
    if signature is not None:
        cached = _read_cache(path, signature)
        if cached is not None:
            return cached
    # stat first, read second: a file replaced in between is counted again next time
    tally = count_file(ArchiveScan(store.archive_dir, month, hot_keys), now)
    if signature is not None:
        _write_cache(path, signature, tally)
    return tally


def compute(store: Any, clock: Clock, cache: bool = True) -> StatsReport:
    """The statistics of the last 7, 30 and 90 days (hot file plus the archive months)."""
    now = clock.now()
    builder = StatsBuilder(now)
    wanted = set(months_back(now))
    with store.read() as view:
        integrations = view.integrations.all()
        builder.add_tally(count_file(view, now))
        hot_keys = set(view.orders.keys())
        for month in view.archive_months():
            if month in wanted:
                builder.add_tally(archive_tally(store, month, hot_keys, now, cache))
    return builder.finish(integrations)


# --- a deterministic history (demo, tests, benchmark) -----------------------------------------


def generate_history(
    store: Any,
    clock: Clock,
    orders: int = 1000,
    days: int = 120,
    seed: int = 7,
    shops: list[Integration] | None = None,
    chunk: int = 5000,
) -> list[Integration]:
    """Fill `store` with `orders` orders over the last `days` days, labelled and confirmed
    like a real warehouse would (most within a day, a few late, a few refused by Amazon).

    Same arguments, same store contents. Writes in chunks of `chunk` orders and moves shipped
    orders to the archives as the store does at start, so the result has the real layout.
    """
    import random

    from glstui.domain.integration import CONNECTED
    from glstui.domain.order import CANCELLED, SHIPPED
    from glstui.store.sample import make_order, make_outbox, make_shipment

    rng = random.Random(seed)
    now = clock.now()
    if shops is None:
        shops = [
            Integration(
                shop_name=name,
                id=f"shop{n}",
                status=CONNECTED,
                selling_partner_id=f"A{n}SELLER{seed}",
                authorized_at=now - timedelta(days=auth_days),
                created_at=now - timedelta(days=400),
                update_tracking=n != 3,
            )
            for n, (name, auth_days) in enumerate(
                (("Amazon NL", 40), ("Amazon DE", 352), ("Amazon BE", 200)), start=1
            )
        ]
    weights = [5, 3, 1][: len(shops)] + [1] * max(0, len(shops) - 3)
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()
    # creation times, oldest first, with a weekly rhythm (fewer orders on Sundays)
    times: list[datetime] = []
    while len(times) < orders:
        when = start + timedelta(seconds=rng.random() * span)
        if when.weekday() == 6 and rng.random() < 0.5:
            continue
        times.append(when)
    times.sort()

    batch_orders: list[Order] = []
    batch_shipments: list[Shipment] = []
    batch_outbox: list[OutboxEntry] = []

    def flush() -> None:
        with store.write() as tx:
            tx.orders.put_many(batch_orders)
            tx.shipments.put_many(batch_shipments)
            tx.outbox.put_many(batch_outbox)
        batch_orders.clear()
        batch_shipments.clear()
        batch_outbox.clear()
        store.archive_shipped()

    with store.write() as tx:
        tx.integrations.put_many(shops)
    for n, created in enumerate(times):
        shop = rng.choices(shops, weights)[0]
        order = make_order(n, shop.id, created_at=created)
        order.imported_at = created + timedelta(minutes=rng.randint(5, 360))
        order.ship_by = created + timedelta(days=2)
        if order.imported_at >= now:
            continue
        roll = rng.random()
        label_at = order.imported_at + timedelta(minutes=rng.randint(20, 36 * 60))
        recent = now - created < timedelta(days=4)
        if roll < 0.01:
            order.state = CANCELLED
        elif label_at >= now or (roll < 0.03 and recent):
            order.state = NEW  # waiting for a label (a few of them late)
        elif roll < 0.03:
            order.state = CANCELLED  # old orders nobody labelled were cancelled
        else:
            order.state = LABELLED
            shipment = make_shipment(order, n)
            shipment.created_at = label_at
            batch_shipments.append(shipment)
            if shop.update_tracking:
                entry = make_outbox(shipment, state=PENDING)
                sent_at = label_at + timedelta(minutes=rng.randint(1, 90))
                if rng.random() < 0.01 and now - label_at < timedelta(days=20):
                    entry.state = FAILED
                    entry.attempts = 1
                    entry.last_error = "InvalidInput: the order is already shipped"
                elif sent_at < now:
                    entry.state, entry.sent_at, entry.attempts = SENT, sent_at, 1
                    order.state, order.shipped_at = SHIPPED, sent_at
                batch_outbox.append(entry)
            # a shop with tracking update off: the order stays labelled (Amazon is not told)
        if order.state in (NEW, LABELLED, CANCELLED):
            order.amazon_status = "CANCELLED" if order.state == CANCELLED else "UNSHIPPED"
        batch_orders.append(order)
        if len(batch_orders) >= chunk:
            flush()
    if batch_orders:
        flush()
    return shops
