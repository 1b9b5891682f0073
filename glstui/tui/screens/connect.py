"""Adding and connecting a shop ("Voeg een shop toe", "Koppelen"): the browser hand-off.

The operator works on a headless server over SSH, so the consent link goes to *their own*
machine: shown in full, copied with OSC 52 (ctrl+y), drawn as a QR code when the terminal is
big enough, opened in a local browser only when a real one exists. Then the operator pastes
the address Amazon redirects to (or just the code). A private, self-authorized app pastes a
refresh token instead (ctrl+t). Errors are said in plain words and the draft shop stays.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    RadioSet,
    Static,
)
from textual.widgets.selection_list import Selection

from glstui.amazon.regions import REGIONS, marketplaces_in
from glstui.domain.errors import GlstuiError, ValidationError
from glstui.i18n import N_, _
from glstui.services import connect as connect_svc
from glstui.services import integrations as svc
from glstui.tui.errors import ReportErrors
from glstui.tui.markup import literal
from glstui.tui.screens.base import BaseScreen, translate_bindings
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.qr import QRCode, qr_size
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.toggles import TickList, TickRadio

REGION_NAMES = {"EU": N_("Europe"), "NA": N_("North America"), "FE": N_("Far East")}
QR_MIN_LEFT = 60  # columns the instructions need next to the QR code


def qr_fits(url: str, width: int, height: int) -> bool:
    cols, rows = qr_size(url)
    return width >= cols + QR_MIN_LEFT and height >= rows + 4


class AddShopScreen(BaseScreen):
    """Pick region and marketplaces and an optional name, then go to the hand-off."""

    SECTION = "integrations"
    HELP = N_(
        "Choose the Amazon region of the seller account and the marketplaces to import "
        "from (space ticks one), optionally a shop name, then ctrl+s. Without a name the "
        "shop is called 'Amazon <selling partner id>' once connected. One consent covers "
        "all marketplaces of the account in that region."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+s", "next", N_("Continue"), priority=True),
        Binding("escape", "back", N_("Cancel")),
    ]

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with VerticalScroll(classes="page form"):
            yield Static(_("Add a shop"), classes="title")
            yield Label(_("Region"), classes="field-label")
            with RadioSet(id="region", compact=True):
                for code in REGIONS:
                    yield TickRadio(
                        f"{code} {_(REGION_NAMES[code])}", value=code == "EU", name=code
                    )
            yield Label(
                _("Marketplaces (space ticks, the first one picks the Seller Central site)"),
                classes="field-label",
            )
            yield TickList(id="marketplaces", compact=True)
            yield Label(_("Shop name (optional)"), classes="field-label")
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
        self.query_one("#region", RadioSet).focus()

    def chosen_region(self) -> str:
        pressed = self.query_one("#region", RadioSet).pressed_button
        return (pressed.name if pressed else None) or "EU"

    def fill_marketplaces(self, region: str) -> None:
        options = self.query_one("#marketplaces", TickList)
        options.clear_options()
        for m in marketplaces_in(region):
            options.add_option(Selection(f"{m.code}  {m.domain}", m.id, m.code == "NL"))
        if region != "EU" and options.option_count:
            options.select(options.get_option_at_index(0))

    @on(RadioSet.Changed, "#region")
    def _region_changed(self, event: RadioSet.Changed) -> None:
        self.fill_marketplaces(event.pressed.name or "EU")

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
        self.app.switch_screen(
            ConnectScreen(pending.integration_id, pending=pending, new_draft=True)
        )

    def action_back(self) -> None:
        self.dismiss(None)


class ConnectScreen(BaseScreen):
    """The hand-off: link, QR, countdown, paste field, result."""

    SECTION = "integrations"
    HELP = N_(
        "1. Open the link in a browser on your own computer (ctrl+y copies it; scan the QR "
        "code with a phone; ctrl+o opens it here when this computer has a browser). "
        "2. Log in to Seller Central, tick 'I direct Amazon to provide GLS access...' and "
        "press Confirm. 3. Copy the address of the page Amazon sends you to and paste it "
        "here, then enter. Amazon's code is valid for 5 minutes and works once. "
        "A private (self-authorized) app: press ctrl+t and paste the refresh token."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+y", "copy", N_("Copy link"), priority=True),
        Binding("ctrl+o", "open_browser", N_("Open browser"), priority=True),
        Binding("ctrl+t", "private", N_("Refresh token"), priority=True),
        Binding("ctrl+n", "new_link", N_("New link"), show=False, priority=True),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(
        self,
        integration_id: str,
        pending: connect_svc.PendingConsent | None = None,
        new_draft: bool = False,
    ) -> None:
        super().__init__()
        self.integration_id = integration_id
        self.new_draft = new_draft  # Add shop made the draft row just now
        self.pending = pending
        self.private_mode = False
        self.connected = False
        self.busy = False

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Horizontal(classes="page"):
            with VerticalScroll(id="handoff"):
                yield Static(_("Connect"), classes="title", id="title")
                yield Static(_("1. Open this link in a browser on your own computer:"), id="step1")
                yield Static("", id="url", classes="url")
                yield Static("", id="link-keys", classes="hint")
                yield Static(
                    _(
                        "2. Log in to Seller Central, tick 'I direct Amazon to provide GLS "
                        "access...' and press Confirm."
                    ),
                    id="step2",
                )
                yield Static(
                    _("3. Paste the address Amazon sends you to (or the code), then enter:"),
                    id="paste-label",
                )
                yield Input(
                    id="paste",
                    compact=True,
                    placeholder=_("paste here: https://...?spapi_oauth_code=...&state=..."),
                )
                yield Static("", id="countdown", classes="hint")
                yield Static("", id="result")
                with Horizontal(classes="buttons", id="done-buttons"):
                    yield Button(_("Done"), id="done", variant="primary", compact=True)
            with Vertical(id="qr-box"):
                yield Static(_("Scan with a phone:"), classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#done-buttons").display = False
        self.query_one("#qr-box").display = False
        if self.pending is None:
            self.new_link()
        else:
            self.show_link()
        self.query_one("#paste", Input).focus()
        self.set_interval(1.0, self.tick, name="countdown")

    # -- link -----------------------------------------------------------------------------

    def new_link(self) -> None:
        try:
            self.pending = connect_svc.reconnect(self.ctx, self.integration_id)
        except GlstuiError as err:
            self.pending = None
            self.show_result(user_message(err), error=True)
            self.query_one("#url", Static).update(
                _("(no link: fix the problem above, then press ctrl+n)")
            )
            self.show_title()
            return
        self.show_link()

    def show_title(self) -> None:
        try:
            integration = svc.get(self.ctx.store, self.integration_id)
        except svc.IntegrationNotFound:
            return
        self.query_one("#title", Static).update(
            Text(_("Connect '{name}'").format(name=integration.shop_name), style="bold")
        )

    def show_link(self) -> None:
        assert self.pending is not None
        self.show_title()
        url = self.pending.url
        self.query_one("#url", Static).update(Text(url, style="underline"))
        box = self.query_one("#qr-box", Vertical)
        box.query(QRCode).remove()  # finishes later: the new code must not reuse an id
        box.mount(QRCode(url))
        self.place_qr()
        self.tick()

    def place_qr(self) -> None:
        if self.pending is None:
            return
        size = self.app.size
        fits = qr_fits(self.pending.url, size.width, size.height) and not self.connected
        self.query_one("#qr-box").display = fits
        keys = [_("ctrl+y copies it")]
        if connect_svc.local_browser_available():
            keys.append(_("ctrl+o opens it here"))
        if not fits and not self.connected:
            cols, rows = qr_size(self.pending.url)
            keys.append(
                _("a QR code shows at {w}x{h} or larger").format(w=cols + QR_MIN_LEFT, h=rows + 4)
            )
        self.query_one("#link-keys", Static).update(" · ".join(keys))

    def on_resize(self) -> None:
        self.place_qr()

    def tick(self) -> None:
        countdown = self.query_one("#countdown", Static)
        if self.pending is None or self.connected:
            countdown.update("")
            return
        left = int((self.pending.request.expires_at - self.ctx.clock.now()).total_seconds())
        if left <= 0:
            countdown.update(_("This link has expired: press ctrl+n for a new one."))
            return
        countdown.update(
            _(
                "Link valid for {mm}:{ss:02d} more. Amazon's code works for 5 minutes "
                "after Confirm: paste it right away."
            ).format(mm=left // 60, ss=left % 60)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_browser":
            return connect_svc.local_browser_available()
        return True

    def action_copy(self) -> None:
        if self.pending is None:
            return
        self.app.copy_to_clipboard(self.pending.url)
        self.notify(
            _("Link copied (if your terminal allows OSC 52); otherwise select it with the mouse."),
            timeout=4,
        )

    def action_open_browser(self) -> None:
        if self.pending is None:
            return
        if connect_svc.open_in_browser(self.pending.url):
            self.notify(_("Opened in the browser of this computer."), timeout=4)
        else:
            self.notify(
                _("No browser on this computer (SSH/headless): copy the link or scan the QR."),
                severity="warning",
                timeout=5,
            )

    def action_new_link(self) -> None:
        if not self.connected:
            self.new_link()
            self.show_result("")

    def action_private(self) -> None:
        if self.connected:
            return
        self.private_mode = not self.private_mode
        paste = self.query_one("#paste", Input)
        paste.value = ""
        paste.password = self.private_mode
        paste.placeholder = (
            _("paste the refresh token: Atzr|...")
            if self.private_mode
            else _("paste here: https://...?spapi_oauth_code=...&state=...")
        )
        label = self.query_one("#paste-label", Static)
        if self.private_mode:
            label.update(
                _("Private app: paste the refresh token (Atzr|...) from the Developer Console:")
            )
        else:
            label.update(_("3. Paste the address Amazon sends you to (or the code), then enter:"))
        for widget_id in ("#step1", "#url", "#link-keys", "#step2"):
            self.query_one(widget_id).display = not self.private_mode
        self.show_result("")
        paste.focus()

    # -- paste ----------------------------------------------------------------------------

    @on(Input.Submitted, "#paste")
    def _pasted(self, event: Input.Submitted) -> None:
        if self.busy or self.connected:
            return
        text = event.value
        if not text.strip():
            self.show_result(
                _("Paste the address first (ctrl+v or your terminal's paste)."), error=True
            )
            return
        self.busy = True
        self.show_result(_("Asking Amazon..."))
        if self.private_mode:
            self.run_private(text)
        else:
            self.run_finish(text)

    @work(exclusive=True, group="connect")
    async def run_finish(self, text: str) -> None:
        try:
            if self.pending is None:
                self.new_link()
            assert self.pending is not None
            integration = await connect_svc.finish(self.ctx, self.pending, text)
        except GlstuiError as err:
            self.show_result(user_message(err), error=True)
            return
        finally:
            self.busy = False
        self.done(integration)

    @work(exclusive=True, group="connect")
    async def run_private(self, token: str) -> None:
        try:
            integration = await connect_svc.connect_private(self.ctx, self.integration_id, token)
        except GlstuiError as err:
            self.show_result(user_message(err), error=True)
            return
        finally:
            self.busy = False
        self.done(integration)

    def done(self, integration: Any) -> None:
        self.connected = True
        self.query_one("#paste", Input).value = ""
        self.query_one("#paste", Input).disabled = True
        who = integration.selling_partner_id or integration.shop_name
        self.show_result(
            _("Connected as Amazon {who}. Shop name: '{name}'.").format(
                who=who, name=integration.shop_name
            )
        )
        self.query_one("#countdown", Static).update("")
        self.query_one("#done-buttons").display = True
        self.query_one("#qr-box").display = False
        self.query_one("#done", Button).focus()
        self.notify(
            _("Shop '{name}' is connected.").format(name=integration.shop_name), markup=False
        )

    def show_result(self, text: str, error: bool = False) -> None:
        result = self.query_one("#result", Static)
        result.update(Text(text))
        result.set_class(error, "error")
        result.set_class(not error and bool(text), "ok")

    @on(Button.Pressed, "#done")
    def _done_pressed(self) -> None:
        self.dismiss(None)

    def action_back(self) -> None:
        """esc leaves. A draft row Add shop made for this visit goes too (it holds nothing:
        no seller, no orders); a draft the operator came back to with c stays, as does one
        whose connect is being finished."""
        if self.new_draft and not self.connected and not self.busy:
            connect_svc.discard_draft(self.ctx, self.integration_id)
        self.dismiss(None)

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Copy link"), _("Copy the consent link (ctrl+y, OSC 52)"), self.action_copy),
            (
                _("Open browser"),
                _("Open the link on this computer (ctrl+o)"),
                self.action_open_browser,
            ),
            (_("New link"), _("Make a new consent link (ctrl+n)"), self.action_new_link),
            (
                _("Refresh token"),
                _("Private app: paste a refresh token (ctrl+t)"),
                self.action_private,
            ),
        ]


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
