"""Shipping rules of one shop ("Verzendregels"): the ordered list, the editor and a preview.

The preview runs the rules being edited (saved or not) over the shop's last imported orders
and shows which rule each order takes, so an operator sees the effect before saving. Keys
work over SSH without a mouse: n add, enter edit, space on/off, K/J (or ctrl+up/down) move,
d delete (modal, focus on No), ctrl+s save, r re-apply the saved rules to the orders still
waiting for a label, w SKU weights, esc back (asks when something is not saved).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.worker import get_current_worker

from glstui.domain.errors import GlstuiError
from glstui.domain.rules import (
    AUTO,
    EXPRESS_LABELS,
    EXPRESS_TIMES,
    PARCELS_MAX,
    PARCELS_MIN,
    PRODUCTS,
    SKU_MATCH_ALL,
    SKU_MATCH_ANY,
    Actions,
    Conditions,
    Rule,
    RuleError,
    format_list,
    format_number,
    parse_countries,
    parse_int,
    parse_marketplaces,
    parse_number,
    parse_postcodes,
    parse_service_levels,
    parse_skus,
    parse_weight,
)
from glstui.domain.settings import LABEL_FORMATS
from glstui.i18n import N_, _
from glstui.services import integrations as integrations_svc
from glstui.services import rules as svc
from glstui.tui.screens.base import BaseScreen
from glstui.tui.screens.integrations import user_message
from glstui.tui.widgets.footer import KeyFooter
from glstui.tui.widgets.section_bar import SectionBar
from glstui.tui.widgets.toggles import TickBox

PREVIEW_N = svc.PREVIEW_ORDERS


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` cells with an ellipsis (table cells never wrap)."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def wid(field: str) -> str:
    """Widget id of a rule field ('conditions.countries' -> 'conditions-countries')."""
    return field.replace(".", "-")


# --- the list ---------------------------------------------------------------------------------


class RulesScreen(BaseScreen):
    """The rules of one shop, in the order they are tried, with a live preview."""

    SECTION = "integrations"
    HELP = N_(
        "Shipping rules decide the GLS product, services, parcels, weight and label format "
        "of each imported order. They are tried from the top: the first switched-on rule "
        "whose conditions all hold decides; an order no rule matches gets the default "
        "(BusinessParcel in NL, EuroBusinessParcel in the EU, one parcel, the weight from "
        "the SKU weight table). The preview below runs the rules on this shop's last "
        "imported orders and shows which rule each takes. Changes count after ctrl+s; r "
        "applies the saved rules to the orders still waiting for a label. The rules only "
        "work when 'Activate shipping rules' is on in Integration details."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("n", "add", N_("New")),
        Binding("e,enter", "edit", N_("Edit"), key_display="e"),
        Binding("space", "toggle", N_("On/off"), key_display="space"),
        Binding("K,ctrl+up", "move(-1)", N_("Move"), key_display="K/J"),
        Binding("J,ctrl+down", "move(1)", N_("Move down"), show=False),
        Binding("d", "delete", N_("Delete")),
        Binding("ctrl+s", "save", N_("Save"), priority=True),
        Binding("r", "reapply", N_("Apply to waiting orders"), show=False),
        Binding("w", "weights", N_("SKU weights"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
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
        self.integration_id = integration_id
        self.shop_name = ""
        self.rules_enabled = False
        self.rules: list[Rule] = []
        self.saved: list[dict[str, Any]] = []
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
        self.saved = [r.to_dict() for r in rules]
        self.show_rules()
        self.refresh_preview()

    # -- state ----------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return [r.to_dict() for r in self.rules] != self.saved

    def current_index(self) -> int | None:
        table = self.query_one("#rules-table", DataTable)
        if not self.rules:
            return None
        return min(max(table.cursor_row, 0), len(self.rules) - 1)

    def changed(self, select: int | None = None) -> None:
        self.show_rules(select)
        self.refresh_preview()

    # -- drawing ----------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.is_mounted:
            self.show_rules(self.current_index())
            self.show_preview(self.preview_rows)

    def _table_width(self) -> int:
        return max(self.size.width - 2, 40)

    def show_rules(self, select: int | None = None) -> None:
        title = _("Shipping rules") + f" · {self.shop_name}"
        if self.has_unsaved_changes():
            title += "  " + _("(changed: ctrl+s saves)")
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
        table.clear(columns=True)
        width = self._table_width() - 2  # scrollbar
        name_w = min(max([len(r.name) for r in self.rules] + [10]), 24)
        rest = width - (2 + 3 + name_w) - 5 * 2
        cond_w = max(rest // 2, 10)
        act_w = max(rest - cond_w, 10)
        table.add_column("#", width=2, key="n")
        table.add_column(_("On"), width=3, key="on")
        table.add_column(_("Name"), width=name_w, key="name")
        table.add_column(_("Conditions"), width=cond_w, key="cond")
        table.add_column(_("Actions"), width=act_w, key="act")
        for i, rule in enumerate(self.rules, start=1):
            on_text = Text(_("on"), style="bold") if rule.enabled else Text(_("off"), style="dim")
            style = "" if rule.enabled else "dim"
            table.add_row(
                str(i),
                on_text,
                Text(fit(rule.name, name_w), style=style),
                Text(fit(svc.summarize_conditions(rule), cond_w), style=style),
                Text(fit(svc.summarize_actions(rule), act_w), style=style),
            )
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
        counts = svc.preview_counts(rows)
        order = [r.name for r in self.rules if r.name in counts] + (
            [svc.DEFAULT_RULE] if svc.DEFAULT_RULE in counts else []
        )
        parts = [f"{_rule_label(name)} {counts[name]}" for name in order]
        self.query_one("#preview-counts", Static).update(Text(" · ".join(parts)))

        table = self.query_one("#preview-table", DataTable)
        table.clear(columns=True)
        width = self._table_width() - 2
        narrow = width < 96
        rule_w = min(max([len(_rule_label(r.rule_name)) for r in rows] + [8]), 20)
        fixed = [
            ("order", _("Order"), 19),
            ("cc", _("Ctry") if narrow else _("Country"), 4 if narrow else 7),
        ]
        if not narrow:
            fixed.append(("items", _("Items"), 5))
        fixed.append(("rule", _("Rule"), rule_w))
        decision_w = max(width - sum(w for _k, _l, w in fixed) - (len(fixed) + 1) * 2, 12)
        for key, label, w in fixed:
            table.add_column(label, width=w, key=key)
        table.add_column(_("Decision"), width=decision_w, key="decision")
        for row in rows:
            cells: list[Any] = [row.order_id, row.country or "-"]
            if not narrow:
                cells.append(str(row.items))
            label = _rule_label(row.rule_name)
            default = row.rule_name == svc.DEFAULT_RULE
            cells.append(Text(fit(label, rule_w), style="dim" if default else "bold"))
            summary = svc.describe(row.decision, default_label_format=self._label_format())
            style = "bold" if row.decision.hold or row.decision.skip else ""
            cells.append(Text(fit(summary, decision_w), style=style))
            table.add_row(*cells)
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
            return self.ctx.settings().label_format
        except GlstuiError:
            return ""

    # -- actions ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#rules-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_add(self) -> None:
        names = [r.name for r in self.rules]
        fresh = Rule(name=_unique(_("New rule"), names))

        def done(rule: Rule | None) -> None:
            if rule is not None:
                self.rules.append(rule)
                self.changed(len(self.rules) - 1)

        self.app.push_screen(RuleEditScreen(fresh, names, is_new=True), done)

    def action_edit(self) -> None:
        index = self.current_index()
        if index is None:
            self.action_add()
            return
        others = [r.name for i, r in enumerate(self.rules) if i != index]

        def done(rule: Rule | None) -> None:
            if rule is not None:
                self.rules[index] = rule
                self.changed(index)

        self.app.push_screen(RuleEditScreen(copy.deepcopy(self.rules[index]), others), done)

    def action_toggle(self) -> None:
        index = self.current_index()
        if index is None:
            return
        self.rules[index].enabled = not self.rules[index].enabled
        self.changed(index)

    def action_move(self, step: int) -> None:
        index = self.current_index()
        if index is None:
            return
        target = index + step
        if not 0 <= target < len(self.rules):
            return
        self.rules[index], self.rules[target] = self.rules[target], self.rules[index]
        self.changed(target)

    def action_delete(self) -> None:
        index = self.current_index()
        if index is None:
            return
        from glstui.tui.widgets.confirm import ConfirmModal

        name = self.rules[index].name

        def answered(yes: bool | None) -> None:
            if yes and index < len(self.rules) and self.rules[index].name == name:
                del self.rules[index]
                self.changed(max(index - 1, 0))

        self.app.push_screen(
            ConfirmModal(
                _("Delete the rule '{name}'?").format(name=name),
                yes=_("Delete"),
                no=_("No"),
                detail=_("It is gone when you save (ctrl+s); esc leaves without saving."),
                danger=True,
            ),
            answered,
        )

    def action_save(self) -> bool:
        try:
            clean = svc.save_rules(self.ctx.store, self.integration_id, self.rules)
        except RuleError as err:
            names = [r.name for r in self.rules]
            if err.rule in names:
                self.show_rules(names.index(err.rule))
            text = _("Rule '{rule}': {problem}").format(rule=err.rule, problem=svc.message(err))
            self.notify(text, severity="error", markup=False)
            return False
        except GlstuiError as err:
            self.notify(user_message(err), severity="error", markup=False)
            return False
        self.rules = clean
        self.saved = [r.to_dict() for r in clean]
        self.show_rules()
        self.notify(
            _("Shipping rules saved. Press r to apply them to the orders waiting for a label."),
            markup=False,
        )
        return True

    def action_reapply(self) -> None:
        if self.has_unsaved_changes():
            self.notify(_("Save the rules first (ctrl+s)."), severity="warning")
            return
        from glstui.tui.widgets.confirm import ConfirmModal

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

        self.app.push_screen(SkuWeightsScreen(), lambda _result: self.refresh_preview())

    def action_back(self) -> None:
        self.leave_or_ask(
            _("Leave without saving the rules?"),
            yes=_("Leave"),
            detail=_("Press n to stay and ctrl+s to save them."),
        )

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            (_("Add rule"), _("Add a shipping rule (n)"), self.action_add),
            (_("Save rules"), _("Save the shipping rules (ctrl+s)"), self.action_save),
            (
                _("Re-apply rules"),
                _("Apply the saved rules to the orders waiting for a label (r)"),
                self.action_reapply,
            ),
            (_("SKU weights"), _("The weight per item of each SKU (w)"), self.action_weights),
        ]


def _rule_label(name: str) -> str:
    return _("default") if name == svc.DEFAULT_RULE else name


def _unique(base: str, names: list[str]) -> str:
    taken = {n.casefold() for n in names}
    if base.casefold() not in taken:
        return base
    n = 2
    while f"{base} {n}".casefold() in taken:
        n += 1
    return f"{base} {n}"


# --- the editor -------------------------------------------------------------------------------

# Text fields: (field, label, placeholder).
CONDITION_INPUTS = (
    ("conditions.countries", N_("Countries"), "NL, BE, DE"),
    ("conditions.postcodes", N_("Postcodes"), "10, 1011??, 8881-8899"),
    ("conditions.marketplaces", N_("Marketplaces"), "NL, DE"),
)
RANGES = (
    ("conditions.items_min", "conditions.items_max", N_("Number of items")),
    ("conditions.total_min", "conditions.total_max", N_("Order total")),
    ("conditions.weight_min", "conditions.weight_max", N_("Total weight (kg)")),
)
# Which error line shows a field's message (a range shares one line).
ERROR_LINE = {
    "conditions.items_max": "conditions.items_min",
    "conditions.total_max": "conditions.total_min",
    "conditions.weight_max": "conditions.weight_min",
    "conditions.sku_match": "conditions.skus",
    "actions.parcelshop_id": "actions.parcelshop",
    "actions.hold_reason": "actions.hold",
    "enabled": "name",
}
YES_NO_ANY = ((N_("any"), "any"), (N_("yes"), "yes"), (N_("no"), "no"))
CHECKS = ("actions.saturday", "actions.parcelshop", "actions.addressee_only", "actions.hold")


class RuleEditScreen(BaseScreen):
    """One rule's conditions and actions, checked as they are typed. Dismisses with the rule."""

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
        "order is not imported). ctrl+s keeps the rule, esc goes back."
    )
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+s", "keep", N_("Keep rule"), priority=True),
        Binding("escape", "back", N_("Back")),
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

    def __init__(self, rule: Rule, other_names: list[str], *, is_new: bool = False) -> None:
        super().__init__()
        self.rule = rule
        self.other_names = other_names
        self.is_new = is_new
        self.errors: list[RuleError] = []
        self.ready = False
        self.initial: dict[str, Any] | None = None

    # -- layout -----------------------------------------------------------------------------

    def _row(self, label: str, *widgets: Any, field: str) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(_(label), classes="lbl")
            yield from widgets
        yield Static("", classes="err", id=f"err-{wid(field)}")

    def _input(
        self, field: str, value: str, placeholder: str = "", short: bool = False, example: str = ""
    ) -> Input:
        if example:
            placeholder = _("e.g. {example}").format(example=example)
        return Input(
            value=value,
            placeholder=placeholder,
            id=wid(field),
            compact=True,
            classes="short" if short else "",
        )

    def compose(self) -> ComposeResult:
        r, c, a = self.rule, self.rule.conditions, self.rule.actions
        yield SectionBar(self.SECTION)
        with Vertical(classes="page"):
            title = _("New shipping rule") if self.is_new else _("Edit shipping rule")
            yield Static(title, classes="title", id="edit-title")
            yield Static("", id="edit-summary")
            with VerticalScroll(id="form"):
                yield from self._row(
                    N_("Name"),
                    self._input("name", r.name, example="Express Prime NL"),
                    TickBox(_("Rule is on"), value=r.enabled, id="enabled"),
                    field="name",
                )
                yield Static(_("Conditions"), classes="section")
                yield Static(
                    _("All filled-in conditions must hold; leave a field empty for any."),
                    classes="section-hint",
                )
                values = {
                    "conditions.countries": format_list(c.countries),
                    "conditions.postcodes": format_list(c.postcodes),
                    "conditions.marketplaces": format_list(c.marketplaces),
                }
                for field, label, placeholder in CONDITION_INPUTS:
                    yield from self._row(
                        label, self._input(field, values[field], example=placeholder), field=field
                    )
                yield from self._row(
                    N_("SKU patterns"),
                    self._input("conditions.skus", format_list(c.skus), example="MUG-*, BOOK-?"),
                    Select(
                        [(_("any item"), SKU_MATCH_ANY), (_("all items"), SKU_MATCH_ALL)],
                        value=c.sku_match
                        if c.sku_match in (SKU_MATCH_ANY, SKU_MATCH_ALL)
                        else SKU_MATCH_ANY,
                        allow_blank=False,
                        compact=True,
                        id=wid("conditions.sku_match"),
                        classes="narrow",
                    ),
                    field="conditions.skus",
                )
                yield from self._row(
                    N_("Amazon speed"),
                    self._input(
                        "conditions.service_levels",
                        format_list(c.service_levels),
                        example="NextDay, SecondDay",
                    ),
                    field="conditions.service_levels",
                )
                for low, high, label in RANGES:
                    yield from self._row(
                        label,
                        self._input(
                            low, format_number(getattr(c, low.split(".")[1])), _("min"), short=True
                        ),
                        Label("–", classes="dash"),
                        self._input(
                            high,
                            format_number(getattr(c, high.split(".")[1])),
                            _("max"),
                            short=True,
                        ),
                        field=low,
                    )
                for name, label in (("prime", N_("Prime")), ("business", N_("Business order"))):
                    value = getattr(c, name)
                    yield from self._row(
                        label,
                        Select(
                            [(_(text), v) for text, v in YES_NO_ANY],
                            value="any" if value is None else ("yes" if value else "no"),
                            allow_blank=False,
                            compact=True,
                            id=wid(f"conditions.{name}"),
                        ),
                        field=f"conditions.{name}",
                    )
                yield Static(_("Actions"), classes="section")
                yield from self._row(
                    N_("GLS product"),
                    Select(
                        [(_("Automatic") if p == AUTO else p, p) for p in PRODUCTS],
                        value=a.product if a.product in PRODUCTS else AUTO,
                        allow_blank=False,
                        compact=True,
                        id=wid("actions.product"),
                    ),
                    field="actions.product",
                )
                yield from self._row(
                    N_("Express"),
                    Select(
                        [(_("no express"), "")]
                        + [
                            (_("before {time}").format(time=EXPRESS_LABELS[t]) + f" ({t})", t)
                            for t in EXPRESS_TIMES
                        ],
                        value=a.express if a.express in EXPRESS_TIMES else "",
                        allow_blank=False,
                        compact=True,
                        id=wid("actions.express"),
                    ),
                    field="actions.express",
                )
                yield from self._row(
                    N_("Services"),
                    TickBox(_("Saturday"), value=a.saturday, id=wid("actions.saturday")),
                    TickBox(
                        _("Addressee only"),
                        value=a.addressee_only,
                        id=wid("actions.addressee_only"),
                    ),
                    field="actions.saturday",
                )
                yield Static("", classes="err", id="err-actions-addressee_only")
                yield from self._row(
                    N_("ParcelShop"),
                    TickBox(_("deliver to"), value=a.parcelshop, id=wid("actions.parcelshop")),
                    self._input("actions.parcelshop_id", a.parcelshop_id, _("ParcelShop id")),
                    field="actions.parcelshop",
                )
                yield from self._row(
                    N_("Parcels"),
                    self._input("actions.parcels", str(a.parcels), "1", short=True),
                    field="actions.parcels",
                )
                yield from self._row(
                    N_("Weight per parcel"),
                    self._input(
                        "actions.weight_kg", format_number(a.weight_kg), _("kg"), short=True
                    ),
                    Label(_("empty = from the SKU weights"), classes="section-hint"),
                    field="actions.weight_kg",
                )
                yield from self._row(
                    N_("Label format"),
                    Select(
                        [(_("as in the settings"), "")] + [(f, f) for f in LABEL_FORMATS],
                        value=a.label_format if a.label_format in LABEL_FORMATS else "",
                        allow_blank=False,
                        compact=True,
                        id=wid("actions.label_format"),
                    ),
                    field="actions.label_format",
                )
                yield from self._row(
                    N_("Hold"),
                    TickBox(_("hold for a check"), value=a.hold, id=wid("actions.hold")),
                    self._input("actions.hold_reason", a.hold_reason, _("reason")),
                    field="actions.hold",
                )
                yield from self._row(
                    N_("Skip"),
                    TickBox(_("do not import"), value=a.skip, id=wid("actions.skip")),
                    field="actions.skip",
                )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self.initial = self.read_form()[0].to_dict()
        self.ready = True
        self.validate_form()

    def focus_main(self) -> None:
        self.query_one("#enabled", TickBox).focus()

    # -- reading and checking -----------------------------------------------------------------

    def _text(self, field: str) -> str:
        return self.query_one(f"#{wid(field)}", Input).value

    def _select(self, field: str) -> Any:
        return self.query_one(f"#{wid(field)}", Select).value

    def _tick(self, field: str) -> bool:
        return self.query_one(f"#{wid(field)}", TickBox).value

    def read_form(self) -> tuple[Rule, list[RuleError]]:
        """The rule as typed, and the errors of fields that cannot even be read."""
        errors: list[RuleError] = []

        def parse(field: str, parser: Any, default: Any, **kwargs: Any) -> Any:
            try:
                return parser(self._text(field), field, **kwargs)
            except RuleError as err:
                errors.append(err)
                return default

        def tri(field: str) -> bool | None:
            value = self._select(field)
            return None if value == "any" else value == "yes"

        conditions = Conditions(
            countries=parse("conditions.countries", parse_countries, []),
            postcodes=parse("conditions.postcodes", parse_postcodes, []),
            marketplaces=parse("conditions.marketplaces", parse_marketplaces, []),
            skus=parse("conditions.skus", parse_skus, []),
            sku_match=self._select("conditions.sku_match"),
            items_min=parse("conditions.items_min", parse_int, None),
            items_max=parse("conditions.items_max", parse_int, None),
            total_min=parse("conditions.total_min", parse_number, None),
            total_max=parse("conditions.total_max", parse_number, None),
            service_levels=parse("conditions.service_levels", parse_service_levels, []),
            prime=tri("conditions.prime"),
            business=tri("conditions.business"),
            weight_min=parse("conditions.weight_min", parse_number, None),
            weight_max=parse("conditions.weight_max", parse_number, None),
        )
        parcels = parse("actions.parcels", parse_int, 1, minimum=PARCELS_MIN, maximum=PARCELS_MAX)
        actions = Actions(
            product=self._select("actions.product"),
            express=self._select("actions.express"),
            saturday=self._tick("actions.saturday"),
            parcelshop=self._tick("actions.parcelshop"),
            parcelshop_id=self._text("actions.parcelshop_id").strip(),
            addressee_only=self._tick("actions.addressee_only"),
            parcels=1 if parcels is None else parcels,
            weight_kg=parse("actions.weight_kg", lambda t, f: parse_weight(t, f), None),
            label_format=self._select("actions.label_format"),
            hold=self._tick("actions.hold"),
            hold_reason=self._text("actions.hold_reason").strip(),
            skip=self._tick("actions.skip"),
        )
        rule = Rule(
            name=" ".join(self._text("name").split()),
            enabled=self.query_one("#enabled", TickBox).value,
            conditions=conditions,
            actions=actions,
        )
        return rule, errors

    def validate_form(self) -> tuple[Rule, list[RuleError]]:
        rule, errors = self.read_form()
        unreadable = {e.field for e in errors}
        errors += [e for e in svc.check_rule(rule, self.other_names) if e.field not in unreadable]
        self.errors = errors
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
        return rule, errors

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
        self.action_keep()

    def action_keep(self) -> None:
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
        self.dismiss(rule)

    def action_back(self) -> None:
        self.leave_or_ask(
            _("Discard the changes to this rule?"),
            yes=_("Discard"),
            detail=_("Press n to stay and ctrl+s to keep the rule."),
        )
