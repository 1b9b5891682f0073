"""Key management ("Key beheer"): the Amazon app keys and the GLS API login.

Values go to the secret store only (system keyring or the encrypted file), never to the data
file. Saved secrets are never shown, not even a character: the field says "saved" and stays
empty; an identifier (app id, client id, user name) says "saved, ends in abcd" so an operator
can tell which one is saved; the GLS customer number is no secret and is shown as it is. Type
a new value to replace one. ctrl+s saves what was typed; ctrl+t / ctrl+g test Amazon / GLS.
The GLS environment the keys are for (test / live) is shown here and chosen in Settings (7).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from glstui.domain.errors import GlstuiError
from glstui.i18n import N_, _
from glstui.services.keys import READABLE_KEYS, save_keys
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar

AMAZON_KEYS = (
    ("amazon.app_id", N_("App id (amzn1.sp.solution...)")),
    ("amazon.lwa_client_id", N_("LWA client id")),
    ("amazon.lwa_client_secret", N_("LWA client secret")),
)
GLS_KEYS = (
    ("gls.username", N_("User name")),
    ("gls.password", N_("Password")),
    ("gls.subscription_key", N_("Subscription key")),
    ("gls.customer_no", N_("Customer number")),
)


def field_id(name: str) -> str:
    return name.replace(".", "-")


# Secrets show no character at all (a tail of a password helps a guesser); identifiers show
# their last four characters (when longer than 8) so an operator can tell which is saved.
SECRET_KEYS = frozenset({"amazon.lwa_client_secret", "gls.password", "gls.subscription_key"})
IDENTIFIERS = frozenset({"amazon.app_id", "amazon.lwa_client_id", "gls.username"})


def masked(name: str, value: str | None) -> str:
    """The placeholder of a key's field: never a character of a secret."""
    if not value:
        return _("not set")
    tail = value[-4:] if len(value) > 8 and name in IDENTIFIERS else ""
    return _("saved, ends in {tail}").format(tail=tail) if tail else _("saved")


class KeysScreen(BaseScreen):
    SECTION = "keys"
    HELP = N_(
        "The Amazon app keys come from the Developer Console of your SP-API app (app id, "
        "and the LWA client id and secret under 'View' credentials). GLS: the user name and "
        "password are your MyGLS login; the subscription key comes from GLS NL's API portal "
        "(api-portal.gls.nl: sign in, subscribe to the Label API, copy the key; test and "
        "live have separate keys). Saved secrets are never shown; identifiers show their "
        "last 4 characters; the customer number is shown as it is. Type a new value and "
        "press ctrl+s to replace one. ctrl+t tests Amazon with one connected shop, ctrl+g "
        "tests the GLS login. Test or live is chosen in Settings (7)."
    )
    ENTER = N_("Save the values typed (in a field)")
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+s", "save", N_("Save"), priority=True),
        Binding("ctrl+t", "test_amazon", N_("Test Amazon"), priority=True),
        Binding("ctrl+g", "test_gls", N_("Test GLS"), priority=True),
        Binding("escape", "back", N_("Back"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with VerticalScroll(classes="page form"):
            yield Static(_("Key management"), classes="title")
            yield Static("", id="store-name", classes="hint")
            yield Static(_("Amazon app"), classes="group")
            with Grid(classes="keys-grid"):
                for name, label in AMAZON_KEYS:
                    yield Label(_(label), classes="key-label")
                    yield Input(id=field_id(name), password=True, compact=True)
            yield Static(_("GLS"), classes="group")
            with Grid(classes="keys-grid"):
                for name, label in GLS_KEYS:
                    yield Label(_(label), classes="key-label")
                    yield Input(id=field_id(name), password=name not in READABLE_KEYS, compact=True)
                yield Label(_("Environment"), classes="key-label")
                yield Static("", id="gls-environment")
            yield Static(
                _(
                    "Subscription key: GLS NL's API portal, api-portal.gls.nl (test and live "
                    "keys differ). User name and password: your MyGLS login."
                ),
                classes="hint",
                id="gls-key-origin",
            )
            yield Static("", id="status")
            with Horizontal(classes="buttons"):
                yield Button(_("Save") + " ^s", id="save", variant="primary", compact=True)
                yield Button(_("Test Amazon") + " ^t", id="test-amazon", compact=True)
                yield Button(_("Test GLS") + " ^g", id="test-gls", compact=True)
        yield KeyFooter()

    # Nothing focused at first, so 1-7 still switch sections; tab enters the first field.
    AUTO_FOCUS = None

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def focus_main(self) -> None:
        self.query_one("#save", Button).focus()

    def load(self) -> None:
        secrets = self.ctx.secrets
        self.query_one("#store-name", Static).update(
            Text(_("Keys are kept in: {store}").format(store=secrets.store_name))
        )
        for name, _label in (*AMAZON_KEYS, *GLS_KEYS):
            box = self.query_one(f"#{field_id(name)}", Input)
            try:
                value = secrets.get(name)
            except GlstuiError as err:
                self.show_status(user_message(err), error=True)
                value = None
            if name in READABLE_KEYS:
                box.value = value or ""
                box.placeholder = _("not set")
            else:
                box.placeholder = masked(name, value)
        env = self.ctx.settings().gls_environment
        self.query_one("#gls-environment", Static).update(
            Text(_("{env} (change it in Settings, key 7)").format(env=_(env)))
        )

    def show_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(text))
        status.set_class(error, "error")
        status.set_class(not error and bool(text), "ok")

    # -- actions --------------------------------------------------------------------------

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        {
            "save": self.action_save,
            "test-amazon": self.action_test_amazon,
            "test-gls": self.action_test_gls,
        }[event.button.id or "save"]()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        labels = dict((*AMAZON_KEYS, *GLS_KEYS))
        boxes = {name: self.query_one(f"#{field_id(name)}", Input) for name in labels}
        try:
            saved = save_keys(self.ctx, {n: box.value for n, box in boxes.items()})
        except GlstuiError as err:
            self.show_status(user_message(err), error=True)
            return
        changed = []
        for name in saved:
            if name not in READABLE_KEYS:
                boxes[name].value = ""
            changed.append(_(labels[name]))
        self.load()
        if changed:
            self.show_status(_("Saved: {what}.").format(what=", ".join(changed)))
        else:
            self.show_status(_("Nothing to save: type a new value in a field first."))

    def action_test_amazon(self) -> None:
        self.show_status(_("Testing Amazon..."))
        self.test_amazon()

    def action_test_gls(self) -> None:
        self.show_status(_("Testing the GLS login..."))
        self.test_gls()

    @work(exclusive=True, group="keys-test")
    async def test_amazon(self) -> None:
        from glstui.services.connect import test_connection

        try:
            message = await test_connection(self.ctx)
        except GlstuiError as err:
            self.show_status(user_message(err), error=True)
            return
        self.show_status(message)

    @work(exclusive=True, group="keys-test")
    async def test_gls(self) -> None:
        try:
            async with self.ctx.http_client() as http:
                client = self.ctx.gls_client(http)
                await client.validate_login()
        except GlstuiError as err:
            self.show_status(user_message(err), error=True)
            return
        self.show_status(
            _("GLS accepted the login ({env}).").format(env=_(self.ctx.settings().gls_environment))
        )

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Save keys"), _("Save the values typed (ctrl+s)"), self.action_save),
            (
                _("Test Amazon"),
                _("One LWA refresh with a connected shop (ctrl+t)"),
                self.action_test_amazon,
            ),
            (_("Test GLS"), _("Check the GLS login (ctrl+g)"), self.action_test_gls),
        ]
