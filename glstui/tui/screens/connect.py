"""Connecting a shop ("Koppelen"): the browser hand-off.

The operator works on a headless server over SSH, so the consent link goes to *their own*
machine: shown in full from the first column to the last (so a mouse selection, in the
terminal or in glstui, gives the link in one piece: browsers drop the line breaks, and no
indent is there to break it), copied with OSC 52 (ctrl+y), drawn as a QR code when the
terminal is big enough. In the demo over SSH an `ssh -L` line says how to reach the
server's loopback, and ctrl+a approves from the terminal. Then the operator pastes the
address Amazon redirects to (or just the code). A failed paste stays in the field, selected,
so the next paste replaces it; an expired link is replaced by a new one on the spot (the
only case that needs a new link). After success the list shows the new shop, unless a check
could not be made: then the screen says which, and enter goes to the list.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Static

from glstui.amazon.errors import ConsentExpired
from glstui.domain.errors import GlstuiError
from glstui.domain.integration import Integration
from glstui.i18n import N_, _
from glstui.services import connect as connect_svc
from glstui.services import demo_consent
from glstui.services import integrations as svc
from glstui.tui.screens.add_shop import REGION_NAMES, AddShopScreen
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.connect_link import PasteInput, link_keys, qr_fits, tunnel_text
from glstui.tui.screens.handoff import HandOffModal
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.qr import QRCode
from glstui.tui.widgets.section_bar import SectionBar

__all__ = ["REGION_NAMES", "AddShopScreen", "ConnectScreen", "HandOffModal", "qr_fits"]

PASTE_HINT = N_("paste here: https://...?spapi_oauth_code=...&state=...")
PASTE_LABEL = N_("3. Paste the address Amazon sends you to, then enter:")


class ConnectScreen(BaseScreen):
    """The hand-off: link, QR, countdown, paste field, result. Answers the shop id when
    connected (the list then selects it), else None."""

    SECTION = "integrations"
    HELP = N_(
        "1. Open the link in a browser on your own computer (ctrl+y copies it, or select it "
        "with the mouse; scan the QR code with a phone; ctrl+o opens it here when this "
        "computer has a browser). 2. Log in to Seller Central, tick 'I direct Amazon to "
        "provide GLS access...' and press Confirm. 3. Copy the address of the page Amazon "
        "sends you to and paste it here, then enter. Amazon's code is valid for 5 minutes "
        "and works once. Pasting only the code works, but then glstui cannot check that it "
        "came from this link, nor the seller. A draft (unpublished) app needs version=beta "
        "in the link: ctrl+b. A private (self-authorized) app: ctrl+t and paste the refresh "
        "token. Errors Amazon shows on the consent page: MD1000 draft app without "
        "version=beta, or the LWA client id used as app id; MD4100 app not found (app id); "
        "MD5101 redirect address not registered; MD5110 '#' in the redirect address; "
        "MD9000 the developer may not take new authorizations. Paste the page's text and "
        "glstui says what to do."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+y", "copy", N_("Copy link"), priority=True, id="connect.copy"),
        Binding("ctrl+o", "open_browser", N_("Open browser"), priority=True, id="connect.open"),
        Binding("ctrl+b", "beta", N_("Draft app"), priority=True, id="connect.beta"),
        Binding("ctrl+a", "approve_demo", N_("Approve (demo)"), priority=True, id="connect.demo"),
        Binding("ctrl+t", "private", N_("Refresh token"), priority=True, id="connect.private"),
        Binding("ctrl+n", "new_link", N_("New link"), show=False, priority=True, id="connect.new"),
        Binding("escape", "back", N_("Back"), id="connect.back"),
    ]
    CSS = """
    #connect-page > Static { height: auto; padding: 0 1; }
    #connect-page > #url { padding: 0; margin: 0; }
    #connect-page > #link-keys { margin: 0; }
    #connect-body { height: auto; }
    #handoff { width: 1fr; height: auto; padding: 0 1; }
    #handoff > Static { height: auto; }
    #handoff #paste { margin: 0; }
    #handoff #result, #handoff #countdown { margin: 0; }
    #step2, #paste-label, #tunnel { margin: 1 0 0 0; }
    """

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
        self.beta = False
        self.private_mode = False
        self.connected = False
        self.busy = False

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with VerticalScroll(id="connect-page"):
            yield Static(_("Connect"), classes="title", id="title")
            yield Static(_("1. Open this link in a browser on your own computer:"), id="step1")
            yield Static("", id="url", classes="url")
            yield Static("", id="link-keys", classes="hint")
            yield Static("", id="tunnel", classes="hint")
            with Horizontal(id="connect-body"):
                with Vertical(id="handoff"):
                    yield Static(
                        _(
                            "2. Log in to Seller Central, tick 'I direct Amazon to provide GLS "
                            "access...' and press Confirm."
                        ),
                        id="step2",
                    )
                    yield Static(_(PASTE_LABEL), id="paste-label")
                    yield PasteInput(id="paste", compact=True, placeholder=_(PASTE_HINT))
                    yield Static("", id="countdown", classes="hint")
                    yield Static("", id="result")
                    with Horizontal(classes="buttons", id="done-buttons"):
                        yield Button(_("To the shop list"), id="done", variant="primary")
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
            self.pending = connect_svc.reconnect(self.ctx, self.integration_id, beta=self.beta)
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
        self.beta = "version=beta" in url
        self.query_one("#url", Static).update(Text(url, style="underline", overflow="fold"))
        box = self.query_one("#qr-box", Vertical)
        box.query(QRCode).remove()  # finishes later: the new code must not reuse an id
        box.mount(QRCode(url))
        tunnel = tunnel_text(url, self.ctx.endpoints.is_sandbox)
        hint = self.query_one("#tunnel", Static)
        hint.display = bool(tunnel)
        hint.update(Text(tunnel))
        self.place_qr()
        self.tick()

    def place_qr(self) -> None:
        if self.pending is None:
            return
        size = self.app.size
        fits = qr_fits(self.pending.url, size.width, size.height) and not self.connected
        self.query_one("#qr-box").display = fits
        keys = link_keys(self.pending.url, beta=self.beta, qr_shown=fits or self.connected)
        self.query_one("#link-keys", Static).update(keys)

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
        if action == "approve_demo":
            return self.ctx.endpoints.is_sandbox and not self.connected
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

    def action_beta(self) -> None:
        """A link with (or without) version=beta: Amazon shows MD1000 for a draft app without."""
        if self.connected:
            return
        self.beta = not self.beta
        self.new_link()
        self.show_result(
            _("New link with version=beta: use it while the app is a draft (not published).")
            if self.beta
            else _("New link without version=beta, for a published app.")
        )

    def action_approve_demo(self) -> None:
        if self.busy or self.connected or self.pending is None:
            return
        self.busy = True
        self.show_result(_("Approving in the demo's Seller Central..."))
        self.run_demo()

    def action_private(self) -> None:
        if self.connected:
            return
        self.private_mode = not self.private_mode
        paste = self.query_one("#paste", Input)
        paste.value = ""
        paste.password = self.private_mode
        paste.placeholder = (
            _("paste the refresh token: Atzr|...") if self.private_mode else _(PASTE_HINT)
        )
        label = self.query_one("#paste-label", Static)
        if self.private_mode:
            label.update(
                _("Private app: paste the refresh token (Atzr|...) from the Developer Console:")
            )
        else:
            label.update(_(PASTE_LABEL))
        for widget_id in ("#step1", "#url", "#link-keys", "#tunnel", "#step2"):
            self.query_one(widget_id).display = not self.private_mode
        self.show_result("")
        paste.focus()

    # -- paste ----------------------------------------------------------------------------

    @on(Input.Submitted, "#paste")
    def _pasted(self, event: Input.Submitted) -> None:
        if self.busy or self.connected:
            return
        self.busy = True
        self.show_result(_("Asking Amazon..."))
        if self.private_mode:
            self.run_private(event.value)
        else:
            self.run_finish(event.value)

    @work(exclusive=True, group="connect")
    async def run_finish(self, text: str) -> None:
        try:
            if self.pending is None:
                self.new_link()
            assert self.pending is not None
            result = await connect_svc.finish_checked(self.ctx, self.pending, text)
        except ConsentExpired:
            self.new_link()  # the one case that needs a new link: make it right away
            self.failed(
                _(
                    "That link had expired, so glstui made a new one above: open it, click "
                    "Confirm and paste the address you land on."
                )
            )
            return
        except GlstuiError as err:
            self.failed(user_message(err))
            return
        finally:
            self.busy = False
        self.done(result.integration, result.warnings)

    @work(exclusive=True, group="connect")
    async def run_demo(self) -> None:
        try:
            assert self.pending is not None
            redirect = await demo_consent.approve_in_demo(self.ctx, self.pending)
            result = await connect_svc.finish_checked(self.ctx, self.pending, redirect)
        except GlstuiError as err:
            self.failed(user_message(err))
            return
        finally:
            self.busy = False
        self.done(result.integration, result.warnings)

    @work(exclusive=True, group="connect")
    async def run_private(self, token: str) -> None:
        try:
            integration = await connect_svc.connect_private(self.ctx, self.integration_id, token)
        except GlstuiError as err:
            self.failed(user_message(err))
            return
        finally:
            self.busy = False
        self.done(integration, [])

    def failed(self, text: str) -> None:
        """Say what is wrong; the pasted text stays, selected, so the next paste replaces it
        (a refresh token is cleared instead: it is a secret and is not shown)."""
        self.show_result(text, error=True)
        paste = self.query_one("#paste", Input)
        if self.private_mode:
            paste.value = ""
        else:
            paste.select_all()
        paste.focus()

    def done(self, integration: Integration, warnings: list[str]) -> None:
        self.connected = True
        self.notify(
            _("Shop '{name}' is connected.").format(name=integration.shop_name),
            markup=False,
            timeout=4,
        )
        if not warnings:
            self.dismiss(integration.id)
            return
        paste = self.query_one("#paste", Input)
        paste.value = ""
        paste.disabled = True
        self.show_result(
            "\n".join(
                [_("Connected as '{name}', but:").format(name=integration.shop_name), *warnings]
            )
        )
        self.query_one("#result", Static).add_class("warning")
        self.query_one("#countdown", Static).update("")
        self.query_one("#done-buttons").display = True
        self.query_one("#qr-box").display = False
        self.query_one("#done", Button).focus()

    def show_result(self, text: str, error: bool = False) -> None:
        result = self.query_one("#result", Static)
        result.update(Text(text))
        result.set_class(error, "error")
        result.set_class(not error and bool(text), "ok")

    @on(Button.Pressed, "#done")
    def _done_pressed(self) -> None:
        self.dismiss(self.integration_id)

    def action_back(self) -> None:
        """esc leaves. A draft row Add shop made for this visit goes too (it holds nothing:
        no seller, no orders); a draft the operator came back to with c stays, as does one
        whose connect is being finished."""
        if self.connected:
            self.dismiss(self.integration_id)
            return
        if self.new_draft and not self.busy:
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
                _("Draft app"),
                _("Link with version=beta for a draft app (ctrl+b)"),
                self.action_beta,
            ),
            (
                _("Refresh token"),
                _("Private app: paste a refresh token (ctrl+t)"),
                self.action_private,
            ),
        ]
