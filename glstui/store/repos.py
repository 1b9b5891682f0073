"""Repositories: one per table, returning domain objects (fresh copies) instead of dicts.

Each data file keeps an in-memory index key -> TinyDB doc id, rebuilt only when the file is
re-parsed. A write repo buffers puts and deletes and applies them when it is next read in full
or at commit, straight to the storage's table dicts (put_docs / remove_docs, which also drop
those documents' cached JSON): upserting a 100-order page costs O(page), not a pass over the
table per TinyDB operation. The file stays a plain TinyDB file (same doc ids), and TinyDB's own
Table API still works on it (settings, the audit table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tinydb import TinyDB
from tinydb.table import Document, Table

from glstui.domain.audit import AuditEntry
from glstui.domain.clock import from_iso
from glstui.domain.errors import N_, Msg
from glstui.domain.integration import Integration
from glstui.domain.order import Order, order_key
from glstui.domain.run import ImportRun
from glstui.domain.serial import from_dict, to_dict
from glstui.domain.settings import Settings
from glstui.domain.shipment import OutboxEntry, Shipment
from glstui.store.encode import encode
from glstui.store.errors import StoreRecordDamaged
from glstui.store.storage import AtomicJSONStorage

T = TypeVar("T")
Doc = dict[str, Any]


_BAD_SHAPE = (TypeError, ValueError, KeyError, AttributeError, RecursionError)


def damaged(file: DataFile, table: str, doc: Any, exc: BaseException) -> StoreRecordDamaged:
    """The error for one record of `table` that does not decode (file and key named)."""
    key = "?"
    if isinstance(doc, dict):
        key = str(doc.get("order_id") or doc.get("id") or "?")
    reason = Msg(
        N_("a record in '{table}' ({key}) has the wrong shape: {error}"),
        table=table,
        key=key,
        error=str(exc),
    )
    path, message = file.storage.record_problem(table, doc, reason)
    return StoreRecordDamaged(path, message, table, key)


def clone(value: Any) -> Any:
    """Deep copy of JSON data (dicts, lists, scalars), faster than copy.deepcopy."""
    if type(value) is dict:
        return {k: clone(v) for k, v in value.items()}
    if type(value) is list:
        return [clone(v) for v in value]
    return value


@dataclass(frozen=True)
class TableSpec(Generic[T]):
    name: str
    cls: type[T]
    obj_key: Callable[[T], str]
    doc_key: Callable[[Doc], str]
    # Raises TypeError/ValueError for a decoded object whose free-form parts are damaged.
    check: Callable[[T], None] | None = None


def _check_integration(integ: Integration) -> None:
    """import_resume is free-form JSON the importer reads as dates and a page token
    (services/importer.py SearchWindow.to_resume): refuse it here rather than mid-import."""
    for key, value in integ.import_resume.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"import_resume.{key} must be text, not {type(value).__name__}")
        if key != "token" and value:
            from_iso(value)  # ValueError when it is not a date


def _id(doc: Doc) -> str:
    return str(doc.get("id", ""))


def _order_doc_key(doc: Doc) -> str:
    return order_key(str(doc.get("integration_id", "")), str(doc.get("order_id", "")))


INTEGRATIONS = TableSpec("integrations", Integration, lambda o: o.id, _id, _check_integration)
ORDERS = TableSpec("orders", Order, lambda o: o.key, _order_doc_key)
SHIPMENTS = TableSpec("shipments", Shipment, lambda o: o.id, _id)
OUTBOX = TableSpec("outbox", OutboxEntry, lambda o: o.id, _id)
RUNS = TableSpec("runs", ImportRun, lambda o: o.id, _id)
AUDIT = TableSpec("audit", AuditEntry, lambda o: o.id, _id)
SETTINGS_TABLE = "settings"
SETTINGS_ID = 1


class DataFile:
    """One JSON file: its storage, a TinyDB over it and the key indexes of its tables."""

    def __init__(self, storage: AtomicJSONStorage) -> None:
        self.storage = storage
        self.db: TinyDB | None = None
        self._indexes: dict[str, dict[str, str]] = {}
        self._indexed_parse = -1

    @property
    def path(self):
        return self.storage.path

    def refresh(self) -> bool:
        changed = self.storage.refresh()
        if changed or self.db is None:
            storage = self.storage
            # A fresh TinyDB per parse: no stale query cache or cached next id survives.
            self.db = TinyDB(storage=lambda: storage)
            self._indexes = {}
        return changed

    def invalidate(self) -> None:
        self.storage.invalidate()
        self.db = None
        self._indexes = {}

    def table(self, name: str) -> Table:
        assert self.db is not None, "refresh() first"
        return self.db.table(name)

    def raw(self, name: str) -> dict[str, Doc]:
        """The live documents of a table by doc id: read-only (never change them in place)."""
        return self.storage.table_view(name)

    def index(self, spec: TableSpec[Any]) -> dict[str, str]:
        """key -> doc id (as stored: a string)."""
        if self._indexed_parse != self.storage.parse_count:  # re-parsed behind our back (a
            self._indexes = {}  # reader's shard vanished and the manifest was read again)
            self._indexed_parse = self.storage.parse_count
        idx = self._indexes.get(spec.name)
        if idx is None:
            idx = {spec.doc_key(doc): i for i, doc in self.raw(spec.name).items()}
            self._indexes[spec.name] = idx
        return idx

    def apply(self, name: str, docs: dict[str, Doc], removed: list[str]) -> None:
        """Replace/insert `docs` (doc id -> document) and remove `removed` doc ids."""
        self.storage.remove_docs(name, removed)
        self.storage.put_docs(name, docs)
        # A TinyDB Table object of this table (if one was made) must not serve stale
        # query-cache results or a stale next id.
        cached = getattr(self.db, "_tables", {}).get(name) if self.db is not None else None
        if cached is not None:
            cached.clear_cache()
            cached._next_id = None


class ReadRepo(Generic[T]):
    """Read access to one table. Every object returned is a fresh copy."""

    def __init__(
        self, file: DataFile, spec: TableSpec[T], hide: Callable[[str], bool] | None = None
    ) -> None:
        self._file = file
        self._spec = spec
        self._hide = hide

    def _decode(self, doc: Doc) -> T:
        try:
            obj = from_dict(self._spec.cls, clone(dict(doc)))
            if self._spec.check is not None:
                self._spec.check(obj)
            return obj
        except _BAD_SHAPE as exc:
            # A hand-edited or damaged document: refuse it like an unparsable file (the file
            # is never rewritten because of it), naming the file and the record.
            raise damaged(self._file, self._spec.name, doc, exc) from exc

    def _visible(self, doc: Doc) -> bool:
        return self._hide is None or not self._hide(self._spec.doc_key(doc))

    def _sync(self) -> None:
        """Apply buffered writes (write repos only)."""

    def get(self, key: str) -> T | None:
        if self._hide is not None and self._hide(key):
            return None
        doc_id = self._file.index(self._spec).get(key)
        if doc_id is None:
            return None
        doc = self._file.raw(self._spec.name).get(doc_id)
        return None if doc is None else self._decode(doc)

    def all(self) -> list[T]:
        self._sync()
        table = self._file.raw(self._spec.name)
        return [self._decode(d) for d in table.values() if self._visible(d)]

    def docs(self) -> list[Doc]:
        """The stored documents themselves, not decoded and not copied: read-only!"""
        self._sync()
        return [d for d in self._file.raw(self._spec.name).values() if self._visible(d)]

    def map_docs(self, fn: Callable[[Doc], Any]) -> list[Any]:
        """fn(document) for each stored document, undecoded (fast); a document fn cannot
        handle (TypeError, ValueError, ...) is reported as a damaged record of this file."""
        out = []
        for doc in self.docs():
            try:
                out.append(fn(doc))
            except _BAD_SHAPE as exc:
                raise damaged(self._file, self._spec.name, doc, exc) from exc
        return out

    def with_field(self, field: str) -> list[T]:
        """Rows whose stored `field` is set (not null/empty), decoded; of a big table only
        the shards holding any are read (orders: "shipped_at", "label_pending_at", see
        shards.SUMMARY_FIELDS), so e.g. labels a stopped run left pending are found without
        reading a 50,000-order backlog."""
        self._sync()
        docs = self._file.storage.docs_with(self._spec.name, field)
        return [self._decode(d) for d in docs if self._visible(d)]

    def find(self, predicate: Callable[[T], bool]) -> list[T]:
        return [obj for obj in self.all() if predicate(obj)]

    def by_integration(self, integration_id: str) -> list[T]:
        """Rows of one shop (orders, shipments, outbox)."""
        self._sync()
        table = self._file.raw(self._spec.name)
        return [
            self._decode(d)
            for d in table.values()
            if d.get("integration_id") == integration_id and self._visible(d)
        ]

    def keys(self) -> list[str]:
        self._sync()
        return [k for k in self._file.index(self._spec) if not (self._hide and self._hide(k))]

    def __len__(self) -> int:
        if self._hide is not None:
            return len(self.keys())
        self._sync()
        return self._file.storage.count(self._spec.name)  # a big table: without reading it

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


class WriteRepo(ReadRepo[T]):
    """Read and write access within a write transaction; writes are buffered (see module)."""

    def __init__(self, file: DataFile, spec: TableSpec[T]) -> None:
        super().__init__(file, spec)
        self._pending: dict[str, Doc | None] = {}

    def get(self, key: str) -> T | None:
        if key in self._pending:
            doc = self._pending[key]
            return None if doc is None else self._decode(doc)
        return super().get(key)

    def put(self, obj: T) -> None:
        self._pending[self._spec.obj_key(obj)] = encode(obj)

    def put_many(self, objs: Iterable[T]) -> None:
        for obj in objs:
            self.put(obj)

    def put_docs(self, docs: Iterable[Doc]) -> None:
        """Store raw documents (used to move rows between files without decoding)."""
        for doc in docs:
            self._pending[self._spec.doc_key(doc)] = clone(doc)

    def delete(self, key: str) -> bool:
        """Remove the row; True when it existed."""
        if key in self._pending:
            existed = self._pending[key] is not None
        else:
            existed = key in self._file.index(self._spec)
        self._pending[key] = None
        return existed

    def delete_many(self, keys: Iterable[str]) -> int:
        return sum(self.delete(k) for k in keys)

    def _sync(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        idx = self._file.index(self._spec)
        docs: dict[str, Doc] = {}
        removed: list[str] = []
        inserts: list[tuple[str, Doc]] = []
        for key, doc in pending.items():
            if doc is None:
                doc_id = idx.pop(key, None)
                if doc_id is not None:
                    removed.append(doc_id)
            elif key in idx:
                docs[idx[key]] = doc
            else:
                inserts.append((key, doc))
        if inserts:
            ids = self._file.storage.new_ids(self._spec.name, len(inserts))
            for (key, doc), doc_id in zip(inserts, ids, strict=True):
                idx[key] = doc_id
                docs[doc_id] = doc
        self._file.apply(self._spec.name, docs, removed)


class SettingsRepo:
    """The one Settings document (defaults when none was stored yet)."""

    def __init__(self, file: DataFile, writable: bool) -> None:
        self._file = file
        self._writable = writable

    def get(self) -> Settings:
        doc = self._file.table(SETTINGS_TABLE).get(doc_id=SETTINGS_ID)
        if doc is None:
            return Settings()
        try:
            return from_dict(Settings, clone(dict(doc)))
        except _BAD_SHAPE as exc:
            raise damaged(self._file, SETTINGS_TABLE, {"id": "settings"}, exc) from exc

    def put(self, settings: Settings) -> None:
        if not self._writable:
            raise TypeError("read-only view: change settings inside `with store.write() as tx`")
        doc = Document(to_dict(settings), doc_id=SETTINGS_ID)
        self._file.table(SETTINGS_TABLE).upsert(doc)
