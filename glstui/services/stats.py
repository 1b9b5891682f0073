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
  cached (services/stats_cache.py); one data file is counted by services/stats_tally.py;
  an archive month is parsed, counted and freed before the next (store/archive_scan.py),
  so at most one month is in memory;
- "labelled" and "confirmed" count orders, not parcels: an order with two parcels is one
  labelled order, on the day of its first label; a deleted label does not count;
- the warnings (orders past their latest ship date, confirmations Amazon refused, consent
  that runs out within 30 days) are facts of "now", the same in every period; the screen
  shows them loud. "Past the latest ship date" = Amazon still waits for the order: no label
  yet (new or held), or labelled with its tracking confirmation still pending or failed. A
  labelled order of a shop whose tracking update is off is done as far as glstui can tell.
"""

from __future__ import annotations

import functools
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from glstui.domain.clock import Clock, from_iso, to_iso
from glstui.domain.integration import Integration
from glstui.domain.order import Order
from glstui.domain.serial import to_dict
from glstui.domain.shipment import OutboxEntry, Shipment
from glstui.services.stats_cache import CACHE_DIR as CACHE_DIR
from glstui.services.stats_cache import archive_tally
from glstui.services.stats_tally import FileCounter, FileTally
from glstui.services.stats_tally import count_file as count_file
from glstui.services.stats_tally import docs as docs
from glstui.store import Store

PERIODS = (7, 30, 90)
MAX_DAYS = max(PERIODS)
RECONSENT_WARN_DAYS = 30
TOTAL_ID = ""  # integration_id of the totals row


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


def compute(store: Store, clock: Clock, cache: bool = True) -> StatsReport:
    """The statistics of the last 7, 30 and 90 days (hot file plus the archive months)."""
    now = clock.now()
    builder = StatsBuilder(now)
    wanted = set(months_back(now))
    with store.read() as view:
        integrations = view.integrations.all()
        builder.add_tally(count_file(view, now))
        hot_keys = functools.cache(lambda: set(view.orders.keys()))  # only if a month is read
        for month in view.archive_months():
            if month in wanted:
                builder.add_tally(archive_tally(store, month, hot_keys, now, cache))
    return builder.finish(integrations)
