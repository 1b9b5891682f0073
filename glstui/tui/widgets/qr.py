"""A QR code drawn with half-block characters, so a phone can open the consent URL.

Two module rows share one terminal row (upper half block: foreground = top module,
background = bottom module), dark modules on a light quiet zone so any scanner reads it,
whatever the terminal's own colours are.
"""

from __future__ import annotations

import segno
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

_DARK = "black"
_LIGHT = "bright_white"


def qr_matrix(data: str, border: int = 2) -> list[list[bool]]:
    qr = segno.make(data, error="l", micro=False)
    return [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=border)]


def qr_text(data: str, border: int = 2) -> Text:
    rows = qr_matrix(data, border)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    text = Text(no_wrap=True)
    styles = {
        (top, bottom): Style(color=_DARK if top else _LIGHT, bgcolor=_DARK if bottom else _LIGHT)
        for top in (False, True)
        for bottom in (False, True)
    }
    for y in range(0, len(rows), 2):
        for top, bottom in zip(rows[y], rows[y + 1], strict=True):
            text.append("▀", styles[(top, bottom)])
        if y + 2 < len(rows):
            text.append("\n")
    return text


def qr_size(data: str, border: int = 2) -> tuple[int, int]:
    """(columns, rows) the code needs on screen."""
    side = len(qr_matrix(data, border))
    return side, (side + 1) // 2


class QRCode(Static):
    DEFAULT_CSS = """
    QRCode {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, data: str, **kwargs: object) -> None:
        super().__init__(qr_text(data), **kwargs)  # type: ignore[arg-type]
        self.data = data
