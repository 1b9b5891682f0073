"""All integrations ("Alle integraties"): every shop, its status and its two switches.

enter opens the details, space / t switch active / tracking (saved at once), n adds a shop,
c connects the highlighted one, b hands its Seller Central page off, d deletes (modal),
/ filters the list.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import CellDoesNotExist

from glstui.domain.errors import GlstuiError
from glstui.domain.integration import Integration
from glstui.i18n import N_, _
from glstui.services import integrations as svc
from glstui.tui import errors
from glstui.tui.markup import literal
from glstui.tui.messages import StoreChanged
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar


def on_off(value: bool) -> Text:
    return Text(_("on"), style="bold") if value else Text(_("off"), style="dim")


NAME_WIDTH = 26


def short(name: str, width: int = NAME_WIDTH) -> str:
    """The name as the list shows it: cut with an ellipsis so the table fits 80 columns."""
    return name if len(name) <= width else name[: width - 1] + "…"


def user_message(err: GlstuiError) -> str:
    """The operator's words for one of our errors, translated (see glstui.tui.errors)."""
    return errors.operator_message(err, None)


class IntegrationsScreen(BaseScreen):
    SECTION = "integrations"
    HELP = N_(
        "All Amazon shops connected to GLS. A shop takes part in imports when it is "
        "active and connected; with tracking on, the GLS tracking code goes back to "
        "Amazon as soon as a label is made, and Amazon marks the order shipped."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("enter", "open", N_("Details"), show=True),
        Binding("space", "toggle_active", N_("Active"), key_display="space"),
        Binding("t", "toggle_tracking", N_("Tracking")),
        Binding("n", "add", N_("Add")),
        Binding("c", "connect", N_("Connect")),
        Binding("b", "backoffice", N_("Backoffice"), show=False),
        Binding("d", "delete", N_("Delete")),
        Binding("slash", "filter", N_("Filter"), key_display="/"),
        Binding("r", "refresh", N_("Refresh"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.integrations: list[Integration] = []
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            yield Static(_("All integrations"), classes="title")
            yield Input(
                placeholder=_("Filter shops: type, enter to keep, esc to clear"),
                id="filter",
                compact=True,
            )
            table: DataTable[Any] = DataTable(
                id="integrations", cursor_type="row", zebra_stripes=False
            )
            yield table
            yield Static("", id="empty", classes="empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Shop"), key="shop")
        table.add_column(_("Shop name"), key="name")
        table.add_column(_("Status"), key="status")
        table.add_column(_("Active"), key="active")
        table.add_column(_("Tracking"), key="tracking")
        self.query_one("#filter").display = False
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    @on(StoreChanged)
    def _store_changed(self) -> None:
        if self.query_one(DataTable).columns:  # not before on_mount made them (see Import)
            self.reload()

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()  # hidden while there are no shops: keys pass it

    # -- data -----------------------------------------------------------------------------

    def reload(self, select_id: str | None = None) -> None:
        self.integrations = svc.list_integrations(self.ctx.store)
        self._fill(select_id)

    def shown(self) -> list[Integration]:
        needle = self.filter_text.strip().casefold()
        if not needle:
            return self.integrations
        return [
            i
            for i in self.integrations
            if needle in i.shop_name.casefold()
            or needle in (i.selling_partner_id or "").casefold()
            or needle in svc.status_label(i, self.ctx.clock.now()).casefold()
        ]

    def _fill(self, select_id: str | None = None) -> None:
        table = self.query_one(DataTable)
        current = select_id or self.current_id()
        table.clear()
        now = self.ctx.clock.now()
        rows = self.shown()
        for integration in rows:
            status = svc.status_label(integration, now)
            # attention (re-connect, renewal due) in bold; a draft dim; connected plain
            if integration.status == "draft":
                style = "dim"
            elif status == _("connected"):
                style = ""
            else:
                style = "bold"
            table.add_row(
                "Amazon",
                Text(short(integration.shop_name)),
                Text(status, style=style),
                on_off(integration.active),
                on_off(integration.update_tracking),
                key=integration.id,
            )
        ids = [i.id for i in rows]
        if current in ids:
            table.move_cursor(row=ids.index(current))
        empty = self.query_one("#empty", Static)
        if not self.integrations:
            empty.update(
                _(
                    "No shops yet. Press n to add an Amazon shop and connect it; "
                    "press 6 for the installation guide."
                )
            )
        elif not rows:
            empty.update(
                _("No shop matches '{text}'. Press esc to clear the filter.").format(
                    text=literal(self.filter_text)
                )
            )
        else:
            empty.update("")
        empty.display = not rows
        table.display = bool(rows)

    def current_id(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            row_key, _col = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return row_key.value

    def current(self) -> Integration | None:
        wanted = self.current_id()
        return next((i for i in self.integrations if i.id == wanted), None)

    def _need_shop(self) -> Integration | None:
        integration = self.current()
        if integration is None:
            self.notify(_("No shop selected: press n to add one."), severity="warning")
        return integration

    # -- actions --------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        integration = self._need_shop()
        if integration is None:
            return
        from glstui.tui.screens.details import DetailsScreen

        self.app.push_screen(DetailsScreen(integration.id))

    def action_toggle_active(self) -> None:
        integration = self._need_shop()
        if integration is None:
            return
        try:
            updated = svc.toggle_active(self.ctx.store, integration.id)
        except GlstuiError as err:
            self.notify(user_message(err), severity="error", markup=False)
            return
        self.reload(updated.id)
        text = (
            _("Shop '{name}' is active: it takes part in imports.")
            if updated.active
            else _("Shop '{name}' is inactive: imports skip it.")
        )
        self.notify(text.format(name=updated.shop_name), markup=False)

    def action_toggle_tracking(self) -> None:
        integration = self._need_shop()
        if integration is None:
            return
        try:
            updated = svc.toggle_tracking(self.ctx.store, integration.id)
        except GlstuiError as err:
            self.notify(user_message(err), severity="error", markup=False)
            return
        self.reload(updated.id)
        text = (
            _("Tracking on for '{name}': tracking codes go back to Amazon.")
            if updated.update_tracking
            else _("Tracking off for '{name}': Amazon is not told about labels.")
        )
        self.notify(text.format(name=updated.shop_name), markup=False)

    def action_add(self) -> None:
        from glstui.tui.screens.add_shop import AddShopScreen

        self.app.push_screen(AddShopScreen(), self.land_on)

    def action_connect(self) -> None:
        integration = self._need_shop()
        if integration is None:
            return
        from glstui.tui.screens.connect import ConnectScreen

        self.app.push_screen(ConnectScreen(integration.id), self.land_on)

    def land_on(self, integration_id: str | None) -> None:
        """Back from Add shop / Connect: the cursor on the shop just connected."""
        if integration_id:
            self.reload(select_id=integration_id)

    def action_backoffice(self) -> None:
        integration = self._need_shop()
        if integration is None:
            return
        from glstui.services.connect import backoffice_url
        from glstui.tui.screens.handoff import HandOffModal

        url = backoffice_url(integration, self.ctx.endpoints)
        self.app.push_screen(
            HandOffModal(
                _("To the shop backoffice"),
                _("Seller Central of '{name}': open it in a browser on your own computer.").format(
                    name=integration.shop_name
                ),
                url,
            )
        )

    def action_delete(self) -> None:
        integration = self._need_shop()
        if integration is None:
            return
        from glstui.tui.widgets.confirm import DeleteShopModal

        count = svc.order_count(self.ctx.store, integration.id)

        def answered(result: object) -> None:  # the modal's {"keep_orders": bool} or None
            if not isinstance(result, dict) or not result:
                self.notify(_("Nothing deleted."), timeout=3)
                return
            self.delete(integration, result["keep_orders"])

        self.app.push_screen(DeleteShopModal(integration.shop_name, count), answered)

    def delete(self, integration: Integration, keep_orders: bool) -> None:
        try:
            result = svc.delete(self.ctx.store, self.ctx.secrets, integration.id, keep_orders)
        except GlstuiError as err:
            self.notify(user_message(err), severity="error", markup=False)
            return
        self.reload()
        if keep_orders:
            text = _("Shop '{name}' deleted; its {n} orders were kept.")
            n = result.orders_kept
        else:
            text = _("Shop '{name}' deleted with its {n} orders.")
            n = result.orders_removed
        self.notify(text.format(name=result.shop_name, n=n), markup=False)

    def action_refresh(self) -> None:
        self.reload()

    # -- filter ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._fill()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        self.focus_main()
        if not event.value:
            event.input.display = False

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            self.filter_text = ""
            box.display = False
            self._fill()
            self.focus_main()
            return
        super().action_back()

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Add a shop"), _("Add an Amazon shop and connect it (n)"), self.action_add),
            (
                _("Connect shop"),
                _("Connect or re-connect the highlighted shop (c)"),
                self.action_connect,
            ),
            (_("Shop details"), _("Open the highlighted shop (enter)"), self.action_open),
            (
                _("Toggle active"),
                _("Switch the highlighted shop on or off (space)"),
                self.action_toggle_active,
            ),
            (
                _("Toggle tracking"),
                _("Send tracking codes to Amazon or not (t)"),
                self.action_toggle_tracking,
            ),
            (
                _("To the shop backoffice"),
                _("Seller Central of the highlighted shop (b)"),
                self.action_backoffice,
            ),
            (_("Delete shop"), _("Delete the highlighted shop (d)"), self.action_delete),
            (_("Filter shops"), _("Filter the list (/)"), self.action_filter),
        ]
