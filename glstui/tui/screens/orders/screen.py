"""Orders: every imported order, filtered and paged; labels and tracking for the chosen ones.

Fast at 100k stored orders: the list comes from services.orders_query (rows built off the UI
thread, filtered in memory) and the table holds one window of at most 500 rows; pgdn on the
last row (pgup on the first) moves the window. `/` filters (free words match order id, shop,
city, country; `state:new,held`, `shop:`, `from:`/`to:`/`due:` dates), `t` cycles the state
filter, space marks an order, `a` marks every order the filter shows. `selected_keys` is what
the labelling actions work on. Cancelled orders are shown in red: they must not be shipped.

Labels and tracking (services.labelling / services.outbox): `c` creates GLS labels for the
marked orders (or the highlighted one) and sends the tracking codes, `p` reprints, `D` or
ctrl+d deletes a label (modal, focus on No), `r` retries a confirmation Amazon refused, `m`
marks it done by hand, `F` creates a label anyway when one may already exist at GLS. `l`
switches between the log and the details. The state cell (and at 110+ columns a Tracking
column) shows where the tracking code is; the details pane shows parcels, label files,
tracking links and each confirmation.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from glstui.i18n import N_, _
from glstui.tui.screens.orders.actions import OrderActions


class OrdersScreen(OrderActions):
    SECTION = "orders"
    HELP = N_(
        "The imported orders, most urgent first (ship-by date). / filters: words match the "
        "order id, shop, city or country; state:new,held  shop:name  from:2026-11-20  "
        "to:2026-11-27  due:today narrow it; esc clears. t cycles the state filter. Space "
        "marks an order, a marks all the filter shows. pgup/pgdn at the top or bottom of "
        "the list load the previous or next 500. Red orders were cancelled on Amazon: do "
        "not ship them.\n\n"
        "c creates GLS labels for the marked orders (or the highlighted one) and sends the "
        "tracking codes to Amazon; held orders and their reasons are listed in the log (l "
        "shows it, l again shows the order). p prints the label again, or tells where the "
        "file is when no printer is set. D (ctrl+d) deletes the label at GLS, as long as "
        "Amazon has not been told. When Amazon refuses a tracking code (REFUSED) the details "
        "show why: r sends it again, m marks it done when you confirmed the order in Seller "
        "Central yourself. 'label at GLS?' means glstui asked GLS for a label and got no "
        "answer: check the GLS portal, then F creates the label anyway. ctrl+r reloads.\n\n"
        "'to check' counts the orders that need you: held, tracking code refused by Amazon, "
        "'label at GLS?', and labelled orders cancelled on Amazon. n goes to the next one. "
        "An order Amazon cancelled gets no r: its tracking code would be refused again; D "
        "deletes its label. The results of c, p, D, r and m are in the log and on the line "
        "under the counts."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", N_("Filter"), key_display="/", id="orders.filter"),
        Binding("t", "cycle_state", N_("State"), show=False, id="orders.cycle_state"),
        Binding("space", "mark", N_("Mark"), key_display="space", id="orders.mark"),
        Binding("a", "mark_all", N_("Mark all"), show=False, id="orders.mark_all"),
        Binding("c", "create_labels", N_("Labels"), id="orders.create_labels"),
        Binding("p", "reprint", N_("Print"), id="orders.reprint"),
        Binding(
            "ctrl+d,D",
            "delete_label",
            N_("Delete label"),
            key_display="D",
            show=False,
            id="orders.delete_label",
        ),
        Binding("r", "retry", N_("Retry"), id="orders.retry"),
        Binding("m", "mark_done", N_("Done by hand"), id="orders.mark_done"),
        Binding("F", "force", N_("Create anyway"), id="orders.force"),
        Binding("n", "next_attention", N_("To check"), show=False, id="orders.next_attention"),
        Binding("l", "toggle_log", N_("Log"), id="orders.toggle_log"),
        Binding("ctrl+r,f5", "refresh", N_("Refresh"), show=False, id="orders.refresh"),
        Binding("escape", "back", N_("Back"), show=False, id="orders.back"),
    ]
    DEFAULT_CSS = """
    OrdersScreen #orders {
        height: 1fr;
        scrollbar-size-horizontal: 0;
        scrollbar-size-vertical: 1;
    }
    OrdersScreen #counts { height: auto; max-height: 2; color: $text-muted; }
    /* as tall as the order's text (nothing an operator needs is cut), the list keeps 8 */
    OrdersScreen #detail {
        height: auto;
        min-height: 7;
        max-height: 13;
        border-top: solid $panel-lighten-2;
        padding: 0 1;
    }
    OrdersScreen #detail.-tall { min-height: 14; max-height: 20; }
    OrdersScreen LogPane { height: 8; }
    OrdersScreen LogPane.-tall { height: 14; }
    """

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """r / m / F only show (and work) where they apply to the highlighted order."""
        if action not in ("retry", "mark_done", "force"):
            return True
        key = self.current_key() if self.is_mounted else None
        if key is None:
            return False
        if action == "force":
            return key in self.pending_labels
        summary = self.tracking.get(key)
        if summary is None:
            return False
        if action == "retry" and self.refused_as_cancelled(key):
            return False  # Amazon refuses it again: D deletes the label instead
        return bool(summary.failed or summary.pending)

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (
                _("Filter orders"),
                _("Filter by words, state, shop and date (/)"),
                self.action_filter,
            ),
            (
                _("Cycle state filter"),
                _("All, open, new, held, labelled, shipped, cancelled (t)"),
                self.action_cycle_state,
            ),
            (
                _("Mark all shown orders"),
                _("Mark every order the filter shows (a)"),
                self.action_mark_all,
            ),
            (
                _("Create labels"),
                _("GLS labels for the marked orders or the highlighted one (c)"),
                self.action_create_labels,
            ),
            (
                _("Print the label again"),
                _("Reprint the highlighted order's label, or show where the file is (p)"),
                self.action_reprint,
            ),
            (
                _("Delete the label"),
                _("Delete the highlighted order's label at GLS, before Amazon is told (D)"),
                self.action_delete_label,
            ),
            (
                _("Send the tracking code again"),
                _("Retry a tracking code Amazon refused (r)"),
                self.action_retry,
            ),
            (
                _("Tracking code done by hand"),
                _("You confirmed the order in Seller Central yourself (m)"),
                self.action_mark_done,
            ),
            (
                _("Create the label anyway"),
                _("A label may already exist at GLS: you checked the GLS portal (F)"),
                self.action_force,
            ),
            (
                _("Clear 'label at GLS?'"),
                _("The GLS portal has no label for the highlighted order"),
                self.action_forget_pending,
            ),
            (
                _("Next order to check"),
                _("Held, refused, 'label at GLS?' or cancelled after labelling (n)"),
                self.action_next_attention,
            ),
            (
                _("Show the log"),
                _("What the last label run and tracking deliveries did (l)"),
                self.action_toggle_log,
            ),
        ]
