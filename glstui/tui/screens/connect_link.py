"""The pieces of the Connect screen that say where the link goes: the paste field that takes
a wrapped paste whole, the line of keys under the link, the SSH tunnel / demo hint, the QR
code's size rule."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from glstui.i18n import _
from glstui.services import connect as connect_svc
from glstui.services import demo_consent
from glstui.tui.widgets.qr import qr_size

QR_MIN_LEFT = 60  # columns the instructions need next to the QR code


class PasteInput(Input):
    """The paste field: a pasted address that the terminal or a mail wrapped over several
    lines is taken whole (Textual's Input keeps only the first line of a paste)."""

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler would add the first line again
        text = "".join(event.text.split())
        if not text:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


def qr_fits(url: str, width: int, height: int) -> bool:
    cols, rows = qr_size(url)
    return width >= cols + QR_MIN_LEFT and height >= rows + 12


def link_keys(url: str, *, beta: bool, qr_shown: bool) -> str:
    """The keys under the link: copy, open, draft app, and when a QR code would show."""
    keys = [_("ctrl+y copies it")]
    if connect_svc.local_browser_available():
        keys.append(_("ctrl+o opens it here"))
    if beta:
        keys.append(_("version=beta for a draft app (ctrl+b removes it)"))
    else:
        keys.append(_("draft app (Amazon says MD1000)? ctrl+b"))
    if not qr_shown:
        cols, rows = qr_size(url)
        keys.append(
            _("a QR code shows at {w}x{h} or larger").format(w=cols + QR_MIN_LEFT, h=rows + 12)
        )
    return " · ".join(keys)


def tunnel_text(url: str, is_sandbox: bool) -> str:
    """How to reach the demo's loopback over SSH, and ctrl+a in the demo; '' otherwise."""
    lines = []
    tunnel = demo_consent.ssh_tunnel_line(url)
    if tunnel:
        lines.append(
            _(
                "This demo's Seller Central runs on this server's loopback. On your own "
                "computer run this first, then open the link there:"
            )
        )
        lines.append(tunnel)
    if is_sandbox:
        lines.append(_("Demo: ctrl+a approves as the demo seller from here."))
    return "\n".join(lines)
