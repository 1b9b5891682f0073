"""Crash-safe TinyDB storage with a cross-process lock; see glstui.store.store for the layout.

store = Store.open(data_dir, clock)
with store.write() as tx:
    tx.orders.put_many(page)
with store.read() as view:
    view.orders.all()
"""

from glstui.store.errors import (
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreRecordDamaged,
    StoreTooNew,
    StoreWriteError,
)
from glstui.store.store import (
    ARCHIVE_AFTER_DAYS,
    ArchiveTx,
    ArchiveView,
    ReadView,
    Store,
    WriteTx,
)

__all__ = [
    "ARCHIVE_AFTER_DAYS",
    "ArchiveTx",
    "ArchiveView",
    "ReadView",
    "Store",
    "StoreBusy",
    "StoreCorrupt",
    "StoreError",
    "StoreRecordDamaged",
    "StoreTooNew",
    "StoreWriteError",
    "WriteTx",
]
