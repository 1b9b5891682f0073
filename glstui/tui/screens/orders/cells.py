"""The Orders table's cells in words: state (loud when cancelled), tracking, dates."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.i18n import N_, _, date_text
from glstui.services.orders_query import OrderRow
from glstui.services.outbox import TrackingSummary

STATE_NAMES = {
    NEW: N_("new"),
    HELD: N_("held"),
    LABELLED: N_("labelled"),
    SHIPPED: N_("shipped"),
    CANCELLED: N_("cancelled"),
}
MARK = "●"
LOUD = "bold white on red"
WARN = "bold black on yellow"
TRACKING_WIDTH = 20  # "refused by Amazon: …" (the details pane has Amazon's words)


def state_text(row: OrderRow | Order) -> Text:
    """The state cell; anything cancelled on Amazon is loud."""
    state = row.state
    if state == CANCELLED:
        return Text(_("CANCELLED"), style=LOUD)
    if row.amazon_status == "CANCELLED":  # labelled or shipped, then cancelled on Amazon
        return Text(f"{_(STATE_NAMES.get(state, state))} {_('CANCELLED')}", style=LOUD)
    style = {HELD: "bold", LABELLED: "", SHIPPED: "dim", NEW: "bold"}.get(state, "")
    return Text(_(STATE_NAMES.get(state, state)), style=style)


def tracking_word(summary: TrackingSummary | None) -> Text:
    """A short word for the state cell at 80 columns (the details say the rest)."""
    if summary is None or not summary.total:
        return Text("")
    if summary.failed:
        return Text(_("REFUSED"), style=LOUD)
    if summary.pending:
        return Text(_("waiting"), style="bold")
    if summary.skipped and not summary.sent:
        return Text(_("by hand"), style="dim")
    return Text("")


def tracking_cell(summary: TrackingSummary | None, width: int = TRACKING_WIDTH) -> Text:
    """The Tracking column: "sent to Amazon", "waiting to be sent", "refused by Amazon: ..."."""
    if summary is None or not summary.total:
        return Text("")
    text = summary.checked_text
    if len(text) > width:
        text = text[: width - 1] + "…"
    style = LOUD if summary.failed else "bold" if summary.pending else "dim"
    return Text(text, style=style, no_wrap=True)


def when(value: datetime | None, short: bool = False) -> str:
    """Local time; `short` leaves the year out (narrow terminals)."""
    return date_text(value, year=not short)
