"""Settings ("Instellingen", section 7): printer, label format, sender, import window,
language and the GLS environment.

Every field is checked when saved (services/settings_edit.py); a wrong field is marked and
named with what to type, and nothing is stored until all are right. ctrl+s saves, ctrl+t
prints a test label on the saved printer in the saved format. Switching GLS to live asks
first: labels made from then on are real and charged. The language applies when glstui
starts again (screens already drawn keep theirs); --lang still wins for one run. Nothing is
focused at first, so 1-7 still switch sections; tab enters the first field.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from glstui.domain.errors import GlstuiError
from glstui.domain.settings import LABEL_FORMATS
from glstui.i18n import N_, _
from glstui.services import settings_edit
from glstui.services.settings_edit import SettingsForm, SettingsInvalid
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.toggles import TickRadio

SENDER_LABELS = (
    ("name", N_("Name")),
    ("street", N_("Street")),
    ("house_no", N_("House number")),
    ("house_no_ext", N_("Addition")),
    ("zip_code", N_("Postcode")),
    ("city", N_("City")),
    ("country_code", N_("Country (NL, BE, DE...)")),
    ("phone", N_("Phone")),
    ("email", N_("E-mail")),
)
SENDER_HINTS = {
    "name": N_("company name, at most 30 characters"),
    "street": N_("street name only"),
    "house_no": N_("digits, like 12"),
    "house_no_ext": N_("like A or bis; may stay empty"),
    "zip_code": N_("as the country writes it: NL 1234 AB"),
    "city": N_("city or town"),
    "phone": N_("may stay empty"),
    "email": N_("may stay empty"),
}
LANGUAGES = (("", N_("system")), ("en", "English"), ("nl", "Nederlands"))
ENVIRONMENTS = (("test", N_("test")), ("live", N_("live")))
FIELD_LABELS = {
    "printer": N_("Printer"),
    "label_format": N_("Label format"),
    "first_import_days": N_("First import: days back"),
    "language": N_("Language"),
    "gls_environment": N_("GLS environment"),
    **{f"sender.{name}": label for name, label in SENDER_LABELS},
}


def widget_id(field: str) -> str:
    return field.replace(".", "-").replace("_", "-")


def problem_row(field: str) -> ComposeResult:
    """The line under a field that says what is wrong with it (hidden while it is right):
    an empty cell under the label, the message under the field."""
    yield Static("", id=f"{widget_id(field)}-problem-pad", classes="field-problem")
    yield Static("", id=f"{widget_id(field)}-problem", classes="field-problem")


class SettingsScreen(BaseScreen):
    SECTION = "settings"
    HELP = N_(
        "The settings of this warehouse, kept with the data. Printer: a CUPS printer "
        "(lpstat -e lists them) or a thermal printer's raw port as host:9100 (label format "
        "zpl); empty: labels are only saved. The sender address is printed as the pickup "
        "address (empty: GLS uses the account's). The first import of a shop looks back "
        "this many days. GLS test makes test labels that are never delivered; live makes "
        "real, charged labels. ctrl+s saves (each change goes to the audit log), ctrl+t "
        "prints a test label with the saved printer and format."
    )
    ENTER = N_("Save (in a field)")
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+s", "save", N_("Save"), priority=True, id="settings.save"),
        Binding("ctrl+t", "test_print", N_("Test print"), priority=True, id="settings.test"),
        Binding("escape", "back", N_("Back"), show=False, id="settings.back"),
    ]
    AUTO_FOCUS = None

    DEFAULT_CSS = """
    SettingsScreen .settings-grid {
        grid-size: 2;
        grid-columns: 26 1fr;
        grid-rows: auto;
        grid-gutter: 0 1;
        height: auto;
    }
    SettingsScreen #status {
        height: auto;
        max-height: 3;
        margin: 0;
        padding: 0 1;
    }
    SettingsScreen .field-problem {
        color: $error;
        display: none;
    }
    SettingsScreen .field-problem.-shown {
        display: block;
    }
    SettingsScreen RadioSet {
        layout: horizontal;
        height: 1;
        width: 1fr;
        border: none;
        padding: 0;
    }
    SettingsScreen RadioSet > RadioButton {
        margin: 0 2 0 0;
    }
    SettingsScreen .settings-grid Input {
        max-width: 50;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.saved_form: SettingsForm | None = None

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with VerticalScroll(id="settings-page", classes="page form"):
            yield Static(_("Settings: general"), classes="title")
            yield Static(_("Printing"), classes="group")
            with Grid(classes="settings-grid"):
                yield Label(_(FIELD_LABELS["printer"]))
                yield Input(
                    id="printer",
                    compact=True,
                    placeholder=_("CUPS name or host:9100; empty: only save"),
                )
                yield from problem_row("printer")
                yield Label(_(FIELD_LABELS["label_format"]))
                with RadioSet(id="label-format", compact=True):
                    for fmt in LABEL_FORMATS:
                        yield TickRadio(fmt, name=fmt)
                yield from problem_row("label_format")
            yield Static(_("Sender address (pickup)"), classes="group")
            with Grid(classes="settings-grid"):
                for name, label in SENDER_LABELS:
                    yield Label(_(label))
                    yield Input(
                        id=widget_id(f"sender.{name}"),
                        compact=True,
                        placeholder=_(SENDER_HINTS[name]) if name in SENDER_HINTS else "",
                    )
                    yield from problem_row(f"sender.{name}")
            yield Static(_("Import, language, GLS"), classes="group")
            with Grid(classes="settings-grid"):
                yield Label(_(FIELD_LABELS["first_import_days"]))
                yield Input(id="first-import-days", compact=True, type="integer")
                yield from problem_row("first_import_days")
                yield Label(_(FIELD_LABELS["language"]))
                with RadioSet(id="language", compact=True):
                    for code, label in LANGUAGES:
                        yield TickRadio(_(label), name=code or "system")
                yield from problem_row("language")
                yield Label(_(FIELD_LABELS["gls_environment"]))
                with RadioSet(id="gls-environment", compact=True):
                    for code, label in ENVIRONMENTS:
                        yield TickRadio(_(label), name=code)
                yield from problem_row("gls_environment")
            with Horizontal(classes="buttons"):
                yield Button(_("Save") + " ^s", id="save", variant="primary", compact=True)
                yield Button(_("Test print") + " ^t", id="test-print", compact=True)
        yield Static("", id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    def focus_main(self) -> None:
        self.query_one("#save", Button).focus()

    # -- the form -------------------------------------------------------------------------

    def load(self) -> None:
        form = SettingsForm.of(self.ctx.settings())
        self.saved_form = form
        self.query_one("#printer", Input).value = form.printer
        self.query_one("#first-import-days", Input).value = form.first_import_days
        for name, _label in SENDER_LABELS:
            self.query_one(f"#{widget_id('sender.' + name)}", Input).value = form.sender[name]
        self._press("label-format", form.label_format)
        self._press("language", form.language or "system")
        self._press("gls-environment", form.gls_environment)

    def _press(self, radio_set: str, name: str) -> None:
        for button in self.query_one(f"#{radio_set}", RadioSet).query(RadioButton):
            button.value = button.name == name

    def _pressed(self, radio_set: str) -> str:
        button = self.query_one(f"#{radio_set}", RadioSet).pressed_button
        return button.name or "" if button is not None else ""

    def form(self) -> SettingsForm:
        language = self._pressed("language")
        return SettingsForm(
            sender={
                name: self.query_one(f"#{widget_id('sender.' + name)}", Input).value
                for name, _label in SENDER_LABELS
            },
            label_format=self._pressed("label-format"),
            printer=self.query_one("#printer", Input).value,
            first_import_days=self.query_one("#first-import-days", Input).value,
            language="" if language == "system" else language,
            gls_environment=self._pressed("gls-environment"),
        )

    def has_unsaved_changes(self) -> bool:
        return self.saved_form is not None and self.form() != self.saved_form

    def show_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(text))
        status.set_class(error, "error")
        status.set_class(not error and bool(text), "ok")

    def mark_problems(self, problems: dict[str, str]) -> None:
        """Each wrong field marked with its problem under it; the status line (always in
        view, under the form) names them; focus on the first, so it scrolls into view."""
        for widget in self.query(".-problem"):
            widget.remove_class("-problem")
        for row in self.query(".field-problem.-shown"):
            row.remove_class("-shown")
        for field, message in problems.items():
            self.query_one(f"#{widget_id(field)}", Widget).add_class("-problem")
            row = self.query_one(f"#{widget_id(field)}-problem", Static)
            row.update(Text(message))
            row.add_class("-shown")
            self.query_one(f"#{widget_id(field)}-problem-pad").add_class("-shown")
        names = ", ".join(_(FIELD_LABELS.get(field, field)) for field in problems)
        self.show_status(
            _("Not saved; check: {fields}.").format(fields=names) if problems else "",
            error=bool(problems),
        )
        if problems:
            self.query_one(f"#{widget_id(next(iter(problems)))}", Widget).focus()

    # -- actions --------------------------------------------------------------------------

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "test-print":
            self.action_test_print()
        else:
            self.action_save()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        form = self.form()
        saved = self.saved_form
        if form.gls_environment == "live" and saved and saved.gls_environment != "live":
            from glstui.tui.widgets.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self.save(form)

            self.app.push_screen(
                ConfirmModal(
                    _("Switch GLS to live?"),
                    detail=_(
                        "Labels made from now on are real: GLS collects and charges them. "
                        "Use the live GLS keys (Keys, 5)."
                    ),
                    yes=_("Go live"),
                    danger=True,
                ),
                answered,
            )
            return
        self.save(form)

    @work(exclusive=True, group="settings-save")
    async def save(self, form: SettingsForm) -> None:
        self.show_status(_("Checking..."))
        ctx = self.ctx
        try:
            changed = await asyncio.to_thread(settings_edit.save, ctx.store, ctx.clock, form)
        except SettingsInvalid as err:
            self.mark_problems(err.problems)
            return
        except GlstuiError as err:
            self.show_status(user_message(err), error=True)
            return
        self.mark_problems({})
        self.load()
        self.gls_app.environment_changed()
        if not changed:
            self.show_status(_("Nothing changed."))
            return
        names = [_(FIELD_LABELS.get(c.split(":")[0], c)) for c in changed]
        message = _("Saved: {what}.").format(what=", ".join(dict.fromkeys(names)))
        if any(c.startswith("language") for c in changed):
            message += " " + _("The language applies when glstui starts again.")
        self.show_status(message)

    def action_test_print(self) -> None:
        if self.has_unsaved_changes():
            self.show_status(_("Save first (ctrl+s): the test label uses the saved settings."))
            return
        self.show_status(_("Printing a test label..."))
        self.test_print()

    @work(exclusive=True, group="settings-print")
    async def test_print(self) -> None:
        ctx = self.ctx
        result = await settings_edit.test_print(ctx.store, ctx.clock, ctx.labels_dir)
        self.show_status(result.message, error=not result.ok)

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Save settings"), _("Check and save the settings (ctrl+s)"), self.action_save),
            (
                _("Print a test label"),
                _("A test label on the saved printer, in the saved format (ctrl+t)"),
                self.action_test_print,
            ),
        ]
