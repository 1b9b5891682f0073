"""Yes/no dialogs. Destructive ones start with focus on "No"; y / n / esc answer at once.

In Dutch "ja" is j: j answers yes and the button says "(j)"; y still works (muscle memory,
and the English guide), but is not shown.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, Static

from glstui.i18n import N_, _, get_language
from glstui.tui.errors import ReportErrors
from glstui.tui.markup import literal
from glstui.tui.widgets.toggles import TickBox

Answer = TypeVar("Answer")


class QuestionModal(ReportErrors, ModalScreen[Answer], Generic[Answer]):
    """A yes/no question; `action_answer` turns yes/no into the dialog's result."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n", "answer(False)", N_("No")),
        Binding("escape", "answer(False)", N_("Cancel"), show=False),
        Binding("left,h", "app.focus_previous", show=False),
        Binding("right,l", "app.focus_next", show=False),
    ]

    def __init__(
        self, question: str, *, yes: str = "", no: str = "", detail: str = "", danger: bool = False
    ) -> None:
        super().__init__()
        from glstui.tui.screens.base import translate_bindings

        translate_bindings(self)
        self.yes_key = "j" if get_language() == "nl" else "y"
        if self.yes_key != "y":
            keys = self._bindings.key_to_bindings
            keys["y"] = [replace(b, show=False) for b in keys["y"]]
            self._bindings.bind("j", "answer(True)", _("Yes"))
        self.question = question
        self.detail = detail
        self.yes_label = yes or _("Yes")
        self.no_label = no or _("No")
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(literal(self.question), id="question")
            if self.detail:
                yield Static(literal(self.detail), id="detail")
            yield from self.extra()
            with Horizontal(classes="buttons"):
                yield Button(
                    f"{self.yes_label} ({self.yes_key})",
                    id="yes",
                    variant="error" if self.danger else "primary",
                    compact=True,
                )
                yield Button(f"{self.no_label} (n)", id="no", compact=True)

    def extra(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_answer(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        raise NotImplementedError


class ConfirmModal(QuestionModal[bool]):
    """Ask one question; dismisses with True (yes) or False (no / esc)."""

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DeleteShopModal(QuestionModal[dict[str, bool] | None]):
    """Delete a shop: names it, focus on No, and asks whether to keep its orders.

    Dismisses with None (cancelled) or a dict {"keep_orders": bool}.
    """

    def __init__(self, shop_name: str, order_count: int) -> None:
        super().__init__(
            _("Delete the shop '{name}'?").format(name=shop_name),
            yes=_("Delete"),
            no=_("No"),
            detail=_(
                "Its refresh token is removed from the key store; "
                "connect it again to import its orders."
            ),
            danger=True,
        )
        self.order_count = order_count

    def extra(self) -> ComposeResult:
        if not self.order_count:
            yield Static(_("It has no imported orders."), id="no-orders")
            return
        yield TickBox(
            _("Keep its {n} imported orders").format(n=self.order_count),
            value=True,
            id="keep-orders",
        )

    def action_answer(self, yes: bool) -> None:
        if not yes:
            self.dismiss(None)
            return
        boxes = self.query("#keep-orders").results(Checkbox)
        keep = next((box.value for box in boxes), True)
        self.dismiss({"keep_orders": keep})
