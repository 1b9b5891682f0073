"""The footer of every screen: compact, so the keys that matter fit in 80 columns.

Below 100 columns the "^p palette" hint makes room for the screen's own keys (the help
modal, ?, still lists ctrl+p).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Footer

PALETTE_HINT_MIN_WIDTH = 100


class KeyFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)

    def on_mount(self) -> None:
        self.show_command_palette = self.app.size.width >= PALETTE_HINT_MIN_WIDTH

    def on_resize(self, event: events.Resize) -> None:
        self.show_command_palette = event.size.width >= PALETTE_HINT_MIN_WIDTH
