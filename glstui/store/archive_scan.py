"""One archive month read once and let go: for a pass over the archives (statistics).

The store keeps the last few archive files it parsed (store.ARCHIVE_CACHE), which suits an
operator paging through old orders but not a pass over every month of the last 90 days: at
100k orders each parsed month holds 50-80 MB, and three of them kept next to the hot file
took a statistics run over 300 MB. A scan parses the file with the store's own reader (same
checks, same damaged-file errors, same migrations) into an object of its own that is freed
as soon as the caller drops it, so at most one month is in memory at a time.
"""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path

from glstui.domain.order import Order
from glstui.domain.shipment import OutboxEntry, Shipment
from glstui.store.repos import ORDERS, OUTBOX, SHIPMENTS, DataFile, ReadRepo
from glstui.store.storage import AtomicJSONStorage


class ArchiveScan:
    """One month's orders, shipments and outbox rows, read-only, like store.ArchiveView.

    Orders whose key is in `hot_keys` (still present in the hot file) are hidden, as the
    store's own archive view hides them, so nothing is counted twice.
    """

    def __init__(self, archive_dir: Path, month: str, hot_keys: Container[str]) -> None:
        self.month = month
        file = DataFile(AtomicJSONStorage(Path(archive_dir) / f"orders-{month}.json", "archive"))
        file.refresh()
        self.orders: ReadRepo[Order] = ReadRepo(file, ORDERS, hide=hot_keys.__contains__)
        self.shipments: ReadRepo[Shipment] = ReadRepo(file, SHIPMENTS)
        self.outbox: ReadRepo[OutboxEntry] = ReadRepo(file, OUTBOX)
