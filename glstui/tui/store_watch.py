"""Screens follow the store while they are shown: another screen, a cron import, another operator.

Mechanism: every commit replaces the store's hot file whole (a new inode, see
glstui/store/storage.py), from this process or any other, so its (inode, mtime_ns, size) is a
change marker that costs one stat to read. The app reads it every POLL_S and at once when one
of its workers ends (an import, a label run: no wait for changes made in this process); on a
change it posts `StoreChanged` (glstui/tui/messages.py) to the shown screen. Screens that
are not shown reload when they are shown again (their on_screen_resume). Forms (details,
rules, keys) do not reload under the operator's typing; they read the store when opened.
"""

from __future__ import annotations

import os
from pathlib import Path

POLL_S = 1.0
Marker = tuple[int, int, int] | None


def read_marker(path: Path) -> Marker:
    try:
        st = os.stat(path)
    except OSError:  # not written yet, or replaced this instant: the next poll sees it
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class StoreWatch:
    """Remembers the last marker seen; `changed()` says whether a commit happened since."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.marker = read_marker(self.path)

    def changed(self) -> bool:
        marker = read_marker(self.path)
        if marker == self.marker:
            return False
        self.marker = marker
        return True
