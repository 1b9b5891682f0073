"""The two tables of the rules screen: the rules in their order, and the preview of orders.

Column widths follow the terminal: at 80 columns the preview drops the item count and
shortens "Country", so the rule and the decision stay readable. Cells never wrap; a cut
text ends in an ellipsis.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from glstui.domain.rules import Rule
from glstui.i18n import _
from glstui.services import rules as svc

NARROW_PREVIEW = 96  # below this table width the preview drops the item count


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` cells with an ellipsis (table cells never wrap)."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def rule_label(name: str) -> str:
    return _("default") if name == svc.DEFAULT_RULE else name


def fill_rules(table: DataTable[Text | str], rules: list[Rule], width: int) -> None:
    """Number, on/off, name, conditions and actions of each rule, in the order tried."""
    table.clear(columns=True)
    name_w = min(max([len(r.name) for r in rules] + [10]), 24)
    rest = width - (2 + 3 + name_w) - 5 * 2
    cond_w = max(rest // 2, 10)
    act_w = max(rest - cond_w, 10)
    table.add_column("#", width=2, key="n")
    table.add_column(_("On"), width=3, key="on")
    table.add_column(_("Name"), width=name_w, key="name")
    table.add_column(_("Conditions"), width=cond_w, key="cond")
    table.add_column(_("Actions"), width=act_w, key="act")
    for i, rule in enumerate(rules, start=1):
        on_text = Text(_("on"), style="bold") if rule.enabled else Text(_("off"), style="dim")
        style = "" if rule.enabled else "dim"
        table.add_row(
            str(i),
            on_text,
            Text(fit(rule.name, name_w), style=style),
            Text(fit(svc.summarize_conditions(rule), cond_w), style=style),
            Text(fit(svc.summarize_actions(rule), act_w), style=style),
        )


def fill_preview(
    table: DataTable[Text | str], rows: list[svc.PreviewRow], width: int, label_format: str
) -> None:
    """Each previewed order with the rule it takes and what that rule decides."""
    table.clear(columns=True)
    narrow = width < NARROW_PREVIEW
    rule_w = min(max([len(rule_label(r.rule_name)) for r in rows] + [8]), 20)
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
        cells: list[Text | str] = [row.order_id, row.country or "-"]
        if not narrow:
            cells.append(str(row.items))
        label = rule_label(row.rule_name)
        default = row.rule_name == svc.DEFAULT_RULE
        cells.append(Text(fit(label, rule_w), style="dim" if default else "bold"))
        summary = svc.describe(row.decision, default_label_format=label_format)
        style = "bold" if row.decision.hold or row.decision.skip else ""
        cells.append(Text(fit(summary, decision_w), style=style))
        table.add_row(*cells)


def preview_counts(rules: list[Rule], rows: list[svc.PreviewRow]) -> str:
    """'Prime next day 3 · default 11': how many previewed orders each rule takes."""
    counts = svc.preview_counts(rows)
    order = [r.name for r in rules if r.name in counts] + (
        [svc.DEFAULT_RULE] if svc.DEFAULT_RULE in counts else []
    )
    return " · ".join(f"{rule_label(name)} {counts[name]}" for name in order)
