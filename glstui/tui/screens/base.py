"""What every glstui screen shares: translated key descriptions, a section bar, help text.

Key descriptions are written in English in BINDINGS (marked with N_ for the catalog check)
and translated when the screen is made, so the footer, the help modal and the palette all
speak the operator's language.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Input, TextArea
from textual.worker import Worker, WorkerState

from glstui.i18n import N_, _
from glstui.tui.errors import ReportErrors

if TYPE_CHECKING:
    from glstui.tui.app import GlsApp


def translate_bindings(node: DOMNode) -> None:
    """Replace the node's key descriptions and tooltips by their translation."""
    translated = BindingsMap()
    for key, bindings in node._bindings.key_to_bindings.items():
        translated.key_to_bindings[key] = [
            replace(
                b,
                description=_(b.description) if b.description else b.description,
                tooltip=_(b.tooltip) if b.tooltip else b.tooltip,
            )
            for b in bindings
        ]
    node._bindings = translated


class BaseScreen(ReportErrors, Screen[Any]):
    """A section or form screen. `SECTION` lights its tab; `HELP` explains it (English);
    `ENTER` says what enter does there (the ? list shows it; empty: what the focused widget
    does with enter, see help.enter_meaning)."""

    SECTION: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    ENTER: ClassVar[str] = ""
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "back", N_("Back"), show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def gls_app(self) -> GlsApp:
        return self.app  # type: ignore[return-value]

    @property
    def ctx(self) -> Any:
        return self.app.ctx  # type: ignore[attr-defined]

    def help_text(self) -> str:
        return _(self.HELP) if self.HELP else ""

    def has_unsaved_changes(self) -> bool:
        return False

    def focus_main(self) -> None:
        """Where focus goes when the operator leaves a field with esc."""
        self.focus_next()

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        """A screen's worker (an import, a label run) may have committed: let the shown
        screen follow at once (worker messages do not bubble to the app)."""
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.gls_app.check_store()

    @on(DescendantFocus)
    def _never_into_hidden(self, event: DescendantFocus) -> None:
        """Textual's auto focus takes the first focusable widget, shown or not: a hidden
        filter field then swallowed the section keys ("No shop matches '2'"). Move focus to
        the main widget (focus_main), or to no widget, so the screen's and the app's keys work."""
        widget = event.widget
        if not isinstance(widget, Input | TextArea):
            return  # a hidden table takes no letters or digits; it shows once it has rows
        if all(getattr(node, "display", True) for node in widget.ancestors_with_self):
            return
        self.focus_main()
        if self.focused is widget:
            self.set_focus(None)

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, Input):
            self.focus_main()
            return
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.dismiss(None)

    def leave_or_ask(self, question: str, yes: str, detail: str) -> None:
        """Close this screen; with unsaved changes ask first (a danger modal, focus on Stay)."""
        if not self.has_unsaved_changes():
            self.dismiss(None)
            return
        from glstui.tui.widgets.confirm import ConfirmModal

        def answered(choice: bool | None) -> None:
            if choice:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmModal(question, yes=yes, no=_("Stay"), detail=detail, danger=True), answered
        )
