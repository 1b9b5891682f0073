"""The Store: crash-safe TinyDB files, a cross-process lock, and a hot/archive layout.

Layout of the data dir:

    glstui.json                hot file: integrations, settings, outbox, runs, audit and the
                               manifest of the shards; orders and shipments too while a table
                               has at most 1,000 rows (see shards.py)
    shards/orders-K.<t>.json   orders not yet archived (open and recently shipped ones), 500
                               doc ids per file, named by the manifest; shipments likewise
    glstui.json.bak            the previous committed version of glstui.json (its shards are
                               kept until the commit after next)
    glstui.lock                lock file (filelock) guarding every read-modify-write
    archive/orders-YYYY-MM.json  orders shipped in that month more than ARCHIVE_AFTER_DAYS
                               ago, with their shipments and finished (sent/skipped) outbox
                               entries; opened only by statistics and search

Why: TinyDB keeps a whole file in memory and rewrites it per commit, so the cost of a commit
grows with the file (the storage re-serialises only changed documents, see storage.py, but
still writes and fsyncs the whole file). Keeping only open/recent work in the hot file keeps
a page commit and start-up fast at 100k stored orders (see tests/benchmarks/bench_store.py).

Transactions: `with store.write() as tx` takes the lock, re-parses the hot file only if
another process replaced it, and at the end writes each changed file once, atomically
(archives first, then the hot file). An exception inside the block discards every change.
`with store.read() as view` takes no file lock: files are only ever replaced whole, so a
reader sees the previous or the next commit, never half of one. Nested `write()` blocks in one
thread join the outer transaction.

Moving orders to an archive writes the archive first and the hot file second: a crash in
between leaves an order in both, harmless because archive views hide rows still in the hot
file and the next `archive_shipped()` finishes the move.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import filelock

from glstui.domain.audit import AuditEntry
from glstui.domain.clock import Clock, from_iso, to_iso
from glstui.domain.errors import N_
from glstui.domain.integration import Integration
from glstui.domain.order import Order
from glstui.domain.run import ImportRun
from glstui.domain.shipment import FAILED, PENDING, OutboxEntry, Shipment
from glstui.store.errors import StoreBusy, StoreError
from glstui.store.repos import (
    AUDIT,
    INTEGRATIONS,
    ORDERS,
    OUTBOX,
    RUNS,
    SHIPMENTS,
    DataFile,
    ReadRepo,
    SettingsRepo,
    WriteRepo,
    damaged,
)
from glstui.store.shards import SHARDED, ShardedHotStorage
from glstui.store.storage import AtomicJSONStorage, remove_leftover_temps

HOT_FILE = "glstui.json"
LOCK_FILE = "glstui.lock"
ARCHIVE_DIR = "archive"
ARCHIVE_AFTER_DAYS = 31
HOT_SPECS = (INTEGRATIONS, ORDERS, SHIPMENTS, OUTBOX, RUNS, AUDIT)
ARCHIVE_CACHE = 3  # archive files kept parsed in memory (each month is ~8k orders at most)
OPEN_OUTBOX = (PENDING, FAILED)  # confirmations still owed to Amazon
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ARCHIVE_NAME = re.compile(r"^orders-(\d{4}-\d{2})\.json$")


def _check_month(month: str) -> str:
    if not _MONTH.match(month):
        raise ValueError(f"archive month must look like 2026-01, not {month!r}")
    return month


class ArchiveView:
    """One month of archived orders, read-only. Rows still present in the hot file are hidden."""

    def __init__(self, file: DataFile, hot_orders: DataFile) -> None:
        hot_index = hot_orders.index(ORDERS)
        self.month = file.path.stem.removeprefix("orders-")
        self.orders: ReadRepo[Order] = ReadRepo(file, ORDERS, hide=hot_index.__contains__)
        self.shipments: ReadRepo[Shipment] = ReadRepo(file, SHIPMENTS)
        self.outbox: ReadRepo[OutboxEntry] = ReadRepo(file, OUTBOX)


class ArchiveTx:
    """One month of archived orders inside a write transaction (e.g. to purge buyer data)."""

    def __init__(self, file: DataFile) -> None:
        self.month = file.path.stem.removeprefix("orders-")
        self.orders: WriteRepo[Order] = WriteRepo(file, ORDERS)
        self.shipments: WriteRepo[Shipment] = WriteRepo(file, SHIPMENTS)
        self.outbox: WriteRepo[OutboxEntry] = WriteRepo(file, OUTBOX)

    def _repos(self) -> tuple[WriteRepo, ...]:
        return (self.orders, self.shipments, self.outbox)


class ReadView:
    """The hot tables, read-only, plus access to the monthly archives."""

    def __init__(self, store: Store) -> None:
        self._store = store
        hot = store._hot
        self.integrations: ReadRepo[Integration] = ReadRepo(hot, INTEGRATIONS)
        self.orders: ReadRepo[Order] = ReadRepo(hot, ORDERS)
        self.shipments: ReadRepo[Shipment] = ReadRepo(hot, SHIPMENTS)
        self.outbox: ReadRepo[OutboxEntry] = ReadRepo(hot, OUTBOX)
        self.runs: ReadRepo[ImportRun] = ReadRepo(hot, RUNS)
        self.audit: ReadRepo[AuditEntry] = ReadRepo(hot, AUDIT)
        self.settings = SettingsRepo(hot, writable=False)

    def archive_months(self) -> list[str]:
        return self._store.archive_months()

    def archive(self, month: str) -> ArchiveView:
        """Orders archived for `month` ("YYYY-MM", the month they were shipped)."""
        return ArchiveView(self._store._archive(_check_month(month)), self._store._hot)

    def archived_orders(self, month: str) -> list[Order]:
        return self.archive(month).orders.all()


class WriteTx:
    """The hot tables, read-write, inside `with store.write() as tx`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        hot = store._hot
        self.integrations: WriteRepo[Integration] = WriteRepo(hot, INTEGRATIONS)
        self.orders: WriteRepo[Order] = WriteRepo(hot, ORDERS)
        self.shipments: WriteRepo[Shipment] = WriteRepo(hot, SHIPMENTS)
        self.outbox: WriteRepo[OutboxEntry] = WriteRepo(hot, OUTBOX)
        self.runs: WriteRepo[ImportRun] = WriteRepo(hot, RUNS)
        self.audit: WriteRepo[AuditEntry] = WriteRepo(hot, AUDIT)
        self.settings = SettingsRepo(hot, writable=True)
        self._archives: dict[str, ArchiveTx] = {}

    def archive_months(self) -> list[str]:
        return self._store.archive_months()

    def archive(self, month: str) -> ArchiveTx:
        month = _check_month(month)
        if month not in self._archives:
            self._archives[month] = ArchiveTx(self._store._archive(month, pin=True))
        return self._archives[month]

    def archived_orders(self, month: str) -> list[Order]:
        return self.archive(month).orders.all()

    def _hot_repos(self) -> tuple[WriteRepo, ...]:
        return (
            self.integrations,
            self.orders,
            self.shipments,
            self.outbox,
            self.runs,
            self.audit,
        )

    def _archive_shipped(self, cutoff: datetime) -> int:
        """Move orders shipped before `cutoff` (and their finished rows) to the archives."""
        for repo in self._hot_repos():
            repo._sync()
        hot = self._store._hot
        outbox = hot.raw(OUTBOX.name)
        waiting = {d.get("order_key") for d in outbox.values() if d.get("state") in OPEN_OUTBOX}
        by_month: dict[str, list[dict]] = {}
        # Only shards the manifest says hold an order shipped before the cutoff are read.
        # (An ISO text "...Z" compares like its time; a damaged one is looked at below.)
        old = self._store._shards.docs_with(ORDERS.name, "shipped_at", to_iso(cutoff))
        for doc in old:
            shipped = doc.get("shipped_at")
            if not shipped:
                continue
            try:
                when = from_iso(shipped)
            except (TypeError, ValueError, AttributeError) as exc:
                raise damaged(hot, ORDERS.name, doc, exc) from exc
            if when is None or when >= cutoff:
                continue
            if ORDERS.doc_key(doc) in waiting:
                continue  # keep it hot until Amazon has its tracking number
            by_month.setdefault(f"{when:%Y-%m}", []).append(doc)
        if not by_month:
            return 0
        moving = {ORDERS.doc_key(d): m for m, docs in by_month.items() for d in docs}
        shipments = [d for d in hot.raw(SHIPMENTS.name).values() if d.get("order_key") in moving]
        done = [d for d in outbox.values() if d.get("order_key") in moving]
        for month, docs in sorted(by_month.items()):
            arch = self.archive(month)
            arch.orders.put_docs(docs)
            arch.shipments.put_docs(d for d in shipments if moving[d["order_key"]] == month)
            arch.outbox.put_docs(d for d in done if moving[d["order_key"]] == month)
        self.orders.delete_many(list(moving))
        self.shipments.delete_many([SHIPMENTS.doc_key(d) for d in shipments])
        self.outbox.delete_many([OUTBOX.doc_key(d) for d in done])
        return len(moving)


class Store:
    """Open with `Store.open(data_dir, clock)`; see the module docstring."""

    def __init__(self, data_dir: Path, clock: Clock, lock_timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        self.clock = clock
        self.path = self.data_dir / HOT_FILE
        self.lock_path = self.data_dir / LOCK_FILE
        self.archive_dir = self.data_dir / ARCHIVE_DIR
        self._lock_timeout = lock_timeout
        self._lock = filelock.FileLock(
            self.lock_path, timeout=lock_timeout, mode=0o600, thread_local=False
        )
        self._mutex = threading.RLock()
        self._shards = ShardedHotStorage(self.path)
        self._hot = DataFile(self._shards)
        self._archives: OrderedDict[str, DataFile] = OrderedDict()
        self._pinned: set[str] = set()
        self._tx: WriteTx | None = None

    @classmethod
    def open(
        cls,
        data_dir: Path,
        clock: Clock,
        *,
        archive: bool = True,
        lock_timeout: float = 30.0,
    ) -> Store:
        """Open (or create) the store in `data_dir`.

        Under the lock: removes temp files a killed writer left behind, parses the hot file
        (StoreCorrupt / StoreTooNew if it cannot), writes it when it is new or was migrated,
        and, unless archive=False, moves long-shipped orders to the archives. Then serialises
        the hot documents and builds the key indexes ahead of time (~0.4 s at 10k orders),
        so the first page commit costs what every later one does.
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        store = cls(data_dir, clock, lock_timeout)
        with store.write():
            remove_leftover_temps(store.data_dir)
            remove_leftover_temps(store.archive_dir)
            remove_leftover_temps(store._shards.shard_dir)
            if not store.path.exists():
                store._hot.storage.dirty = True
        if archive:
            store.archive_shipped()
        store._warm()
        return store

    def _warm(self) -> None:
        with self._mutex:
            if not self._hot.storage.loaded:
                return
            self._hot.storage.warm()
            for spec in HOT_SPECS:
                if spec.name not in SHARDED:  # big tables: read when first used
                    self._hot.index(spec)

    # --- transactions -----------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[WriteTx]:
        with self._mutex:
            if self._tx is not None:  # nested: join the outer transaction
                yield self._tx
                return
            try:
                self._lock.acquire()
            except filelock.Timeout:
                raise StoreBusy(
                    self.lock_path,
                    N_(
                        "Another glstui process has held {path} for more than {seconds:.0f} s. "
                        "Wait for it to finish (or stop it) and try again."
                    ),
                    path=self.lock_path,
                    seconds=self._lock_timeout,
                ) from None
            try:
                self._hot.refresh()
                self._tx = tx = WriteTx(self)
                try:
                    yield tx
                    self._commit(tx)
                except BaseException:
                    self._rollback()
                    raise
            finally:
                self._tx = None
                self._pinned.clear()
                self._trim_archives()
                self._lock.release()

    @contextlib.contextmanager
    def read(self) -> Iterator[ReadView]:
        with self._mutex:
            if self._tx is None:
                self._hot.refresh()
            else:  # a read inside this thread's write sees the write's changes so far
                for repo in self._tx._hot_repos():
                    repo._sync()
            yield ReadView(self)

    def _commit(self, tx: WriteTx) -> None:
        for arch in tx._archives.values():
            for repo in arch._repos():
                repo._sync()
        for repo in tx._hot_repos():
            repo._sync()
        for month in tx._archives:
            archive = self._archives[month]
            if archive.storage.dirty:
                self.archive_dir.mkdir(mode=0o700, exist_ok=True)
                archive.storage.commit()
        self._hot.storage.commit()

    def _rollback(self) -> None:
        self._hot.invalidate()
        for month in self._pinned:
            if month in self._archives:
                self._archives[month].invalidate()

    # --- archives -----------------------------------------------------------------------
    def _archive_path(self, month: str) -> Path:
        return self.archive_dir / f"orders-{month}.json"

    def _archive(self, month: str, pin: bool = False) -> DataFile:
        """The parsed archive file of `month`, re-parsed if another process replaced it."""
        file = self._archives.get(month)
        if file is None:
            file = DataFile(AtomicJSONStorage(self._archive_path(month), "archive"))
            self._archives[month] = file
        self._archives.move_to_end(month)
        if month not in self._pinned:
            file.refresh()
        if pin:
            self._pinned.add(month)
        if self._tx is None:
            self._trim_archives()
        return file

    def _trim_archives(self) -> None:
        while len(self._archives) > ARCHIVE_CACHE:
            oldest = next((m for m in self._archives if m not in self._pinned), None)
            if oldest is None:
                break
            del self._archives[oldest]

    def archive_months(self) -> list[str]:
        """Months ("YYYY-MM") that have an archive file, oldest first."""
        if not self.archive_dir.is_dir():
            return []
        found = (_ARCHIVE_NAME.match(p.name) for p in self.archive_dir.iterdir())
        return sorted(m.group(1) for m in found if m)

    def archive_shipped(self) -> int:
        """Move orders shipped more than ARCHIVE_AFTER_DAYS ago to their month's archive.

        Their shipments and sent/skipped outbox entries go along; an order whose tracking
        confirmation is still pending or failed stays hot. Idempotent. Returns how many
        orders moved. Run at start (Store.open does) and after each import.
        """
        cutoff = self.clock.now() - timedelta(days=ARCHIVE_AFTER_DAYS)
        with self.write() as tx:
            return tx._archive_shipped(cutoff)

    # --- diagnostics --------------------------------------------------------------------
    @property
    def parse_count(self) -> int:
        """How often the hot file was parsed (tests: unchanged files are not re-read)."""
        return self._hot.storage.parse_count

    @property
    def shard_reads(self) -> int:
        """How many order/shipment shard files were parsed (tests: what a command skipped)."""
        return self._shards.shard_reads

    def __repr__(self) -> str:
        return f"Store({str(self.data_dir)!r})"


__all__ = ["ArchiveTx", "ArchiveView", "ReadView", "Store", "StoreError", "WriteTx"]
