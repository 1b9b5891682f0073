"""The glstui console: sections switched with 1-6 / F2-F7, help on ?/F1, palette on ctrl+p.

Each section is a Textual mode with its own screen stack, so a half-edited form survives a
look at another section. The app holds the AppContext (`app.ctx`); screens take everything
from it. Settings for SSH use: no animations, the terminal's own ANSI colours, no blinking
cursors (also what keeps snapshots deterministic).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Input, TextArea

from glstui.i18n import N_, _, set_language
from glstui.tui.screens.base import translate_bindings
from glstui.tui.widgets.section_bar import SECTIONS, section_title

DEFAULT_THEME = "ansi-dark"


def _lazy_screen(module: str, cls: str, mode: str) -> Callable[[], Screen[Any]]:
    """Import a section screen only when first shown; until it exists say it is coming."""

    def make() -> Screen[Any]:
        try:
            screen_cls = getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError) as err:
            if isinstance(err, ImportError) and err.name not in (module, None):
                raise  # the module exists but is broken: show the real error
            from glstui.tui.screens.coming import ComingScreen

            return ComingScreen(mode)
        return screen_cls()

    return make


def _screen(module: str, cls: str) -> Callable[[], Screen[Any]]:
    def make() -> Screen[Any]:
        return getattr(importlib.import_module(module), cls)()

    return make


class GlsApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "glstui"
    ENABLE_COMMAND_PALETTE = True

    MODES: ClassVar[dict[str, Any]] = {
        "integrations": _screen("glstui.tui.screens.integrations", "IntegrationsScreen"),
        "import": _lazy_screen("glstui.tui.screens.import_screen", "ImportScreen", "import"),
        "orders": _lazy_screen("glstui.tui.screens.orders", "OrdersScreen", "orders"),
        "statistics": _screen("glstui.tui.screens.statistics", "StatisticsScreen"),
        "keys": _screen("glstui.tui.screens.keys", "KeysScreen"),
        "help": _screen("glstui.tui.screens.help", "HelpScreen"),
    }
    DEFAULT_MODE = "integrations"

    BINDINGS: ClassVar[list[Any]] = [
        *(
            Binding(key, f"section('{mode}')", N_(title), show=False, id=f"section.{mode}")
            for mode, key, title in SECTIONS
        ),
        *(
            Binding(f"f{n + 2}", f"section('{mode}')", N_(title), show=False)
            for n, (mode, _key, title) in enumerate(SECTIONS)
        ),
        Binding("f1,question_mark", "help", N_("Help"), key_display="?", id="help"),
        Binding("q", "quit_app", N_("Quit"), show=False, id="quit"),
    ]

    def __init__(self, ctx: Any, *, lang: str | None = None) -> None:
        set_language(lang or getattr(ctx, "lang", None))
        super().__init__()
        translate_bindings(self)
        self.ctx = ctx
        self.animation_level = "none"
        self.theme = DEFAULT_THEME
        self.return_code_on_exit = 0

    # -- start ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.secrets_locked():
            from glstui.tui.screens.login import LoginScreen

            self.push_screen(LoginScreen())

    def secrets_locked(self) -> bool:
        secrets = getattr(self.ctx, "secrets", None)
        return bool(getattr(secrets, "locked", False))

    # -- app-wide defaults ----------------------------------------------------------------

    @on(DescendantFocus)
    def _no_blinking_cursor(self, event: DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, Input | TextArea) and widget.cursor_blink:
            widget.cursor_blink = False

    # -- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "section" and self.secrets_locked())

    def action_section(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from glstui.tui.screens.help import HelpModal

        if isinstance(self.screen, HelpModal):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpModal(self.screen))

    def action_support(self) -> None:
        from glstui.tui.screens.support import SupportScreen

        if not isinstance(self.screen, SupportScreen):
            self.push_screen(SupportScreen())

    def action_quit_app(self) -> None:
        screen = self.screen
        unsaved = getattr(screen, "has_unsaved_changes", None)
        if callable(unsaved) and unsaved():
            from glstui.tui.widgets.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self.exit(0)

            self.push_screen(
                ConfirmModal(_("Quit without saving your changes?"), danger=True), answered
            )
            return
        self.exit(0)

    # -- command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for mode, key, title in SECTIONS:
            yield SystemCommand(
                _("Go to {section}").format(section=_(title)),
                _("Switch to the {section} section (key {key})").format(section=_(title), key=key),
                partial(self.action_section, mode),
            )
        extra = getattr(screen, "palette_commands", None)
        if callable(extra):
            for title, help_text, callback in extra():
                yield SystemCommand(title, help_text, callback)
        yield SystemCommand(_("Help"), _("Keys and help for this screen (?, F1)"), self.action_help)
        yield SystemCommand(
            _("Support"),
            _("Version, paths, checks, log, audit log, diagnostics bundle, log out (6, then s)"),
            self.action_support,
        )
        yield SystemCommand(
            _("Change theme"),
            _("Pick another colour theme (default: the terminal's own colours)"),
            self.action_change_theme,
        )
        yield SystemCommand(_("Quit"), _("Quit glstui (q, ctrl+q)"), self.action_quit_app)

    def section_name(self, mode: str) -> str:
        return section_title(mode)


def run_app(ctx: Any, mouse: bool = True) -> int:
    """Run the console until the operator quits; returns the exit code for the CLI."""
    app = GlsApp(ctx)
    app.run(mouse=mouse)
    code = app.return_code
    return int(code) if isinstance(code, int) else 0
