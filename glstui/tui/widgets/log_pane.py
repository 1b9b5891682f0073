"""A live log pane that keeps up with thousands of lines a second.

`Log.write_lines` starts a thread worker per call (measured: 20k single writes take 9 s), so
lines are queued and written in one batch every 0.1 s. Warnings and errors are coloured by a
highlighter keyed on the level mark, so a cancelled order cannot scroll by unnoticed.

The pane follows the tail until the operator scrolls up (and again once they scroll back to the
end). `Log` only follows while it is exactly at the end, which a pane that shrinks (progress
bars appear above it) or grows no longer is: the end of the log would stay off screen.
"""

from __future__ import annotations

import textwrap
from collections import deque
from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual import events
from textual.widgets import Log

from glstui.services.events import ERROR, INFO, WARNING
from glstui.tui.errors import ReportErrors

LEVEL_MARKS = {INFO: "  ", WARNING: "! ", ERROR: "!!"}
_STYLES = {"! ": "bold yellow", "!!": "bold white on red"}
_PREFIX = len("00:00:00 ")


class LevelHighlighter(Highlighter):
    """Colours a whole line by the level mark after its time stamp ("!" warning, "!!" error)."""

    def highlight(self, text: Text) -> None:
        mark = text.plain[_PREFIX : _PREFIX + 2]
        style = _STYLES.get(mark)
        if style:
            text.stylize(style)


class LogPane(ReportErrors, Log):
    """`add(text, level, when)` queues a line; a 0.1 s timer writes the queue in one batch."""

    DEFAULT_CSS = """
    LogPane {
        height: 1fr;
        border: round $panel-lighten-2;
        border-title-align: left;
        background: $surface;
        overflow-y: auto;
        scrollbar-size-horizontal: 0;  /* long lines wrap (add); left/right scroll for the rest */
    }
    LogPane:focus {
        border: round $accent;
    }
    """

    def __init__(
        self,
        *,
        max_lines: int = 5000,
        flush_interval: float = 0.1,
        wrap: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(highlight=True, max_lines=max_lines, auto_scroll=True, **kwargs)
        self.highlighter = LevelHighlighter()
        self.flush_interval = flush_interval
        self._pending: deque[str] = deque()
        self.following = True  # keep the last line in view (until the operator scrolls up)
        self.wrap = wrap  # long lines wrap at spaces instead of running off the right edge

    def on_mount(self) -> None:
        self.set_interval(self.flush_interval, self.flush)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value >= self.max_scroll_y:
            self.following = True
        elif new_value < old_value:
            self.following = False  # the operator scrolled up to read: leave them there

    def on_resize(self, event: events.Resize) -> None:
        if self.following:
            self.call_after_refresh(self._to_tail)

    def _to_tail(self) -> None:
        # force: the first batch that overflows the pane comes before the layout that shows
        # the scrollbar, and without a scrollbar Textual refuses to scroll.
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def add(self, text: str, level: str = INFO, when: str = "") -> None:
        """Queue one line; `when` is HH:MM:SS (from the app's clock). With `wrap`, a line
        longer than the pane wraps at spaces (continued under its text, with the same level
        mark), so a tracking code or parcel number at its end is not cut off at 80 columns."""
        stamp = when or "        "
        mark = LEVEL_MARKS.get(level, LEVEL_MARKS[INFO])
        width = max(20, self._text_width() - _PREFIX - len(mark) - 1) if self.wrap else 0
        for part in text.splitlines() or [""]:
            pieces = self._wrapped(part, width)
            self._pending.append(f"{stamp} {mark} {pieces[0]}")
            self._pending.extend(f"{' ' * _PREFIX}{mark} {piece}" for piece in pieces[1:])

    @staticmethod
    def _wrapped(part: str, width: int) -> list[str]:
        if not width or len(part) <= width:
            return [part]
        return textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False)

    def _text_width(self) -> int:
        """Columns a line can use: the pane's, or (hidden, so not laid out) the terminal's
        less the border, the scrollbar and the page's padding."""
        width = self.scrollable_content_region.width
        return width if width > 0 else self.app.size.width - 6

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Write everything queued in one batch (also called when a run ends)."""
        if not self._pending:
            # A layout change (progress bars, summary) can leave a following pane short of
            # the tail; the next tick puts it back.
            if self.following and not self.is_vertical_scroll_end:
                self._to_tail()
            return
        batch = list(self._pending)
        self._pending.clear()
        follow = self.following
        self.write_lines(batch, scroll_end=False)
        if follow:
            self._to_tail()

    def clear_all(self) -> None:
        self._pending.clear()
        self.clear()
