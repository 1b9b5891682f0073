"""Integration details ("Integratie details"): the shop's name and switches, and its status.

ctrl+s saves (Update), ctrl+d deletes (modal), esc goes back and asks first when something
was changed and not saved. The name is required, trimmed and unique; a wrong name is said
right under the field and nothing is saved.

ctrl+s stays on the screen (ctrl+r rules and ctrl+k connect often follow a rename) and says
so on the screen, under the buttons, until the form is changed again: "Saved 'name' at
08:00; esc goes back to the list." A toast alone was missed (and covered the form).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Static

from glstui.amazon.regions import MARKETPLACES_BY_ID
from glstui.domain.errors import GlstuiError, ValidationError
from glstui.domain.integration import Integration
from glstui.i18n import N_, _
from glstui.services import integrations as svc
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.toggles import TickBox

SWITCHES = (
    ("update_tracking", N_("Update the tracking code in the shop")),
    ("active", N_("Shop is active")),
    ("rules_enabled", N_("Activate shipping rules")),
)


def marketplace_codes(ids: list[str]) -> str:
    return (
        ", ".join(MARKETPLACES_BY_ID[m].code if m in MARKETPLACES_BY_ID else m for m in ids) or "-"
    )


def rules_screen() -> Any:
    """The shipping rule editor's screen class, when that part is installed."""
    try:
        from glstui.tui.screens.rules import RulesScreen
    except ImportError:
        return None
    return RulesScreen


class DetailsScreen(BaseScreen):
    SECTION = "integrations"
    HELP = N_(
        "Change the shop's name (required, unique) and its switches, then press ctrl+s "
        "(Update). 'Update the tracking code in the shop' sends the GLS tracking code to "
        "Amazon as soon as a label is made; Amazon then marks the order shipped. "
        "An inactive shop is skipped by imports."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Update"), priority=True, id="details.save"),
        Binding("ctrl+d", "delete", N_("Delete"), priority=True, id="details.delete"),
        Binding("ctrl+k", "connect", N_("Connect"), priority=True, id="details.connect"),
        Binding("ctrl+r", "rules", N_("Shipping rules"), priority=True, id="details.rules"),
        Binding("escape", "back", N_("Back"), id="details.back"),
    ]

    def __init__(self, integration_id: str) -> None:
        super().__init__()
        self.integration_id = integration_id
        self.integration: Integration | None = None

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with VerticalScroll(classes="page form"):
            yield Static(_("Integration details"), classes="title", id="title")
            yield Static("", id="info", classes="info")
            yield Label(_("Shop name (required)"), classes="field-label")
            yield Input(id="shop_name", compact=True, max_length=80, select_on_focus=False)
            yield Static("", id="name-error", classes="error")
            for key, text in SWITCHES:
                yield TickBox(_(text), id=key, classes="switch")
            yield Static(
                _("ctrl+r opens the shipping rules of this shop.")
                if rules_screen() is not None
                else _("The shipping rule editor is coming in a later version."),
                id="rules-note",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Update") + " ^s", id="save", variant="primary", compact=True)
                yield Button(_("Connect") + " ^k", id="connect", compact=True)
                yield Button(_("Delete") + " ^d", id="delete", variant="error", compact=True)
                yield Button(_("Back") + " esc", id="back", compact=True)
            yield Static("", id="saved", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#shop_name", Input).focus()

    def load(self) -> None:
        try:
            integration = svc.get(self.ctx.store, self.integration_id)
        except svc.IntegrationNotFound as err:
            self.notify(user_message(err), severity="error", markup=False)
            self.dismiss(None)
            return
        self.integration = integration
        self.query_one("#shop_name", Input).value = integration.shop_name
        for key, _text in SWITCHES:
            self.query_one(f"#{key}", Checkbox).value = bool(getattr(integration, key))
        self.show_info()

    def show_info(self) -> None:
        integration = self.integration
        if integration is None:
            return
        now = self.ctx.clock.now()
        due = integration.reconsent_due()
        lines = [
            f"{_('Shop')}: Amazon {integration.region}   "
            f"{_('Marketplaces')}: {marketplace_codes(integration.marketplace_ids)}",
            f"{_('Selling partner id')}: {integration.selling_partner_id or '-'}",
            f"{_('Status')}: {svc.status_label(integration, now)}   "
            f"{_('Re-consent due')}: {due.date().isoformat() if due else '-'}",
        ]
        # Shop names are typed by operators: never read them as markup ("[bold]", "[/]").
        self.query_one("#info", Static).update(Text("\n".join(lines)))
        self.query_one("#title", Static).update(
            Text(f"{_('Integration details')} · {integration.shop_name}")
        )

    def focus_main(self) -> None:
        self.query_one("#save", Button).focus()

    # -- state ----------------------------------------------------------------------------

    def form_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {"shop_name": self.query_one("#shop_name", Input).value}
        for key, _text in SWITCHES:
            values[key] = self.query_one(f"#{key}", Checkbox).value
        return values

    def has_unsaved_changes(self) -> bool:
        if self.integration is None:
            return False
        values = self.form_values()
        if " ".join(values["shop_name"].split()) != self.integration.shop_name:
            return True
        return any(values[key] != getattr(self.integration, key) for key, _t in SWITCHES)

    @on(Input.Changed, "#shop_name")
    def _name_changed(self, event: Input.Changed) -> None:
        problem = svc.check_name(self.ctx.store, event.value, self.integration_id)
        self._show_name_error(problem)
        self._show_saved()

    @on(Checkbox.Changed)
    def _switch_changed(self) -> None:
        self._show_saved()

    def _show_saved(self, text: str = "") -> None:
        """The line under the buttons: what was saved, until the form changes again."""
        self.query_one("#saved", Static).update(Text(text, style="bold green"))

    def _show_name_error(self, problem: str | None) -> None:
        error = self.query_one("#name-error", Static)
        error.update(Text(problem or ""))  # it quotes the typed name
        self.query_one("#shop_name", Input).set_class(bool(problem), "-invalid")

    def action_rules(self) -> None:
        screen_cls = rules_screen()
        if screen_cls is None:
            self.notify(_("The shipping rule editor is coming in a later version."), timeout=4)
            return
        self.app.push_screen(screen_cls(self.integration_id))

    # -- actions --------------------------------------------------------------------------

    @on(Input.Submitted, "#shop_name")
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "save": self.action_save,
            "delete": self.action_delete,
            "back": self.action_back,
            "connect": self.action_connect,
        }
        actions[event.button.id or "back"]()

    def action_save(self) -> bool:
        if self.integration is None:
            return False
        values = self.form_values()
        try:
            updated = svc.update_changed(
                self.ctx.store, self.integration_id, self.integration, values
            )
        except ValidationError as err:
            self._show_name_error(svc.name_message(err))
            self.query_one("#shop_name", Input).focus()
            self.notify(svc.name_message(err), severity="error", markup=False)
            return False
        except GlstuiError as err:
            self.notify(user_message(err), severity="error", markup=False)
            return False
        self.integration = updated
        with self.prevent(Input.Changed):
            self.query_one("#shop_name", Input).value = updated.shop_name
        self._show_name_error(None)
        self.show_info()
        at = self.ctx.clock.now().astimezone().strftime("%H:%M")
        self._show_saved(
            _("Saved '{name}' at {time}; esc goes back to the list.").format(
                name=updated.shop_name, time=at
            )
        )
        return True

    def action_connect(self) -> None:
        from glstui.tui.screens.connect import ConnectScreen

        self.app.push_screen(ConnectScreen(self.integration_id))

    def on_screen_resume(self) -> None:
        # back from connecting: status and selling partner id may have changed
        if self.integration is not None:
            try:
                fresh = svc.get(self.ctx.store, self.integration_id)
            except svc.IntegrationNotFound:
                return
            unsaved = self.has_unsaved_changes()
            self.integration = fresh
            if not unsaved:
                self.query_one("#shop_name", Input).value = fresh.shop_name
            self.show_info()

    def action_delete(self) -> None:
        if self.integration is None:
            return
        from glstui.tui.widgets.confirm import DeleteShopModal

        integration = self.integration
        count = svc.order_count(self.ctx.store, integration.id)

        def answered(result: object) -> None:
            # DeleteShopModal dismisses with {"keep_orders": bool}, or None when kept
            if not isinstance(result, dict):
                return
            keep = bool(result.get("keep_orders"))
            try:
                svc.delete(self.ctx.store, self.ctx.secrets, integration.id, keep)
            except GlstuiError as err:
                self.notify(user_message(err), severity="error", markup=False)
                return
            self.notify(
                _("Shop '{name}' deleted.").format(name=integration.shop_name), markup=False
            )
            self.dismiss(None)

        self.app.push_screen(DeleteShopModal(integration.shop_name, count), answered)

    def action_back(self) -> None:
        self.leave_or_ask(
            _("Leave without saving your changes?"),
            yes=_("Leave"),
            detail=_("Press n to stay and ctrl+s to save them."),
        )

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Update"), _("Save the shop (ctrl+s)"), self.action_save),
            (_("Delete shop"), _("Delete this shop (ctrl+d)"), self.action_delete),
            (_("Connect shop"), _("Connect or re-connect this shop (ctrl+k)"), self.action_connect),
            (
                _("Shipping rules"),
                _("Edit the shipping rules of this shop (ctrl+r)"),
                self.action_rules,
            ),
            (_("Back"), _("Back to all integrations (esc)"), self.action_back),
        ]
