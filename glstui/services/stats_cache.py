"""The statistics cache of archive months: what a month contributes, kept per archive file.

An archive month hardly ever changes, so its FileTally (counts per shop and day, shop ids,
no order data) is kept in <data dir>/cache/stats-YYYY-MM.json, keyed by the archive file's
identity (inode, mtime, size): a changed archive is simply counted again.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Container
from datetime import datetime
from pathlib import Path

from glstui.domain.serial import to_dict
from glstui.files import atomic_write
from glstui.services.stats_tally import FileTally, count_file
from glstui.store import Store
from glstui.store.archive_scan import ArchiveScan

CACHE_DIR = "cache"
CACHE_VERSION = 1


def archive_signature(store: Store, month: str) -> list[int] | None:
    try:
        st = os.stat(Path(store.archive_dir) / f"orders-{month}.json")
    except (OSError, AttributeError):
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size]


def _cache_path(store: Store, month: str) -> Path:
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
    store: Store, month: str, hot_keys: Callable[[], Container[str]], now: datetime, cache: bool
) -> FileTally:
    """One archive month's contribution, from the cache when the file did not change.

    The month is parsed by a scan of its own (not the store's archive cache), so it is freed
    before the next month is read: at most one month is in memory at a time. `hot_keys()`
    names the orders still in the hot file (hidden in the month); it is asked only when the
    month has to be read.
    """
    signature = archive_signature(store, month) if cache else None
    path = _cache_path(store, month)
    if signature is not None:
        cached = _read_cache(path, signature)
        if cached is not None:
            return cached
    # stat first, read second: a file replaced in between is counted again next time
    tally = count_file(ArchiveScan(store.archive_dir, month, hot_keys()), now)
    if signature is not None:
        _write_cache(path, signature, tally)
    return tally
