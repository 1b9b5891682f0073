"""The rules screen of one shop ("Verzendregels"): the ordered list with a live preview.

One save, no second step: every change is stored at once (a rule saved in the editor, a rule
switched on or off, moved or deleted), as a warehouse team expects of a list of rules. That
is safe because saved rules only decide orders imported from then on; r applies them to the
orders already waiting for a label, after a question. The preview runs the rules over the
shop's last imported orders and shows which rule each takes, so the effect of a change is
seen before r.

Keys work over SSH without a mouse: n add, enter (or e) edit, space on/off, shift+up/down
move a rule (the usual keys for moving a list item; ctrl+up/down and K/J do the same for
terminals that keep shift+arrows), d delete (modal, focus on No), r re-apply, w SKU weights,
esc back.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from glstui.domain.errors import GlstuiError
from glstui.domain.rules import Rule, RuleError
from glstui.i18n import N_, _
from glstui.services import integrations as integrations_svc
from glstui.services import rules as svc
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.screens.rules.editor import RuleEditScreen
from glstui.tui.screens.rules.tables import fill_preview, fill_rules, preview_counts
from glstui.tui.widgets.confirm import ConfirmModal
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar

PREVIEW_N = svc.PREVIEW_ORDERS


class RulesScreen(BaseScreen):
    """The rules of one shop, in the order they are tried, with a live preview."""

    SECTION = "integrations"
    HELP = N_(
        "Shipping rules decide the GLS product, services, parcels, weight and label format "
        "of each imported order. They are tried from the top: the first switched-on rule "
        "whose conditions all hold decides; an order no rule matches gets the default "
        "(BusinessParcel in NL, EuroBusinessParcel in the EU, one parcel, the weight from "
        "the SKU weight table). The preview below runs the rules on this shop's last "
        "imported orders and shows which rule each takes. Every change is saved at once and "
        "counts for the orders imported from then on; r applies the rules to the orders "
        "still waiting for a label. shift+up and shift+down (or ctrl+up/down, K/J) move the "
        "highlighted rule. The rules only work when 'Activate shipping rules' is on in "
        "Integration details."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("n", "add", N_("New"), id="rules.add"),
        Binding("enter,e", "edit", N_("Edit"), key_display=N_("enter"), id="rules.edit"),
        Binding("space", "switch", N_("On/off"), key_display=N_("space"), id="rules.switch"),
        Binding(
            "shift+up,ctrl+up,K",
            "move(-1)",
            N_("Move up/down"),
            key_display="shift+↑↓",
            id="rules.move_up",
        ),
        # no description: the help lists the pair once, under "Move up/down"
        Binding("shift+down,ctrl+down,J", "move(1)", "", show=False, id="rules.move_down"),
        Binding("d", "delete", N_("Delete"), id="rules.delete"),
        Binding("r", "reapply", N_("Apply to waiting orders"), show=False, id="rules.reapply"),
        Binding("w", "weights", N_("SKU weights"), show=False, id="rules.weights"),
        Binding("escape", "back", N_("Back"), show=False, id="rules.back"),
    ]
    DEFAULT_CSS = """
    RulesScreen #rules-status { height: auto; }
    RulesScreen #rules-table { height: auto; max-height: 40%; min-height: 3; }
    RulesScreen #rules-empty { height: auto; color: $text-muted; }
    RulesScreen #rules-warnings { height: auto; color: $warning; }
    RulesScreen #preview-title { height: 1; margin: 1 0 0 0; text-style: bold; }
    RulesScreen #preview-counts { height: auto; color: $text-muted; }
    RulesScreen #preview-table { height: 1fr; }
    RulesScreen #preview-empty { height: auto; color: $text-muted; }
    """

    def __init__(self, integration_id: str) -> None:
        super().__init__()
        translate_key_names(self)
        self.integration_id = integration_id
        self.shop_name = ""
        self.rules_enabled = False
        self.rules: list[Rule] = []
        self.preview_rows: list[svc.PreviewRow] = []
        self.preview_loaded = False

    def compose(self) -> ComposeResult:
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            yield Static(_("Shipping rules"), classes="title", id="title")
            yield Static("", id="rules-status", classes="hint")
            yield DataTable(id="rules-table", cursor_type="row", zebra_stripes=False)
            yield Static("", id="rules-empty")
            yield Static("", id="rules-warnings")
            yield Static("", id="preview-title")
            yield Static("", id="preview-counts")
            yield DataTable(id="preview-table", cursor_type="row", zebra_stripes=False)
            yield Static("", id="preview-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#rules-table", DataTable).focus()

    def load(self) -> None:
        try:
            integration = integrations_svc.get(self.ctx.store, self.integration_id)
            rules = svc.parse_rules(integration.rules)
        except integrations_svc.IntegrationNotFound as err:
            self.notify(user_message(err), severity="error", markup=False)
            self.dismiss(None)
            return
        except RuleError as err:
            self.notify(svc.message(err), severity="error", markup=False)
            rules = []
        self.shop_name = integration.shop_name
        self.rules_enabled = integration.rules_enabled
        self.rules = rules
        self.show_rules()
        self.refresh_preview()

    # -- state ----------------------------------------------------------------------------

    def current_index(self) -> int | None:
        table = self.query_one("#rules-table", DataTable)
        if not self.rules:
            return None
        return min(max(table.cursor_row, 0), len(self.rules) - 1)

    def store(self, rules: list[Rule], select: int | None = None) -> bool:
        """Save `rules` as the shop's rules; on success show them. False (and a message,
        the list as it was) when they cannot be saved."""
        try:
            clean = svc.save_rules(self.ctx.store, self.integration_id, rules)
        except RuleError as err:
            text = _("Rule '{rule}': {problem}").format(rule=err.rule, problem=svc.message(err))
            self.notify(text, severity="error", markup=False)
            return False
        except GlstuiError as err:
            self.notify(user_message(err), severity="error", markup=False)
            return False
        self.rules = clean
        self.show_rules(select)
        self.refresh_preview()
        return True

    # -- drawing ----------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.is_mounted:
            self.show_rules(self.current_index())
            self.show_preview(self.preview_rows)

    def _table_width(self) -> int:
        return max(self.size.width - 2, 40)

    def show_rules(self, select: int | None = None) -> None:
        title = _("Shipping rules") + f" · {self.shop_name}"
        self.query_one("#title", Static).update(Text(title))
        status = (
            _("Rules are ON for this shop: imports use them.")
            if self.rules_enabled
            else _(
                "Rules are OFF for this shop: switch on 'Activate shipping rules' in "
                "Integration details to use them."
            )
        )
        status += "\n" + _(
            "r applies the saved rules to the orders waiting for a label · w SKU weights"
        )
        self.query_one("#rules-status", Static).update(Text(status))

        table = self.query_one("#rules-table", DataTable)
        keep = table.cursor_row if select is None else select
        fill_rules(table, self.rules, self._table_width() - 2)  # - 2: the scrollbar
        if self.rules:
            table.move_cursor(row=min(max(keep, 0), len(self.rules) - 1))
        table.display = bool(self.rules)
        empty = self.query_one("#rules-empty", Static)
        empty.display = not self.rules
        empty.update(
            Text(
                _(
                    "No rules yet: press n to add one. Without rules every order gets the "
                    "default: BusinessParcel (NL) or EuroBusinessParcel (EU), 1 parcel, the "
                    "weight from the SKU weight table."
                )
            )
        )
        warnings = svc.warnings(self.rules)
        box = self.query_one("#rules-warnings", Static)
        box.display = bool(warnings)
        box.update(Text("\n".join(warnings)))

    @work(thread=True, exclusive=True, group="rules-preview")
    def refresh_preview(self) -> None:
        rules = copy.deepcopy(self.rules)
        try:
            rows = svc.preview(self.ctx.store, self.integration_id, PREVIEW_N, rules=rules)
        except GlstuiError as err:  # the preview is a help: say why it is missing
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(
                    self.notify, user_message(err), severity="error", markup=False
                )
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_preview, rows, True)

    def show_preview(self, rows: list[svc.PreviewRow], loaded: bool = False) -> None:
        if loaded:
            self.preview_loaded = True
        self.preview_rows = rows
        self.query_one("#preview-title", Static).update(
            Text(_("Preview: the last {n} imported orders").format(n=len(rows) or PREVIEW_N))
        )
        self.query_one("#preview-counts", Static).update(Text(preview_counts(self.rules, rows)))
        table = self.query_one("#preview-table", DataTable)
        fill_preview(table, rows, self._table_width() - 2, self._label_format())
        empty = self.query_one("#preview-empty", Static)
        empty.display = self.preview_loaded and not rows
        empty.update(
            Text(
                _(
                    "No imported orders of this shop yet: import first (section 2), then "
                    "the preview shows which rule each order takes."
                )
            )
        )

    def _label_format(self) -> str:
        try:
            return str(self.ctx.settings().label_format)
        except GlstuiError:
            return ""

    # -- actions ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#rules-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_add(self) -> None:
        names = [r.name for r in self.rules]
        fresh = Rule(name=integrations_svc.unique_name(_("New rule"), names))  # "New rule (2)"

        def save(rule: Rule) -> bool:
            return self.store([*self.rules, rule], len(self.rules))

        self.app.push_screen(RuleEditScreen(fresh, names, save, is_new=True), self._edited)

    def action_edit(self) -> None:
        index = self.current_index()
        if index is None:
            self.action_add()
            return
        others = [r.name for i, r in enumerate(self.rules) if i != index]

        def save(rule: Rule) -> bool:
            return self.store([*self.rules[:index], rule, *self.rules[index + 1 :]], index)

        rule = copy.deepcopy(self.rules[index])
        self.app.push_screen(RuleEditScreen(rule, others, save), self._edited)

    def _edited(self, rule: Rule | None) -> None:
        if rule is not None:
            self.notify(
                _(
                    "Rule '{rule}' saved. r applies the rules to the orders waiting for a label."
                ).format(rule=rule.name),
                markup=False,
                timeout=4,
            )

    def action_switch(self) -> None:
        """Switch the highlighted rule on or off (saved at once)."""
        index = self.current_index()
        if index is None:
            return
        rules = copy.deepcopy(self.rules)
        rules[index].enabled = not rules[index].enabled
        self.store(rules, index)

    def action_move(self, step: int) -> None:
        """Move the highlighted rule up (-1) or down (1); it is tried in its new place."""
        index = self.current_index()
        if index is None:
            return
        target = index + step
        if not 0 <= target < len(self.rules):
            return
        rules = list(self.rules)
        rules[index], rules[target] = rules[target], rules[index]
        self.store(rules, target)

    def action_delete(self) -> None:
        index = self.current_index()
        if index is None:
            return
        name = self.rules[index].name

        def answered(yes: bool | None) -> None:
            if yes and index < len(self.rules) and self.rules[index].name == name:
                self.store(self.rules[:index] + self.rules[index + 1 :], max(index - 1, 0))

        self.app.push_screen(
            ConfirmModal(
                _("Delete the rule '{name}'?").format(name=name),
                yes=_("Delete"),
                no=_("No"),
                detail=_(
                    "Orders imported from now on no longer use it; orders already "
                    "imported keep their decision until you press r."
                ),
                danger=True,
            ),
            answered,
        )

    def action_reapply(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._reapply()

        self.app.push_screen(
            ConfirmModal(
                _("Apply the saved rules to this shop's orders waiting for a label?"),
                yes=_("Apply"),
                no=_("No"),
                detail=_(
                    "New and held orders get a new decision; labelled and shipped orders "
                    "stay as they are. Holds made by rules are released when no rule holds "
                    "the order any more."
                ),
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="rules-reapply")
    def _reapply(self) -> None:
        try:
            result = svc.reapply(self.ctx.store, self.integration_id)
        except GlstuiError as err:
            self.app.call_from_thread(
                self.notify, user_message(err), severity="error", markup=False
            )
            return
        text = _(
            "Rules applied to {checked} waiting orders: {changed} changed, {held} held, "
            "{released} released."
        ).format(
            checked=result.checked,
            changed=result.changed,
            held=result.held,
            released=result.released,
        )
        self.app.call_from_thread(self.notify, text, markup=False)
        self.app.call_from_thread(self.refresh_preview)

    def action_weights(self) -> None:
        from glstui.tui.screens.sku_weights import SkuWeightsScreen

        def closed(_result: object) -> None:
            self.refresh_preview()

        self.app.push_screen(SkuWeightsScreen(), closed)

    def action_back(self) -> None:
        self.dismiss(None)  # nothing to lose: every change is already saved

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Add rule"), _("Add a shipping rule (n)"), self.action_add),
            (
                _("Re-apply rules"),
                _("Apply the saved rules to the orders waiting for a label (r)"),
                self.action_reapply,
            ),
            (_("SKU weights"), _("The weight per item of each SKU (w)"), self.action_weights),
        ]


def translate_key_names(node: DOMNode) -> None:
    """Key names shown in the footer and the help ("space" is "spatie" in Dutch)."""
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, key_display=_(b.key_display)) if b.key_display else b for b in bindings
        ]
