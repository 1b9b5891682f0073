"""A TinyDB Storage that keeps one JSON file in memory and replaces it atomically.

TinyDB's own JSONStorage re-reads and rewrites the whole file on every operation and writes
in place, so a killed process can leave half a file (measured: 6 of 15 targeted kills). This
storage instead:

- parses the file only when it changed since the last parse, judged by
  (st_ino, st_mtime_ns, st_size) of the open file (every commit is a new inode);
- keeps TinyDB's writes in memory (`dirty`) until the Store commits;
- commits with one atomic replace: temp file in the same directory (mkstemp, mode 0600),
  write, fsync, os.replace, fsync the directory. Before the replace the previous file is
  hard-linked to `<name>.bak` (no copy, so it costs nothing), which is therefore always the
  previous committed version;
- refuses a file it cannot parse (StoreCorrupt) and never writes over it: that includes
  JSON nested too deep to parse, duplicate keys (json would silently keep the last one, so
  a table could vanish and the next commit make that permanent) and anything that is not a
  regular file (a FIFO would make every reader hang);
- writes through a symlinked data file to its target (a shared store stays shared);
- keeps each document's serialised JSON ("fragment", b'"doc_id":{...}') per table, so a
  commit serialises only the documents that changed and joins the rest: at 10k orders a
  json.dumps of everything costs ~200 ms per commit, the join ~10 ms.

Fragments are made lazily, at the first commit after a parse (a parse stays one json.loads:
readers never pay for them), or ahead of time by `warm()` (Store.open does, so the first page
commit is cheap too). Bookkeeping: each table's fragment dict has the same keys in the same
order as the table (so the table is one b",".join); the repos change documents through
`put_docs` / `remove_docs`, which mark exactly those fragments stale. Anything that goes
through TinyDB's own Table API (settings, the audit table) replaces the table's dict, and a
table whose dict is not the one its fragments were made for is serialised whole. So
documents held in memory are never changed in place: replace them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from tinydb.storages import Storage

from glstui import files
from glstui.domain.errors import N_, Msg
from glstui.store import migrations
from glstui.store.errors import StoreCorrupt, StoreTooNew, StoreWriteError

Signature = tuple[int, int, int]
RawData = dict[str, dict[str, Any]]
TMP_SUFFIX = ".tmp"


def low_text(value: Any) -> str:
    """A field value as the text it sorts by; what is not date-like text sorts first, so a
    scan for old values also meets (and reports) damaged ones."""
    return value if isinstance(value, str) and value[:1].isdigit() else ""


def signature(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def tmp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_leftover_temps(directory: Path) -> list[Path]:
    """Delete temp files killed writers left in `directory`. Call only under the write lock."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for leftover in directory.glob(".*.json.*" + TMP_SUFFIX):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def corrupt_message(path: Path, reason: Msg) -> Msg:
    """What is wrong with the file and how to get the previous version back (translatable)."""
    bak = backup_path(path)
    if bak.exists():
        restore = Msg(
            N_(
                "The previous version is in {bak}: move {name} aside (for example rename it "
                "to {name}.broken) and rename {bak_name} to {name}"
            ),
            bak=bak,
            name=path.name,
            bak_name=bak.name,
        )
    else:
        restore = Msg(
            N_(
                "There is no backup copy ({bak_name}): move {name} aside (for example rename "
                "it to {name}.broken) to start with an empty one, or restore it from your "
                "own backup"
            ),
            name=path.name,
            bak_name=bak.name,
        )
    return Msg(
        N_(
            "The glstui data file {path} cannot be read ({reason}). It was left untouched. "
            "{restore}, then start glstui again."
        ),
        path=path,
        reason=reason,
        restore=restore,
    )


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _DuplicateKey(dup)
    return obj


def parse(path: Path, raw: bytes, kind: str) -> dict[str, dict[str, Any]]:
    """Parse and check the shape TinyDB expects: {table: {doc_id: {field: value}}}."""
    if not raw.strip():
        raise StoreCorrupt(path, corrupt_message(path, Msg(N_("the file is empty"))))
    try:
        data = json.loads(raw, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise StoreCorrupt(
            path, corrupt_message(path, Msg(N_("it is nested too deeply")))
        ) from None
    except _DuplicateKey as exc:
        reason = Msg(
            N_("the key '{key}' appears twice, so part of the data would be lost"), key=str(exc)
        )
        raise StoreCorrupt(path, corrupt_message(path, reason)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        reason = (
            Msg(N_("not valid JSON: {error}"), error=str(exc))
            if isinstance(exc, json.JSONDecodeError)
            else Msg(N_("it is not UTF-8 text: {error}"), error=str(exc))
        )
        raise StoreCorrupt(path, corrupt_message(path, reason)) from None
    if not isinstance(data, dict):
        raise StoreCorrupt(
            path,
            corrupt_message(
                path, Msg(N_("expected a JSON object, found {kind}"), kind=type(data).__name__)
            ),
        )
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise StoreCorrupt(
                path,
                corrupt_message(
                    path, Msg(N_("table '{name}' is not a table of documents"), name=name)
                ),
            )
    check_version(path, data)
    return data


def check_version(path: Path, data: RawData) -> None:
    version = migrations.file_version(data)
    if version > migrations.SCHEMA_VERSION:
        raise StoreTooNew(
            path,
            N_(
                "The glstui data file {path} was written by a newer glstui (schema version "
                "{version}, this one knows up to {known}). It was left untouched: upgrade "
                "glstui to open it."
            ),
            path=path,
            version=version,
            known=migrations.SCHEMA_VERSION,
        )


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


def _keep_backup(path: Path) -> None:
    """Make `<path>.bak` the current (about to be previous) version of `path`."""
    bak = backup_path(path)
    with contextlib.suppress(FileNotFoundError):
        bak.unlink()
    try:
        os.link(path, bak)
    except FileNotFoundError:
        return
    except OSError:  # filesystem without hard links: copy instead
        shutil.copyfile(path, bak)
        os.chmod(bak, 0o600)


def atomic_write(
    path: Path,
    payload: bytes | Callable[[], bytes | list[bytes]],
    keep_backup: bool = True,
    sync_dir: bool = True,
) -> Signature:
    """glstui.files.atomic_write (the one private-file writer), keeping `<path>.bak` first.

    `payload` may be a function rendering the bytes (or a list of chunks, written in order);
    it runs with the temp file open. sync_dir=False leaves fsyncing the directory to the
    caller (one fsync after writing several files).
    """
    st = files.atomic_write(
        path,
        payload,
        before_replace=(lambda: _keep_backup(path)) if keep_backup else None,
        sync_dir=sync_dir,
    )
    return signature(st)


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # = json.dumps(..., separators)
_KEY = json.encoder.encode_basestring_ascii


def fragment(doc_id: str, doc: Any) -> bytes:
    """One document as it appears in the compact file: b'"doc_id":{...}'."""
    return (_KEY(doc_id) + ":" + _ENCODE(doc)).encode()


class AtomicJSONStorage(Storage):
    """TinyDB storage over one file: parsed on change, written only by `commit()`."""

    def __init__(self, path: Path, kind: str = "hot") -> None:
        self.path = Path(path)
        self.kind = kind
        self._data: RawData | None = None
        self._sig: Signature | None = None
        self.dirty = False
        self.parse_count = 0
        # Per table: doc id -> fragment (None = stale), same keys and order as the table,
        # valid while the table's dict is _owner[table]; _stale lists the None entries.
        self._frags: dict[str, dict[str, bytes | None]] = {}
        self._owner: dict[str, dict[str, Any]] = {}
        self._stale: dict[str, list[str]] = {}
        self._next_id: dict[str, int] = {}

    # TinyDB's Storage interface -------------------------------------------------------
    def read(self) -> RawData | None:
        if self._data is None:
            self._data = {}
        return self._data

    def write(self, data: RawData) -> None:
        """TinyDB's write: it replaced the dict of each table it changed."""
        self._data = data
        self.dirty = True
        for name in list(self._owner):
            if data.get(name) is not self._owner[name]:
                self._forget_table(name)

    def close(self) -> None:
        pass

    # Document-level changes (the repos) -------------------------------------------------
    def table_data(self, name: str) -> dict[str, Any]:
        """The live dict of one table (created empty when missing). Never change a document
        in place: replace it with put_docs."""
        data = self.read()
        assert data is not None
        table = data.get(name)
        if table is None:
            table = data[name] = {}
        return table

    def table_view(self, name: str) -> dict[str, Any]:
        """The live dict of one table, or an empty one (not added) when missing: read-only."""
        return (self.read() or {}).get(name, {})

    def record_problem(self, name: str, doc: Any, reason: Msg) -> tuple[Path, Msg]:
        """The file holding `doc` of table `name` and the operator's message about it."""
        return self.path, corrupt_message(self.path, reason)

    def docs_with(self, name: str, field: str, below: str | None = None) -> list[dict[str, Any]]:
        """Documents of `name` whose `field` is set (to a value that sorts below `below`)."""
        docs = self.table_view(name).values()
        return [d for d in docs if d.get(field) and (below is None or low_text(d[field]) < below)]

    def count(self, name: str) -> int:
        return len(self.table_view(name))

    def _live_frags(self, name: str, table: dict[str, Any]) -> dict[str, bytes | None] | None:
        return self._frags.get(name) if self._owner.get(name) is table else None

    def put_docs(self, name: str, docs: Mapping[str, dict[str, Any]]) -> None:
        """Insert or replace documents by doc id (the dicts are taken over, not copied)."""
        if not docs:
            return
        table = self.table_data(name)
        frags = self._live_frags(name, table)
        for doc_id, doc in docs.items():
            table[doc_id] = doc
        if frags is not None:
            stale = self._stale.setdefault(name, [])
            for doc_id in docs:
                frags[doc_id] = None  # keeps its place, or is appended like the table's
                stale.append(doc_id)
        self.dirty = True

    def remove_docs(self, name: str, doc_ids: Iterable[str]) -> None:
        table = self.table_data(name)
        frags = self._live_frags(name, table)
        for doc_id in doc_ids:
            del table[doc_id]
            if frags is not None:
                del frags[doc_id]
            self.dirty = True

    def new_ids(self, name: str, count: int) -> list[str]:
        """Fresh doc ids for `count` inserts, as TinyDB picks them (after the highest one)."""
        first = self._next_id.get(name)
        if first is None:
            first = max((int(i) for i in self.table_data(name)), default=0) + 1
        self._next_id[name] = first + count
        return [str(i) for i in range(first, first + count)]

    # Used by the Store ----------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._data is not None

    def refresh(self) -> bool:
        """Re-parse the file if it changed since the last parse; True when re-parsed.

        A missing file reads as an empty store. Raises StoreCorrupt / StoreTooNew and then
        keeps nothing of the bad file in memory.
        """
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            if self._data is not None and self._sig is None:
                return False
            empty: RawData = {}
            self._reset(empty, None)
            migrations.migrate(empty, self.kind)
            return True
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                self.invalidate()
                raise StoreCorrupt(
                    self.path, corrupt_message(self.path, Msg(N_("not a regular file")))
                )
            os.set_blocking(fd, True)
            sig = signature(st)
            if self._data is not None and sig == self._sig:
                return False
            raw = handle.read()
        self.parse_count += 1
        try:
            data = parse(self.path, raw, self.kind)
        except BaseException:
            self.invalidate()
            raise
        self._reset(data, sig)
        self.dirty = migrations.migrate(data, self.kind)
        return True

    def _reset(self, data: RawData | None, sig: Signature | None) -> None:
        self._data, self._sig, self.dirty = data, sig, False
        self._frags, self._owner, self._stale, self._next_id = {}, {}, {}, {}

    def _forget_table(self, name: str) -> None:
        for cache in (self._frags, self._owner, self._stale, self._next_id):
            cache.pop(name, None)

    def invalidate(self) -> None:
        """Forget the in-memory state: the next refresh parses the file again."""
        self._reset(None, None)

    def _table_frags(self, name: str, table: dict[str, Any]) -> dict[str, bytes]:
        """The table's fragments, all up to date (serialising only stale or missing ones)."""
        frags = self._live_frags(name, table)
        if frags is None or frags.keys() != table.keys():  # new, replaced or out of step
            frags = {doc_id: fragment(doc_id, doc) for doc_id, doc in table.items()}
            self._frags[name], self._owner[name] = frags, table
            self._stale.pop(name, None)
        else:
            for doc_id in self._stale.pop(name, ()):
                if doc_id in frags:
                    frags[doc_id] = fragment(doc_id, table[doc_id])
        return cast(dict[str, bytes], frags)

    def warm(self) -> None:
        """Serialise every document now, so the next commit only serialises what changes."""
        for name, table in (self._data or {}).items():
            self._table_frags(name, table)

    def render(self) -> list[bytes]:
        """The file's bytes in chunks; joined they equal compact json.dumps of the data."""
        data = self._data or {}
        for name in [n for n in self._owner if n not in data]:
            self._forget_table(name)
        chunks = [b"{"]
        for n, (name, table) in enumerate(data.items()):
            frags = self._table_frags(name, table)
            head = (_KEY(name) + ":{").encode()
            chunks += (b"," + head if n else head, b",".join(frags.values()), b"}")
        chunks.append(b"}")
        return chunks

    def commit(self) -> None:
        if not self.dirty or self._data is None:
            return
        try:
            # Through a symlink to its target: replacing the link would split a shared store.
            self._sig = atomic_write(Path(os.path.realpath(self.path)), self.render)
        except OSError as exc:
            self.invalidate()
            raise StoreWriteError(
                self.path,
                N_(
                    "Could not save {path}: {error}. Nothing was changed; check free disk "
                    "space and permissions of the data directory, then try again."
                ),
                path=self.path,
                error=exc.strerror or exc,
            ) from exc
        self.dirty = False
