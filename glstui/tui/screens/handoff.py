"""The "Naar Webshop Backoffice" hand-off: a Seller Central link for the operator's own browser."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from glstui.i18n import N_, _
from glstui.services import connect as connect_svc
from glstui.tui.errors import ReportErrors
from glstui.tui.screens.base import translate_bindings
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.qr import QRCode, qr_size


class HandOffModal(ReportErrors, ModalScreen[None]):
    """A link for the operator's own browser ("Naar Webshop Backoffice")."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("c,ctrl+y", "copy", N_("Copy link")),
        Binding("o,ctrl+o", "open_browser", N_("Open browser")),
        Binding("escape,q", "close", N_("Close")),
    ]

    def __init__(self, title: str, text: str, url: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.text = text
        self.url = url

    def compose(self) -> ComposeResult:
        size = self.app.size
        with Vertical(classes="dialog wide"):
            yield Static(Text(self.title_text, style="bold"))
            yield Static(Text(self.text))
            yield Static(Text(self.url, style="underline"), classes="url")
            cols, rows = qr_size(self.url)
            if size.width >= cols + 8 and size.height >= rows + 12:
                yield QRCode(self.url)
            keys = [_("c copies the link")]
            if connect_svc.local_browser_available():
                keys.append(_("o opens it here"))
            keys.append(_("esc closes"))
            yield Static(" · ".join(keys), classes="hint")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_browser":
            return connect_svc.local_browser_available()
        return True

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.url)
        self.notify(_("Link copied (if your terminal allows OSC 52)."), timeout=4)

    def action_open_browser(self) -> None:
        if not connect_svc.open_in_browser(self.url):
            self.notify(
                _("No browser on this computer (SSH/headless): copy the link or scan the QR."),
                severity="warning",
            )

    def action_close(self) -> None:
        self.dismiss(None)
