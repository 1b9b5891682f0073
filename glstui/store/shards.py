"""The hot file's big tables (orders, shipments) in shard files, committed through its manifest.

Measured before this layout (2 shared cores, loaded): a 100-order page commit with 10k hot
orders took ~120 ms (44 ms assembling the 11 MB file with the GIL held, 46 ms writing and
fsyncing it), with 100k ~1 s (430 ms GIL); every command parsed all orders, even `push`.

Now the hot file `glstui.json` keeps the small tables (integrations, settings, outbox, runs,
audit) and a `shards` table, the manifest: per big table and shard number, the shard's file
name, document count and, for a few fields, the smallest value set in the shard. Shard k of a
table holds doc ids k*SHARD_DOCS .. (k+1)*SHARD_DOCS-1 (TinyDB ids only grow, so new orders
fill the last shard and a page touches one or two) in `shards/<table>-<k>.<token>.json`
beside the real hot file, written once under a new name and never changed.

A commit writes each changed shard as a new file (orjson: ~10x faster than json, and the write
releases the GIL), fsyncs it, then replaces the hot file: that replace is the commit point, so
a crash leaves the old manifest and its old, still present, shard files. Files named by
neither the new manifest nor the previous one (the `.bak`) are deleted after the commit. A
reader without the lock whose shard was just deleted re-reads the manifest.

Big tables are parsed only when first used and only the shards that changed are re-read
when another process commits: `glstui push` or `integrations` read no order at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from glstui.domain.errors import N_, Msg
from glstui.store.errors import StoreCorrupt
from glstui.store.storage import (
    AtomicJSONStorage,
    _DuplicateKey,
    _no_duplicates,
    atomic_write,
    corrupt_message,
    fsync_dir,
    low_text,
)

# ~0.55 MB of orders per shard: parsing one holds the GIL ~15-35 ms on a loaded 2-core
# machine (measured 36 ms at 1,000), so the screen gets a turn between shards. Changing it
# renumbers every shard: it needs a migration.
SHARD_DOCS = 500
INLINE_MAX = 1000  # a big table this small (~1 MB) stays in the hot file
SHARDED = ("orders", "shipments")
MANIFEST = "shards"
SHARD_DIR = "shards"
# Per table, fields whose smallest set value the manifest keeps, so that a scan for them
# (archiving shipped orders, labels a stopped run left pending) reads only shards with any.
# Adding a field here needs a migration that rewrites every shard's summary.
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {"orders": ("shipped_at", "label_pending_at")}
_SHARD_NAME = re.compile(r"^[a-z]+-\d+\.[0-9a-f]+\.json$")
Doc = dict[str, Any]


def shard_of(doc_id: str) -> int:
    return int(doc_id) // SHARD_DOCS


def shard_message(shard: Path, hot: Path, reason: Msg) -> Msg:
    """Why a shard cannot be used and what to do: it has no `.bak` of its own; the hot
    file's `.bak` names the shards of the save before."""
    return Msg(
        N_(
            "The glstui data file {shard} (orders listed by {hot}) cannot be read "
            "({reason}). It was left untouched. Restore it from your own backup; or, if the "
            "last save made it, go back to the save before: move {hot} aside (for example "
            "rename it to {hot}.broken) and rename {hot}.bak to {hot}. Then "
            "start glstui again."
        ),
        shard=shard,
        hot=hot.name,
        reason=reason,
    )


def _strict_loads(path: Path, raw: bytes, hot: Path) -> Any:
    """orjson, accepted only when it re-encodes to the very bytes read (files we wrote); any
    other file (hand-edited, duplicate keys, deep nesting) goes through the careful parser."""
    with contextlib.suppress(orjson.JSONDecodeError):
        data = orjson.loads(raw)
        if orjson.dumps(data) == raw:
            return data
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise StoreCorrupt(
            path, shard_message(path, hot, Msg(N_("it is nested too deeply")))
        ) from None
    except _DuplicateKey as exc:
        reason = Msg(
            N_("the key '{key}' appears twice, so part of the data would be lost"), key=str(exc)
        )
        raise StoreCorrupt(path, shard_message(path, hot, reason)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreCorrupt(
            path, shard_message(path, hot, Msg(N_("not valid JSON: {error}"), error=str(exc)))
        ) from None


class ShardedHotStorage(AtomicJSONStorage):
    """The hot file plus its shard files; big tables load lazily (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "hot")
        self._big: dict[str, dict[str, Doc]] = {}  # loaded big tables
        self._loaded: dict[str, dict[int, str]] = {}  # table -> shard -> file it holds
        self._changed: dict[str, set[int]] = {}  # shards changed since the last commit
        self.shard_reads = 0  # shard files parsed (tests: what a command did not read)

    # --- where things are --------------------------------------------------------------
    @property
    def shard_dir(self) -> Path:
        return Path(os.path.realpath(self.path)).parent / SHARD_DIR

    def manifest(self) -> dict[str, dict[str, Any]]:
        """table -> shard number (text) -> {"file", "count", "min": {field: value}}."""
        return (self._data or {}).get(MANIFEST, {})

    # --- loading -------------------------------------------------------------------------
    def refresh(self) -> bool:
        changed = super().refresh()
        if changed:
            self._after_parse()
        return changed

    def sharded(self, name: str) -> bool:
        """True when `name` lives in shard files, False while it is inline in the hot file."""
        return name in self._big

    def _after_parse(self) -> None:
        """A big table stays inline in the hot file (as in schema 1) while it has at most
        INLINE_MAX documents and no shards: a small store is one file, easy to inspect and
        repair. A larger inline table (a schema 1 store, a hand-made file) moves to shards
        at the next commit (Store.open commits at once); the old file stays as `.bak`."""
        self._check_manifest()
        data = self._data or {}
        for name in SHARDED:
            inline = data.get(name)
            if name not in self.manifest() and (inline is None or len(inline) <= INLINE_MAX):
                for cache in (self._big, self._loaded, self._changed):
                    cache.pop(name, None)
            else:
                self._big.setdefault(name, {})
                if inline is not None:
                    self._adopt(name)

    def _check_manifest(self) -> None:
        """Refuse a hand-edited manifest before any name in it is used as a path."""
        for name, entries in self.manifest().items():
            for k, entry in entries.items():
                file, lows = entry.get("file"), entry.get("min", {})
                ok = (
                    k.isdigit()
                    and isinstance(file, str)
                    and _SHARD_NAME.match(file) is not None
                    and file.startswith(f"{name}-{int(k)}.")
                    and type(entry.get("count", 0)) is int
                    and isinstance(lows, dict)
                    and all(isinstance(v, str) for v in lows.values())
                )
                if not ok:
                    self.invalidate()
                    reason = Msg(
                        N_("its list of '{name}' shard files is damaged (entry {entry})"),
                        name=name,
                        entry=repr(k),
                    )
                    raise StoreCorrupt(self.path, corrupt_message(self.path, reason))

    def _adopt(self, name: str) -> None:
        """Move the inline table `name` to (changed, not yet written) shards."""
        inline = (self._data or {}).pop(name)
        for doc_id in inline:
            if not doc_id.isdigit():
                reason = Msg(
                    N_("table '{name}' has a record with the id {id}, not a number"),
                    name=name,
                    id=repr(doc_id),
                )
                self.invalidate()
                raise StoreCorrupt(self.path, corrupt_message(self.path, reason))
        self._big.setdefault(name, {})
        table = self.big_table(name)  # shards it may have too (a hand-made file)
        table.update(inline)
        self._changed.setdefault(name, set()).update(shard_of(i) for i in inline)
        self._next_id.pop(name, None)
        self.dirty = True

    def big_table(self, name: str, only: Iterable[int] | None = None) -> dict[str, Doc]:
        """The live dict of a big table, brought in line with the manifest (lazily); with
        `only`, just those shards are made current (the dict then holds part of the table)."""
        for attempt in range(3):
            try:
                return self._sync_table(name, only)
            except FileNotFoundError:
                if attempt == 2 or not self.refresh():
                    break  # the manifest did not move on: the shard is really missing
        reason = Msg(
            N_("a shard file of '{name}' in {folder} is missing"), name=name, folder=self.shard_dir
        )
        raise StoreCorrupt(self.path, corrupt_message(self.path, reason))

    def record_problem(self, name: str, doc: Any, reason: Msg) -> tuple[Path, Msg]:
        if self.sharded(name):
            found = next((i for i, d in self.big_table(name).items() if d is doc), None)
            entry = self.manifest().get(name, {}).get(str(shard_of(found))) if found else None
            if entry is not None:
                shard = self.shard_dir / entry["file"]
                return shard, shard_message(shard, self.path, reason)
        return super().record_problem(name, doc, reason)

    def _sync_table(self, name: str, only: Iterable[int] | None = None) -> dict[str, Doc]:
        """Drop shards whose file the manifest replaced and read the missing ones (all, or
        those in `only`); shards changed in this transaction are kept as they are."""
        table = self._big.setdefault(name, {})
        loaded = self._loaded.setdefault(name, {})
        changed = self._changed.get(name, set())
        wanted = {int(k): e["file"] for k, e in self.manifest().get(name, {}).items()}
        for k in [k for k in loaded if wanted.get(k) != loaded[k] and k not in changed]:
            self._drop_shard(table, k)
            del loaded[k]
        for k in wanted if only is None else [k for k in only if k in wanted]:
            if k not in loaded and k not in changed:
                table.update(self._read_shard(name, k, wanted[k]))
                loaded[k] = wanted[k]
        return table

    def _drop_shard(self, table: dict[str, Doc], k: int) -> None:
        for i in range(k * SHARD_DOCS, (k + 1) * SHARD_DOCS):
            table.pop(str(i), None)

    def _read_shard(self, name: str, k: int, file: str) -> dict[str, Doc]:
        path = self.shard_dir / file
        raw = path.read_bytes()
        self.shard_reads += 1
        data = _strict_loads(path, raw, self.path)
        ok = isinstance(data, dict) and all(
            isinstance(v, dict) and i.isdigit() and shard_of(i) == k for i, v in data.items()
        )
        if not ok:
            reason = Msg(
                N_("it is not shard {k} of '{name}' (records of another shard or shape)"),
                k=k,
                name=name,
            )
            raise StoreCorrupt(path, shard_message(path, self.path, reason))
        return data

    def shards_with(self, name: str, field: str, below: str | None = None) -> list[int]:
        """Shards of `name` holding a document with `field` set (to a value < `below`)."""
        out = []
        for k, entry in self.manifest().get(name, {}).items():
            low = entry.get("min", {}).get(field)
            if low is not None and (below is None or low < below):
                out.append(int(k))
        out += [k for k in self._changed.get(name, ()) if k not in out]
        return out

    def docs_with(self, name: str, field: str, below: str | None = None) -> list[Doc]:
        """Documents of `name` with `field` set (below `below`), reading only the shards
        the manifest says hold any."""
        if not self.sharded(name) or field not in SUMMARY_FIELDS.get(name, ()):
            return super().docs_with(name, field, below)  # reads the whole table
        shards = self.shards_with(name, field, below)
        table = self.big_table(name, only=shards)
        ids = (str(i) for k in shards for i in range(k * SHARD_DOCS, (k + 1) * SHARD_DOCS))
        found = (table.get(i) for i in ids)
        hits = (d for d in found if d is not None and d.get(field))
        return [d for d in hits if below is None or low_text(d[field]) < below]

    def count(self, name: str) -> int:
        """Documents in a big table: from the manifest unless this transaction changed it."""
        if not self.sharded(name):
            return len(super().table_view(name))
        if self._changed.get(name):
            return len(self.big_table(name))
        return sum(int(e.get("count", 0)) for e in self.manifest().get(name, {}).values())

    # --- changes -------------------------------------------------------------------------
    def table_data(self, name: str) -> dict[str, Any]:
        return self.big_table(name) if self.sharded(name) else super().table_data(name)

    def table_view(self, name: str) -> dict[str, Any]:
        return self.big_table(name) if self.sharded(name) else super().table_view(name)

    def put_docs(self, name: str, docs: Mapping[str, dict[str, Any]]) -> None:
        if not self.sharded(name):
            return super().put_docs(name, docs)
        if not docs:
            return
        table = self.big_table(name)
        table.update(docs)
        self._changed.setdefault(name, set()).update(shard_of(i) for i in docs)
        self.dirty = True

    def remove_docs(self, name: str, doc_ids: Iterable[str]) -> None:
        if not self.sharded(name):
            return super().remove_docs(name, doc_ids)
        table = self.big_table(name)
        changed = self._changed.setdefault(name, set())
        for doc_id in doc_ids:
            del table[doc_id]
            changed.add(shard_of(doc_id))
            self.dirty = True

    def new_ids(self, name: str, count: int) -> list[str]:
        if self.sharded(name) and name not in self._next_id:
            first = max((int(i) for i in self.big_table(name)), default=0) + 1
            self._next_id[name] = first
        return super().new_ids(name, count)

    # --- commit / rollback -----------------------------------------------------------------
    def commit(self) -> None:
        if not self.dirty or self._data is None:
            return
        for name in SHARDED:
            if not self.sharded(name) and len(self._data.get(name, {})) > INLINE_MAX:
                self._adopt(name)
        before = {n: dict(t) for n, t in self.manifest().items()}
        manifest = {n: dict(t) for n, t in before.items()}
        written: dict[str, dict[int, str]] = {}
        for name, shards in self._changed.items():
            table = self._big.get(name, {})
            entries = manifest.setdefault(name, {})
            for k in sorted(shards):
                docs = {
                    str(i): table[str(i)]
                    for i in range(k * SHARD_DOCS, (k + 1) * SHARD_DOCS)
                    if str(i) in table
                }
                if not docs:
                    entries.pop(str(k), None)
                    continue
                entries[str(k)] = self._write_shard(name, k, docs)
                written.setdefault(name, {})[k] = entries[str(k)]["file"]
        if written:
            fsync_dir(self.shard_dir)  # the new names are on disk before the manifest
        self._data[MANIFEST] = {n: t for n, t in manifest.items() if t}
        super().commit()  # the commit point: from here the new shards are the store
        for name, files in written.items():
            self._loaded.setdefault(name, {}).update(files)
        for name, shards in self._changed.items():
            for k in shards:
                if k not in written.get(name, {}):
                    self._loaded.get(name, {}).pop(k, None)
        self._changed = {}
        self._remove_unused(before)

    def _write_shard(self, name: str, k: int, docs: dict[str, Doc]) -> dict[str, Any]:
        if not self.shard_dir.is_dir():
            self.shard_dir.mkdir(mode=0o700, exist_ok=True)
            fsync_dir(self.shard_dir.parent)
        file = f"{name}-{k}.{secrets.token_hex(6)}.json"
        atomic_write(self.shard_dir / file, orjson.dumps(docs), keep_backup=False, sync_dir=False)
        lows: dict[str, str] = {}
        for field in SUMMARY_FIELDS.get(name, ()):
            # Text that is not a date ("garbage", 5) counts as smallest, so a scan reads it
            # and reports the record as damaged instead of never seeing it.
            values = [low_text(d[field]) for d in docs.values() if d.get(field)]
            if values:
                lows[field] = min(values)
        return {"file": file, "count": len(docs), "min": lows}

    def _remove_unused(self, previous: dict[str, dict[str, Any]]) -> None:
        """Delete shard files neither this commit nor the previous one (`.bak`) names."""
        tables = [*previous.values(), *self.manifest().values()]
        keep = {entry["file"] for table in tables for entry in table.values()}
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.shard_dir):
                if _SHARD_NAME.match(entry.name) and entry.name not in keep:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)

    def invalidate(self) -> None:
        """Forget the hot file and every uncommitted shard change (rollback, failed commit);
        shards read from unchanged files stay loaded."""
        for name, shards in self._changed.items():
            table, loaded = self._big.get(name, {}), self._loaded.get(name, {})
            for k in shards:
                self._drop_shard(table, k)
                loaded.pop(k, None)
        self._changed = {}
        super().invalidate()
