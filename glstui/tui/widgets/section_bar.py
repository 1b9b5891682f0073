"""The line of section tabs at the top, like the portal's menu: the current one lit."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from glstui.i18n import N_, _

# (mode name, key, English title) in menu order.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("integrations", "1", N_("Integrations")),
    ("import", "2", N_("Import")),
    ("orders", "3", N_("Orders")),
    ("statistics", "4", N_("Statistics")),
    ("keys", "5", N_("Keys")),
    ("help", "6", N_("Help")),
)


def section_title(mode: str) -> str:
    for name, _key, title in SECTIONS:
        if name == mode:
            return _(title)
    return mode


class SectionBar(Static):
    """`glstui │ 1 Integrations  2 Import ...` with the current section highlighted."""

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

    def on_mount(self) -> None:
        self.update(self._render_bar())

    def _render_bar(self) -> Text:
        bar = Text(no_wrap=True, overflow="ellipsis")
        bar.append(" GLS ", style="bold reverse")
        bar.append(" ")
        for name, key, title in SECTIONS:
            label = f" {key} {_(title)} "
            if name == self.current:
                bar.append(label, style="bold reverse")
            else:
                bar.append(key, style="bold")
                bar.append(f" {_(title)} ")
            bar.append(" ")
        return bar
