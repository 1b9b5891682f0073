"""The console's one error path: any exception from an action, handler or worker becomes a toast.

- A `GlstuiError` (ours, the operator can act on it) shows its `user_message`, translated, and
  is logged at WARNING without a traceback.
- Anything else is a bug: the toast says "Unexpected error: <type>. Details are in <log>." and
  the traceback goes to the log at ERROR, logger `glstui.tui.errors`, message starting with
  `UNEXPECTED` ("Unexpected error"). Tests fail on such a record, so the handler hides nothing.

`ReportErrors` is mixed into the app, every screen and modal, the orders table and the log
pane: an exception from one of their handlers is reported instead of ending their message loop
(Textual would stop the loop and exit the app). The app's `_dispatch_action` does the same for
every action, its `_handle_exception` for workers, timers and queued callbacks. An error that
still ends one of Textual's own loops is logged and exits as Textual does. Tracebacks never
show local variables (they hold buyer names and addresses).
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glstui import config
from glstui.domain.errors import GlstuiError
from glstui.i18n import _
from glstui.logs import LOG_FILE

if TYPE_CHECKING:
    from rich.console import Console
    from rich.segment import Segments
    from textual.app import App
    from textual.message import Message
    from textual.notifications import SeverityLevel

LOGGER_NAME = "glstui.tui.errors"
UNEXPECTED = "Unexpected error"
logger = logging.getLogger(LOGGER_NAME)


def log_file(ctx: object) -> Path | None:
    """Where the log of this data dir is written (None without a data dir)."""
    data_dir = getattr(ctx, "data_dir", None)
    if data_dir is None:
        return None
    return config.log_dir(Path(data_dir), create=False) / LOG_FILE


def operator_message(err: BaseException, log: Path | None) -> str:
    """What the toast says: our message translated, or where the details of a bug are."""
    if isinstance(err, GlstuiError) and err.user_message:
        return _(str(err.user_message))
    where = str(log) if log is not None else _("the log")
    return _("Unexpected error: {error}. Details are in {log}.").format(
        error=type(err).__name__, log=where
    )


def log_error(err: BaseException) -> None:
    """Ours at WARNING (what the operator saw), anything else at ERROR with its traceback."""
    if isinstance(err, GlstuiError):
        logger.warning("%s: %s", type(err).__name__, err.user_message)
        return
    logger.error(
        "%s: %s", UNEXPECTED, type(err).__name__, exc_info=(type(err), err, err.__traceback__)
    )


def report(app: App[Any], err: BaseException) -> None:
    """Log `err` and show it as a toast; safe from the UI loop and from worker threads."""
    log_error(err)
    message = operator_message(err, log_file(getattr(app, "ctx", None)))
    severity: SeverityLevel = "warning" if isinstance(err, GlstuiError) else "error"
    if app._thread_id != threading.get_ident():
        app.call_from_thread(app.notify, message, severity=severity, timeout=10, markup=False)
    else:
        app.notify(message, severity=severity, timeout=10, markup=False)


class ReportErrors:
    """Mixin for App and Screen classes: a failing handler is reported, its loop goes on."""

    app: App[Any]

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as err:  # the one place handler errors end up
            report(self.app, err)


def caller_keeps_running() -> bool:
    """True when Textual called `_handle_exception` from a spot whose loop goes on afterwards.

    Timers (`_tick`) and queued callbacks (`_flush_next_callbacks`, e.g. a modal's answer)
    survive an error; a failed message dispatch ends that node's loop, so there Textual's exit
    is the honest outcome. Frame 0 is this function, 1 `_handle_exception`, 2 its caller.
    """
    return sys._getframe(2).f_code.co_name in {"_tick", "_flush_next_callbacks"}


def exit_traceback(console: Console) -> Segments:
    """The traceback Textual prints when it exits on an error, with show_locals=False."""
    import rich
    from rich.segment import Segments
    from rich.traceback import Traceback

    traceback = Traceback(show_locals=False, width=None, suppress=[rich])
    return Segments(console.render(traceback, console.options))
