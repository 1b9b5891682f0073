"""The line at the top: the GLS environment, then the portal's menu with the section keys.

The menu follows the portal (Verzenden, Statistieken, Instellingen, Support, Uitloggen); the
keys stay what they always were, so no key got slower or moved:

    Ship          2 Import, 3 Orders
    Statistics    4 Statistics
    Settings      1 Integrations, 5 Keys, 7 General (printer, sender, label format, ...)
    Support       6 Help (the guide; s there opens Support)
    Log out       q

F2-F8 do the same as 1-7. The bar is drawn in the fullest form that fits the width: at 80
columns the other sections of a group are shown by their key only, the current one by name.
The left end always says "GLS test" or "GLS live" (reversed in warning colour for test), so
nobody mistakes test labels for real ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from glstui.i18n import N_, _

if TYPE_CHECKING:
    from glstui.tui.app import GlsApp

# (mode name, key, English title) in key order.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("integrations", "1", N_("Integrations")),
    ("import", "2", N_("Import")),
    ("orders", "3", N_("Orders")),
    ("statistics", "4", N_("Statistics")),
    ("keys", "5", N_("Keys")),
    ("help", "6", N_("Help")),
    ("settings", "7", N_("General")),
)

# The portal's side menu: (English title, the modes under it), in menu order.
MENU: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Ship"), ("import", "orders")),
    (N_("Statistics"), ("statistics",)),
    (N_("Settings"), ("integrations", "keys", "settings")),
    (N_("Support"), ("help",)),
)
LOG_OUT_KEY = "q"

_KEYS = {mode: key for mode, key, _title in SECTIONS}
_TITLES = {mode: title for mode, _key, title in SECTIONS}


def section_title(mode: str) -> str:
    return _(_TITLES[mode]) if mode in _TITLES else mode


def section_key(mode: str) -> str:
    return _KEYS.get(mode, "")


def menu_group(mode: str) -> str:
    """The portal menu title (translated) a section sits under."""
    for title, modes in MENU:
        if mode in modes:
            return _(title)
    return ""


FULL, CURRENT_NAMED, KEYS_ONLY = "full", "current", "keys"


def environment_label(environment: str, demo: bool = False) -> str:
    if demo:
        return _("GLS demo")
    return _("GLS live") if environment == "live" else _("GLS test")


def render_bar(current: str, environment: str, width: int, demo: bool = False) -> Text:
    """The fullest bar that fits `width` cells (see the module docstring)."""
    for detail in (FULL, CURRENT_NAMED, KEYS_ONLY):
        for log_out in (True, False):
            bar = _bar(current, environment, detail, log_out, demo)
            if bar.cell_len <= width:
                return bar
    return _bar(current, environment, KEYS_ONLY, False, demo)


def _bar(current: str, environment: str, detail: str, log_out: bool, demo: bool) -> Text:
    bar = Text(no_wrap=True, overflow="ellipsis")
    live = environment == "live" and not demo
    bar.append(
        f" {environment_label(environment, demo)} ",
        style="bold reverse" if live else "bold reverse yellow",
    )
    for n, (title, modes) in enumerate(MENU):
        bar.append(" │ " if n else " ", style="dim")
        if len(modes) == 1:
            _item(bar, modes[0], _(title), modes[0] == current)
            continue
        bar.append(_(title), style="bold" if current in modes else "")
        for mode in modes:
            bar.append(" ")
            named = detail == FULL or (detail == CURRENT_NAMED and mode == current)
            _item(bar, mode, section_title(mode) if named else "", mode == current)
    if log_out:
        bar.append(" │ ", style="dim")
        _item(bar, "", _("Log out"), False, key=LOG_OUT_KEY)
    return bar


def _item(bar: Text, mode: str, title: str, lit: bool, key: str = "") -> None:
    key = key or section_key(mode)
    if lit:
        bar.append(f" {key} {title} " if title else f" {key} ", style="bold reverse")
        return
    bar.append(key, style="bold")
    if title:
        bar.append(f" {title}")


class SectionBar(Static):
    """`GLS test  Ship 2 Import 3 Orders │ 4 Statistics │ ...` with the current one lit.

    It follows the GLS environment through the app's `environment_signal`, so a change in
    the Settings screen shows on every screen at once."""

    DEFAULT_CSS = """
    SectionBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, current: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.current = current

    @property
    def gls_app(self) -> GlsApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.gls_app.environment_signal.subscribe(self, self._environment_changed)
        self.update(self._render_bar())

    def on_resize(self) -> None:
        self.update(self._render_bar())

    def _environment_changed(self, _environment: str) -> None:
        self.update(self._render_bar())

    def _render_bar(self) -> Text:
        app = self.gls_app
        width = self.size.width or app.size.width
        return render_bar(self.current, app.gls_environment, width, demo=app.ctx.demo)
