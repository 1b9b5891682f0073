"""Textual's command palette, safe against keys that arrive before its list is laid out.

`ctrl+p` and `pagedown` in one burst (fast typing, a paste, a key held down) reached the
list while it had options but no lines yet: Textual's OptionList then raised KeyError and
the app exited. Paging a list nobody has seen yet does nothing.
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette


class Palette(CommandPalette):
    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            listing = self.query_one(CommandList)
            if not listing.scrollable_content_region:
                return
        super()._action_command_list(action)
