"""Counting one data file (the hot view or one archive month) into per-shop, per-day tallies.

Why: a file's tally is all the statistics need of it, small enough to cache per archive
month (services/stats_cache.py), and it is computed from the stored documents as they are,
never decoded into domain objects (that alone costs seconds at 100k orders).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from glstui.domain.clock import from_iso, to_iso
from glstui.domain.order import HELD, LABELLED, NEW, Order, order_key
from glstui.domain.shipment import FAILED, PENDING, SENT, OutboxEntry, Shipment
from glstui.store.repos import ReadRepo


class DataPart(Protocol):
    """The tables of one data file: the hot ReadView or one archive month."""

    @property
    def orders(self) -> ReadRepo[Order]: ...

    @property
    def shipments(self) -> ReadRepo[Shipment]: ...

    @property
    def outbox(self) -> ReadRepo[OutboxEntry]: ...


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


def docs(repo: ReadRepo[Any]) -> Iterator[dict[str, Any]]:
    """The stored documents of a repo, not decoded into domain objects (read-only!).

    Decoding costs ~0.1 ms an order, seconds at 100k orders, and statistics need only a
    few fields.
    """
    yield from repo.docs()


def count_file(part: DataPart, now: datetime) -> FileTally:
    """Count one data file: the hot view, or one archive month (shipments, outbox, orders)."""
    counter = FileCounter(now)
    for doc in docs(part.shipments):
        counter.add_shipment_doc(doc)
    for doc in docs(part.outbox):
        counter.add_outbox_doc(doc)
    for doc in docs(part.orders):
        counter.add_order_doc(doc)
    return counter.finish()
