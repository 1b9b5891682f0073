"""The Orders screen's log pane: report lines of the actions, the app's background activity,
and when the pane takes the place of the details (during a run; `l` switches back and forth).
"""

from __future__ import annotations

import threading

from textual import on

from glstui.services.events import ERROR, INFO, WARNING, Event, LogLine, Progress
from glstui.tui.messages import ActivityAdded, OperatorMoved
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.log_pane import LogPane

NOTE_STYLES = {WARNING: "bold yellow", ERROR: "bold red"}


class OrdersLog(BaseScreen):
    """The log half of the Orders screen (the screen fills in `_show_counts`)."""

    def __init__(self) -> None:
        super().__init__()
        self.busy = ""  # what the running action is doing ("" = nothing runs)
        self.progress = ""
        self._activity_seen = 0
        self._showing_log = False
        self.note: tuple[str, str] = ("", INFO)  # the last result and its level

    def say(self, text: str, level: str = INFO, log: bool = True) -> None:
        """An action's result: into the log (kept) and the status line under the counts
        (until the next result). Never a toast: a toast covers the log and the table."""
        if log:
            self.log_line(text, level)
        self.note = (" ".join(text.split()), level)
        self._show_counts()

    def _show_counts(self) -> None:
        """The counts line (progress is part of it)."""

    def _show_log(self, on: bool) -> None:
        self._showing_log = on
        log = self.query_one(LogPane)
        log.display = on
        self.query_one("#detail").display = not on
        if on:  # lines written while it was hidden: show the newest
            log.flush()
            self.call_after_refresh(log.scroll_end, animate=False)

    @on(OperatorMoved)
    def _operator_moved(self) -> None:
        """The operator moves through the list: show the order, not the log (l brings it)."""
        if self._showing_log and not self.busy:
            self._show_log(False)

    def _stamp(self) -> str:
        return self.ctx.clock.now().astimezone().strftime("%H:%M:%S")

    def log_line(self, text: str, level: str = INFO) -> None:
        self.query_one(LogPane).add(text, level, self._stamp())

    def report(self, event: Event) -> None:
        """The actions' Reporter: lines to the log, progress to the counts line; any thread."""
        if threading.get_ident() != self.app._thread_id:
            self.app.call_from_thread(self.report, event)
            return
        if isinstance(event, LogLine):
            shop = f"[{event.shop}] " if event.shop else ""
            self.log_line(shop + event.text, event.level)
        elif isinstance(event, Progress) and event.total:
            self.progress = f"{event.done}/{event.total}"
            self._show_counts()

    @on(ActivityAdded)
    def _take_activity(self) -> None:
        """Background lines from the app (start-up, tracking deliveries) into the log."""
        activity = getattr(self.app, "activity", ())
        log = self.query_one(LogPane)
        for seq, stamp, level, text in activity:
            if seq > self._activity_seen:
                log.add(text, level, stamp)
                self._activity_seen = seq
