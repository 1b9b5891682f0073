"""One import of a seller at a time across processes (cron + console), sharing its pacing.

Amazon counts a seller's requests in one bucket whatever process sends them; two processes
each pacing on a full bucket of their own would get 429s. So a process takes a per-seller
file lock in the data dir for the shop's import, and starts from the bucket state that the
previous holder wrote there when it finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from glstui.amazon.client import seller_key
from glstui.store.storage import atomic_write

log = logging.getLogger("glstui.pacing")

PACING_DIR = "pacing"
POLL_SECONDS = 0.05


def _open_lock(path: Path) -> int:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_state(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write_state(path: Path, state: Any) -> None:
    try:  # the one atomic private-file writer: mode 0600 like every file in the data dir
        atomic_write(path, json.dumps(state).encode(), keep_backup=False)
    except OSError as exc:  # pacing state is a courtesy: never fail an import for it
        log.warning("could not save pacing state: %s", exc.strerror or exc)


@contextlib.asynccontextmanager
async def seller_turn(
    data_dir: Path | None,
    client: Any,
    refresh_token: str,
    region: str,
    on_wait: Callable[[], None] = lambda: None,
) -> AsyncIterator[None]:
    """Hold this seller's lock (waiting for another process's import to end) meanwhile."""
    if data_dir is None or not hasattr(client, "restore_pacing"):
        yield
        return
    key = f"{seller_key(refresh_token)}-{region}"
    folder = Path(data_dir) / PACING_DIR
    lock_path, state_path = folder / f"{key}.lock", folder / f"{key}.json"
    fd = await asyncio.to_thread(_open_lock, lock_path)
    try:
        if not _try_lock(fd):
            on_wait()
            while not _try_lock(fd):
                await asyncio.sleep(POLL_SECONDS)
        state = await asyncio.to_thread(_read_state, state_path)
        client.restore_pacing(refresh_token, region, state)
        try:
            yield
        finally:
            _write_state(state_path, client.pacing_state(refresh_token, region))
    finally:
        os.close(fd)  # closing releases the lock
