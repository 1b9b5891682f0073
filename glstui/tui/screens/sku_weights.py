"""SKU weights: the kg per item of each SKU, imported from a CSV whose path is typed here.

Over SSH there is no file dialog, so the operator types (or pastes) the path on the server;
enter imports. Good rows are merged into the table (or replace it, with the tick on) in one
write; bad rows are listed by line number with the reason, so the spreadsheet can be fixed
and imported again. d removes the highlighted SKU (modal, focus on No).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from glstui.domain.errors import GlstuiError
from glstui.i18n import N_, _
from glstui.i18n_numbers import decimal
from glstui.services import rules as svc
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.toggles import TickBox

MAX_PROBLEMS_SHOWN = 50


class SkuWeightsScreen(BaseScreen):
    SECTION = "integrations"
    HELP = N_(
        "The weight per item of each SKU, used by the shipping rules and for the label "
        "weight. Import a CSV file with two columns, sku and weight_kg: the header line is "
        "optional, ';' or ',' may separate the columns, a decimal comma is fine and '250 g' "
        "is read as grams. Rows with a problem are listed by line number and left out; a "
        "SKU listed twice takes the last line. SKUs not in the table weigh the default "
        "weight per item from the settings."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("i", "focus_path", N_("Import CSV"), id="sku_weights.import_csv"),
        Binding("d", "delete", N_("Delete"), id="sku_weights.delete"),
        Binding("escape", "back", N_("Back"), id="sku_weights.back"),
    ]
    DEFAULT_CSS = """
    SkuWeightsScreen .row { height: 1; }
    SkuWeightsScreen .lbl { width: 13; height: 1; }
    SkuWeightsScreen #csv-path { width: 1fr; }
    SkuWeightsScreen #replace { width: auto; margin: 0 0 0 2; }
    SkuWeightsScreen #weights-info { height: auto; color: $text-muted; margin: 0 0 1 0; }
    SkuWeightsScreen #csv-result { height: auto; margin: 1 0 0 0; }
    SkuWeightsScreen #csv-problems { height: auto; max-height: 8; color: $error; }
    SkuWeightsScreen #csv-warnings { height: auto; max-height: 4; color: $warning; }
    SkuWeightsScreen #weights-table { height: 1fr; margin: 1 0 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.weights: dict[str, float] = {}
        self.default_weight = 1.0

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            yield Static(_("SKU weights"), classes="title", id="title")
            yield Static("", id="weights-info")
            with Horizontal(classes="row"):
                yield Label(_("CSV file"), classes="lbl")
                yield Input(
                    placeholder=_("/path/to/weights.csv, then enter"),
                    id="csv-path",
                    compact=True,
                )
                yield TickBox(_("replace the whole table"), id="replace")
            yield Static("", id="csv-result")
            yield Static("", id="csv-problems")
            yield Static("", id="csv-warnings")
            yield DataTable(id="weights-table", cursor_type="row", zebra_stripes=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#weights-table", DataTable).focus()
        for box in ("#csv-result", "#csv-problems", "#csv-warnings"):
            self.query_one(box, Static).display = False

    def load(self) -> None:
        self.weights, self.default_weight = svc.load_weights(self.ctx.store)
        self.show_table()

    def show_table(self) -> None:
        info = _(
            "{n} SKUs. SKUs not in the table weigh {kg} kg per item (the default weight in "
            "the settings)."
        ).format(n=len(self.weights), kg=decimal(self.default_weight))
        self.query_one("#weights-info", Static).update(Text(info))
        table = self.query_one("#weights-table", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        sku_w = min(max([len(s) for s in self.weights] + [12]), 40)
        table.add_column(_("SKU"), width=sku_w, key="sku")
        table.add_column(_("kg per item"), width=14, key="kg")
        for sku in sorted(self.weights):
            table.add_row(Text(sku), Text(decimal(self.weights[sku]), justify="right"), key=sku)
        if self.weights:
            table.move_cursor(row=min(max(keep, 0), len(self.weights) - 1))

    def focus_main(self) -> None:
        self.query_one("#weights-table", DataTable).focus()

    def action_focus_path(self) -> None:
        self.query_one("#csv-path", Input).focus()

    @on(Input.Submitted, "#csv-path")
    def _import(self, event: Input.Submitted) -> None:
        event.stop()
        self.import_file(event.value, self.query_one("#replace", TickBox).value)

    @work(thread=True, exclusive=True, group="sku-import")
    def import_file(self, path: str, replace: bool) -> None:
        try:
            text = svc.read_csv_file(path)
            result = svc.import_weights_csv(self.ctx.store, text, replace=replace)
        except GlstuiError as err:
            self.app.call_from_thread(self.show_result, None, user_message(err))
            return
        self.app.call_from_thread(self.show_result, result, "")

    def show_result(self, result: svc.CsvImport | None, failure: str) -> None:
        box = self.query_one("#csv-result", Static)
        problems_box = self.query_one("#csv-problems", Static)
        warnings_box = self.query_one("#csv-warnings", Static)
        box.display = True
        if result is None:
            box.update(Text(failure, style="bold"))
            problems_box.display = warnings_box.display = False
            return
        text = _("Imported: {added} new, {changed} changed, {same} the same.").format(
            added=result.added, changed=result.changed, same=result.unchanged
        )
        errors = result.errors
        if errors:
            text += " " + _("{n} rows were left out:").format(n=len(errors))
        box.update(Text(text, style="bold"))
        for target, problems in (
            (problems_box, errors),
            (warnings_box, [p for p in result.problems if p.warning]),
        ):
            lines = [svc.problem_text(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
            if len(problems) > MAX_PROBLEMS_SHOWN:
                more = len(problems) - MAX_PROBLEMS_SHOWN
                lines.append(_("... and {n} more.").format(n=more))
            target.update(Text("\n".join(lines)))
            target.display = bool(lines)
        self.load()

    def action_delete(self) -> None:
        table = self.query_one("#weights-table", DataTable)
        if not self.weights:
            return
        skus = sorted(self.weights)
        sku = skus[min(max(table.cursor_row, 0), len(skus) - 1)]
        from glstui.tui.widgets.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                svc.set_weight(self.ctx.store, sku, None)
                self.load()

        self.app.push_screen(
            ConfirmModal(
                _("Remove the weight of SKU '{sku}'?").format(sku=sku),
                yes=_("Remove"),
                no=_("No"),
                detail=_("Its items then weigh the default weight."),
                danger=True,
            ),
            answered,
        )

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.focus_main()
            return
        self.dismiss(None)
