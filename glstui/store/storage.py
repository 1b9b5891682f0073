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
- refuses a file it cannot parse (StoreCorrupt) and never writes over it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from glstui.store import migrations
from glstui.store.errors import StoreCorrupt, StoreTooNew, StoreWriteError

Signature = tuple[int, int, int]
TMP_SUFFIX = ".tmp"


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


def corrupt_message(path: Path, reason: str) -> str:
    bak = backup_path(path)
    if bak.exists():
        restore = (
            f"The previous version is in {bak}: move {path.name} aside (for example rename it "
            f"to {path.name}.broken) and rename {bak.name} to {path.name}"
        )
    else:
        restore = (
            f"There is no backup copy ({bak.name}): move {path.name} aside (for example rename "
            f"it to {path.name}.broken) to start with an empty one, or restore it from your "
            "own backup"
        )
    return (
        f"The glstui data file {path} cannot be read ({reason}). It was left untouched. "
        f"{restore}, then start glstui again."
    )


def parse(path: Path, raw: bytes, kind: str) -> dict[str, dict[str, Any]]:
    """Parse and check the shape TinyDB expects: {table: {doc_id: {field: value}}}."""
    if not raw.strip():
        raise StoreCorrupt(path, corrupt_message(path, "the file is empty"))
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        reason = f"not valid JSON: {exc}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise StoreCorrupt(path, corrupt_message(path, reason)) from None
    if not isinstance(data, dict):
        raise StoreCorrupt(
            path, corrupt_message(path, f"expected a JSON object, found {type(data).__name__}")
        )
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise StoreCorrupt(
                path, corrupt_message(path, f"table '{name}' is not a table of documents")
            )
    version = migrations.file_version(data)
    if version > migrations.SCHEMA_VERSION:
        raise StoreTooNew(
            path,
            f"The glstui data file {path} was written by a newer glstui (schema version "
            f"{version}, this one knows up to {migrations.SCHEMA_VERSION}). It was left "
            "untouched: upgrade glstui to open it.",
        )
    return data


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
    path: Path, payload: bytes | Callable[[], bytes], keep_backup: bool = True
) -> Signature:
    """Replace `path` with `payload` so a reader or a crash sees the old or the new file.

    `payload` may be a function rendering the bytes; it runs with the temp file open.
    """
    fd, tmp = tempfile.mkstemp(prefix=tmp_prefix(path), suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(payload() if callable(payload) else payload)
            handle.flush()
            os.fsync(handle.fileno())
            sig = signature(os.fstat(handle.fileno()))
        if keep_backup:
            _keep_backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
    return sig


class AtomicJSONStorage(Storage):
    """TinyDB storage over one file: parsed on change, written only by `commit()`."""

    def __init__(self, path: Path, kind: str = "hot") -> None:
        self.path = Path(path)
        self.kind = kind
        self._data: dict[str, dict[str, Any]] | None = None
        self._sig: Signature | None = None
        self.dirty = False
        self.parse_count = 0

    # TinyDB's Storage interface -------------------------------------------------------
    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._data is None:
            self._data = {}
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self.dirty = True

    def close(self) -> None:
        pass

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
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            if self._data is not None and self._sig is None:
                return False
            self._data, self._sig, self.dirty = {}, None, False
            migrations.migrate(self._data, self.kind)
            return True
        with handle:
            sig = signature(os.fstat(handle.fileno()))
            if self._data is not None and sig == self._sig:
                return False
            raw = handle.read()
        self.parse_count += 1
        try:
            data = parse(self.path, raw, self.kind)
        except BaseException:
            self.invalidate()
            raise
        self.dirty = migrations.migrate(data, self.kind)
        self._data, self._sig = data, sig
        return True

    def invalidate(self) -> None:
        """Forget the in-memory state: the next refresh parses the file again."""
        self._data, self._sig, self.dirty = None, None, False

    def commit(self) -> None:
        if not self.dirty or self._data is None:
            return
        data = self._data
        try:
            self._sig = atomic_write(
                self.path, lambda: json.dumps(data, separators=(",", ":")).encode()
            )
        except OSError as exc:
            self.invalidate()
            raise StoreWriteError(
                self.path,
                f"Could not save {self.path}: {exc.strerror or exc}. Nothing was changed; "
                "check free disk space and permissions of the data directory, then try again.",
            ) from exc
        self.dirty = False
