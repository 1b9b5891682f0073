"""The one way glstui replaces a private file: a reader or a crash sees the old or the new one.

Temp file in the same directory (`.<name>.XXXX.tmp`, mode 0600 from the start, so a key or a
buyer's address is never readable by others even for a moment), written, fsynced, renamed over
the target, then the directory fsynced. On any failure (disk full, a render that raises, Ctrl-C)
the temp file is removed and the target is untouched. Importable from every layer but domain.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

TMP_SUFFIX = ".tmp"

Payload = bytes | list[bytes] | Callable[[], bytes | list[bytes]]


def tmp_prefix(path: Path) -> str:
    return f".{path.name}."


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (where the platform allows it)."""
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


def atomic_write(
    path: Path,
    payload: Payload,
    *,
    before_replace: Callable[[], None] | None = None,
    sync_dir: bool = True,
) -> os.stat_result:
    """Replace `path` with `payload` (bytes, chunks, or a function rendering them), mode 0600.

    `before_replace` runs once the new content is durable, just before the rename (the store
    keeps its `.bak` copy there); sync_dir=False leaves the directory fsync to a caller that
    writes several files. Returns the new file's stat (callers use it as a change signature)."""
    fd, tmp = tempfile.mkstemp(prefix=tmp_prefix(path), suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            body = payload() if callable(payload) else payload
            if isinstance(body, list):
                handle.writelines(body)
            else:
                handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
            st = os.fstat(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        fsync_dir(path.parent)
    return st
