"""Schema versions of the data files and the functions that upgrade older files.

A file records its version in the `meta` table. On load, every migration from the file's
version up to SCHEMA_VERSION runs on the raw data (a dict of tables, each a dict of
doc-id -> document); the store then writes the upgraded file on its next commit (Store.open
commits at once), keeping the old file as the `.bak` copy.

To change the layout: add `MIGRATIONS[n] = fn` (fn upgrades version n to n + 1, in place, and
must tolerate missing tables: archive files only hold orders/shipments/outbox) and bump
SCHEMA_VERSION to n + 1. A file with a version above SCHEMA_VERSION is refused (StoreTooNew).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RawData = dict[str, dict[str, Any]]
Migration = Callable[[RawData], None]

META = "meta"
META_ID = "1"


def _v0_to_v1(data: RawData) -> None:
    """Version 0 = a plain TinyDB file without a meta table: the tables are already right."""


def _v1_to_v2(data: RawData) -> None:
    """Version 2 keeps the hot file's orders and shipments in shard files (store/shards.py):
    the hot storage moves them out itself, as that writes files. Archives are unchanged; the
    bump makes an older glstui refuse a version 2 hot file instead of seeing no orders."""


MIGRATIONS: dict[int, Migration] = {0: _v0_to_v1, 1: _v1_to_v2}
SCHEMA_VERSION = 2


def file_version(data: RawData) -> int:
    meta = data.get(META, {}).get(META_ID, {})
    version = meta.get("schema_version", 0) if isinstance(meta, dict) else 0
    return version if isinstance(version, int) else 0


def set_version(data: RawData, version: int, kind: str) -> None:
    meta = data.setdefault(META, {}).setdefault(META_ID, {})
    meta["schema_version"] = version
    meta.setdefault("kind", kind)


def migrate(data: RawData, kind: str) -> bool:
    """Upgrade `data` in place to SCHEMA_VERSION; True when anything ran."""
    version = file_version(data)
    if version == SCHEMA_VERSION and META in data:
        return False
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](data)
        version += 1
    set_version(data, version, kind)
    return True
