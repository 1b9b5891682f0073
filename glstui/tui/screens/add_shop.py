"""Add shop ("Voeg een shop toe"): region, marketplaces, an optional name, then the hand-off.

Focus starts on the marketplaces, the one thing every operator sets. The region is a
dropdown, not radio buttons: arrows and space on radio buttons silently switched Europe to
Far East, and the shop then imported 0 orders without a word. Changing it takes enter, a
pick and enter, and is said in a line under it. Which Seller Central site the consent link
opens (the first ticked marketplace) is shown, not only explained.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from glstui.amazon.regions import REGIONS, marketplace, marketplaces_in
from glstui.domain.errors import GlstuiError, ValidationError
from glstui.i18n import N_, _
from glstui.services import connect as connect_svc
from glstui.services import integrations as svc
from glstui.tui.markup import literal
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.toggles import TickList

REGION_NAMES = {"EU": N_("Europe"), "NA": N_("North America"), "FE": N_("Far East")}


class AddShopScreen(BaseScreen):
    """Pick region and marketplaces and an optional name, then go to the hand-off."""

    SECTION = "integrations"
    HELP = N_(
        "Tick the marketplaces to import from (space ticks one), optionally type a shop "
        "name, then ctrl+s. The first ticked marketplace (in the list's order) decides which "
        "Seller Central site the consent link opens. The region is Europe unless you pick "
        "another one in its list (shift+tab, enter). Without a name the shop is called "
        "'Amazon <selling partner id>' once connected. One consent covers all marketplaces "
        "of the account in that region."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+s", "next", N_("Continue"), priority=True, id="add_shop.next"),
        Binding("escape", "back", N_("Cancel"), id="add_shop.back"),
    ]
    CSS = """
    #region-row, #name-row { height: 1; margin: 1 0 0 0; }
    #region-row Label, #name-row Label { width: auto; margin: 0 1 0 0; text-style: bold; }
    #region { width: 24; }
    #region-note, #site { height: auto; }
    #marketplaces { max-height: 11; }
    #add-form .field-label { margin: 1 0 0 0; }
    """

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with VerticalScroll(classes="page form", id="add-form"):
            yield Static(_("Add a shop"), classes="title")
            yield Label(
                _("Marketplaces (space ticks one; the first ticked one picks the site):"),
                classes="field-label",
            )
            yield TickList(id="marketplaces", compact=True)
            yield Static("", id="site", classes="hint")
            with Horizontal(id="region-row"):
                yield Label(_("Region"))
                yield Select(
                    [(f"{code} {_(REGION_NAMES[code])}", code) for code in REGIONS],
                    value="EU",
                    allow_blank=False,
                    compact=True,
                    id="region",
                )
            yield Static("", id="region-note", classes="hint")
            with Horizontal(id="name-row"):
                yield Label(_("Shop name (optional)"))
                yield Input(
                    id="shop_name",
                    placeholder=_("empty: Amazon <selling partner id>"),
                    compact=True,
                    max_length=80,
                )
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Continue") + " ^s", id="next", variant="primary", compact=True)
                yield Button(_("Cancel") + " esc", id="cancel", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.fill_marketplaces("EU")
        self.query_one("#region-note", Static).display = False
        self.query_one("#marketplaces", TickList).focus()

    def chosen_region(self) -> str:
        value = self.query_one("#region", Select).value
        return value if isinstance(value, str) else "EU"

    def fill_marketplaces(self, region: str) -> None:
        options = self.query_one("#marketplaces", TickList)
        options.clear_options()
        for m in marketplaces_in(region):
            options.add_option(Selection(f"{m.code}  {m.domain}", m.id, m.code == "NL"))
        if region != "EU" and options.option_count:
            options.select(options.get_option_at_index(0))
        if options.option_count:
            options.highlighted = 0  # space ticks at once, no arrow needed first
        self.show_site()

    def show_site(self) -> None:
        chosen = self.selected_marketplaces()
        site = self.query_one("#site", Static)
        if not chosen:
            site.update(_("No marketplace ticked: tick at least one."))
            return
        first = marketplace(chosen[0])
        host = self.ctx.endpoints.seller_central(first.id).split("://", 1)[-1]
        site.update(
            _("The consent link opens {host} (from {code}, the first ticked).").format(
                host=host, code=first.code
            )
        )

    @on(SelectionList.SelectedChanged, "#marketplaces")
    def _ticked(self) -> None:
        self.show_site()

    @on(Select.Changed, "#region")
    def _region_changed(self, event: Select.Changed) -> None:
        region = event.value if isinstance(event.value, str) else "EU"
        self.fill_marketplaces(region)
        note = self.query_one("#region-note", Static)
        note.display = region != "EU"
        note.update(
            _(
                "Region {region}: the list above now shows its marketplaces; the seller "
                "account must be registered there, or nothing is imported."
            ).format(region=f"{region} {_(REGION_NAMES[region])}")
        )

    @on(Button.Pressed, "#next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#shop_name")
    def _submitted(self) -> None:
        self.action_next()

    def selected_marketplaces(self) -> list[str]:
        options = self.query_one("#marketplaces", TickList)
        chosen = set(options.selected)
        # keep the list's order, so "first" means the first one ticked in the list
        ordered = [options.get_option_at_index(i).value for i in range(options.option_count)]
        return [m for m in ordered if m in chosen]

    def action_next(self) -> None:
        from glstui.tui.screens.connect import ConnectScreen

        error = self.query_one("#error", Static)
        try:
            pending = connect_svc.start(
                self.ctx,
                self.chosen_region(),
                self.selected_marketplaces(),
                self.query_one("#shop_name", Input).value,
            )
        except ValidationError as err:
            error.update(svc.name_message(err))
            self.query_one("#shop_name", Input).focus()
            return
        except GlstuiError as err:
            error.update(literal(user_message(err)))
            return
        # Connect's answer (the new shop's id, or None) is this screen's answer too, so the
        # list lands on the new shop; esc on Connect goes back to the list as before.
        self.app.push_screen(
            ConnectScreen(pending.integration_id, pending=pending, new_draft=True),
            self.dismiss,
        )

    def action_back(self) -> None:
        self.dismiss(None)
