"""Unlock the encrypted key file: asked first when the secret store is locked."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Input, Static

from glstui.domain.errors import GlstuiError
from glstui.i18n import N_, _
from glstui.secrets import WrongPassphrase
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter


def key_file(store_name: str) -> str:
    """The path out of Secrets.store_name ("encrypted file /srv/..."), so the sentence that
    already says "encrypted file" does not say it twice."""
    return store_name.removeprefix("encrypted file").strip() or store_name


class LoginScreen(BaseScreen):
    HELP = N_(
        "The keys (Amazon and GLS) are kept in an encrypted file on this server. Type its "
        "passphrase to unlock it. On a server without a person at the keyboard, set "
        "GLSTUI_KEYRING_PASSPHRASE or a systemd credential 'glstui-passphrase'."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+q", "app.quit", N_("Quit"), priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="dialog login"):
            yield Static(Text(_("Log in"), style="bold"), classes="title")
            yield Static(
                Text(
                    _("The keys are in an encrypted file: {path}").format(
                        path=key_file(self.ctx.secrets.store_name)
                    )
                )
            )
            if self.is_new:
                yield Static(
                    _(
                        "The file is new: choose a passphrase. You need it every time "
                        "glstui starts, so keep it somewhere safe."
                    )
                )
            yield Static(_("Passphrase"), classes="field-label")
            yield Input(
                id="passphrase",
                password=True,
                compact=True,
                placeholder=_("type the passphrase, then enter"),
            )
            if self.is_new:
                yield Static(_("Type it again"), classes="field-label")
                yield Input(
                    id="again",
                    password=True,
                    compact=True,
                    placeholder=_("the same passphrase, then enter"),
                )
            yield Static(
                Text(getattr(self.ctx.secrets, "unlock_error", "") or ""),
                id="error",
                classes="error",
            )
            yield Static(_("enter unlocks · ctrl+q quits"), classes="hint")
        yield KeyFooter()

    @property
    def is_new(self) -> bool:
        return bool(getattr(self.ctx.secrets, "is_new", False))

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def action_back(self) -> None:
        return  # nothing behind this screen until the keys are unlocked

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        box = self.query_one("#passphrase", Input)
        passphrase = box.value
        error = self.query_one("#error", Static)
        if not passphrase:
            error.update(_("Type the passphrase first."))
            box.focus()
            return
        if self.is_new:
            again = self.query_one("#again", Input)
            if event.input is box:
                again.focus()
                return
            if again.value != passphrase:
                again.value = ""
                error.update(_("The two passphrases differ. Type the second one again."))
                again.focus()
                return
        try:
            self.ctx.secrets.unlock(passphrase)
        except GlstuiError as err:
            box.value = ""
            box.focus()
            if isinstance(err, WrongPassphrase):
                error.update(_("That passphrase is not right. Try again."))
            else:
                error.update(Text(user_message(err)))
            return
        self.dismiss(None)
        self.app.refresh_bindings()
