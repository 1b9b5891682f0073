"""The rule editor: one rule's conditions and actions, checked as they are typed.

Every field is checked on each change (the domain's parse and validate), its problem shown
on the line below it and the first bad field focused when the operator tries to save.
One save: ctrl+s (or enter in a field) stores the rule in the shop's rules at once and goes
back to the list; there is no second "save the list" step. esc leaves without saving (asks
first when something was typed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Select, Static

from glstui.domain.rules import Rule, RuleError
from glstui.i18n import N_, _
from glstui.services import rules as svc
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.rules.fields import (
    ERROR_LINE,
    compose_actions,
    compose_conditions,
    read_rule,
    row,
    text_input,
    wid,
)
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.toggles import TickBox


class RuleEditScreen(BaseScreen):
    """One rule's conditions and actions, checked as they are typed.

    `save(rule)` stores the rule (the list screen passes it) and says whether that worked;
    the editor dismisses with the saved rule, or stays open when saving failed.
    """

    SECTION = "integrations"
    HELP = N_(
        "Conditions: all filled-in conditions must hold; an empty one means any. Countries "
        "are two-letter codes (NL, BE, DE). Postcodes: 10 means every postcode starting "
        "with 10; 1011?? uses ? for one character and * for any; 8881-8899 is a range. "
        "SKU patterns use * and ? too; choose whether any item or all items must match. "
        "Amounts and weights accept a decimal comma; minimum and maximum are included. "
        "The weight is the sum of the items' weights from the SKU weight table. "
        "Actions: the GLS product (Automatic = BusinessParcel in NL, EuroBusinessParcel "
        "in the EU), express time, Saturday, ParcelShop, addressee only, parcels (1-10), "
        "weight per parcel (0.2-31.9 kg), label format, hold for a check, or skip (the "
        "order is not imported). ctrl+s (or enter in a field) saves the rule and goes back "
        "to the list; esc goes back without saving."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="rule_editor.save"),
        Binding("escape", "back", N_("Back"), id="rule_editor.back"),
    ]
    DEFAULT_CSS = """
    RuleEditScreen .row { height: 1; margin: 0 0 0 0; }
    RuleEditScreen .lbl { width: 20; height: 1; }
    RuleEditScreen .row Input { width: 1fr; max-width: 48; }
    RuleEditScreen .row Input.short { width: 10; }
    RuleEditScreen .row Select { width: 26; }
    RuleEditScreen .row Select.narrow { width: 12; margin: 0 0 0 1; }
    RuleEditScreen .dash { width: 3; height: 1; content-align: center middle; }
    RuleEditScreen .row TickBox { width: auto; margin: 0 2 0 0; }
    RuleEditScreen .err { height: auto; color: $error; text-style: bold; margin: 0 0 0 20; }
    RuleEditScreen .section { height: 1; text-style: bold underline; margin: 1 0 0 0; }
    RuleEditScreen .section-hint { height: auto; color: $text-muted; }
    RuleEditScreen #form { height: 1fr; }
    RuleEditScreen #edit-summary { height: auto; color: $error; text-style: bold; }
    RuleEditScreen Input.-invalid { text-style: underline; }
    """

    def __init__(
        self,
        rule: Rule,
        other_names: list[str],
        save: Callable[[Rule], bool],
        *,
        is_new: bool = False,
    ) -> None:
        super().__init__()
        self.rule = rule
        self.save = save
        self.other_names = other_names
        self.is_new = is_new
        self.errors: list[RuleError] = []
        self.ready = False
        self.initial: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        r = self.rule
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            title = _("New shipping rule") if self.is_new else _("Edit shipping rule")
            yield Static(title, classes="title", id="edit-title")
            yield Static("", id="edit-summary")
            with VerticalScroll(id="form"):
                yield from row(
                    N_("Name"),
                    text_input("name", r.name, example="Express Prime NL"),
                    TickBox(_("Rule is on"), value=r.enabled, id="enabled"),
                    field="name",
                )
                yield from compose_conditions(r.conditions)
                yield from compose_actions(r.actions)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self.initial = self.read_form()[0].to_dict()
        self.ready = True
        self.validate_form()

    def focus_main(self) -> None:
        self.query_one("#enabled", TickBox).focus()

    # -- reading and checking -----------------------------------------------------------------

    def read_form(self) -> tuple[Rule, list[RuleError]]:
        """The rule as typed, and the errors of fields that cannot even be read."""
        return read_rule(self)

    def validate_form(self) -> tuple[Rule, list[RuleError]]:
        rule, errors = self.read_form()
        unreadable = {e.field for e in errors}
        errors += [e for e in svc.check_rule(rule, self.other_names) if e.field not in unreadable]
        self.errors = errors
        self._show_errors(errors)
        return rule, errors

    def _show_errors(self, errors: list[RuleError]) -> None:
        lines: dict[str, str] = {}
        for err in errors:
            line = ERROR_LINE.get(err.field, err.field)
            lines.setdefault(line, svc.message(err))
        for static in self.query(".err").results(Static):
            key = (static.id or "").removeprefix("err-")
            text = next((t for f, t in lines.items() if wid(f) == key), "")
            static.update(Text(text))
            static.display = bool(text)
        for inp in self.query(Input):
            bad = any(wid(e.field) == inp.id for e in errors)
            inp.set_class(bad, "-invalid")
        summary = self.query_one("#edit-summary", Static)
        if len(errors) == 1:
            summary.update(Text(_("One problem: see the marked field.")))
        elif errors:
            summary.update(Text(_("{n} problems: see the marked fields.").format(n=len(errors))))
        summary.display = bool(errors)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TickBox.Changed)
    def _changed(self) -> None:
        if self.ready:
            self.validate_form()

    def has_unsaved_changes(self) -> bool:
        return self.ready and self.read_form()[0].to_dict() != self.initial

    # -- actions ------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        rule, errors = self.validate_form()
        if errors:
            first = errors[0]
            target = self.query(f"#{wid(first.field)}")
            if not target:
                target = self.query(f"#{wid(ERROR_LINE.get(first.field, first.field))}")
            if target:
                target.first().focus()
            self.notify(svc.message(first), severity="error", markup=False)
            return
        if self.save(rule):
            self.dismiss(rule)

    def action_back(self) -> None:
        self.leave_or_ask(
            _("Discard the changes to this rule?"),
            yes=_("Discard"),
            detail=_("Press n to stay, then ctrl+s saves the rule."),
        )
