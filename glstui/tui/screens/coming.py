"""A section that is not built yet: says what it will do, not an error."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from glstui.i18n import N_, _
from glstui.tui.screens.base import BaseScreen
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar, section_title

COMING: dict[str, str] = {
    "import": N_(
        "Import the orders of your active, connected Amazon shops: pick the shops, "
        "press s to start, and follow progress and the live log here."
    ),
    "orders": N_(
        "Select imported orders, create GLS labels and follow the tracking codes "
        "sent back to Amazon."
    ),
    "statistics": N_("What was imported, labelled and confirmed to Amazon, per shop and per day."),
}


class ComingScreen(BaseScreen):
    HELP = N_("This section is being built. The keys 1-7 switch to the other sections.")

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.SECTION = mode  # type: ignore[misc]
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield SectionBar(self.mode)
        with Vertical(classes="page"):
            yield Static(section_title(self.mode), classes="title")
            yield Static(_("Coming soon"), classes="coming-badge")
            yield Static(_(COMING.get(self.mode, "")), classes="coming-text")
            yield Static(
                _("1-7 switch sections; ? shows the keys of any screen."),
                classes="hint",
            )
        yield KeyFooter()
