"""Shipping rules and SKU weights as use cases: load, save, preview, re-apply, import a CSV.

The rules themselves are pure (glstui.domain.rules); this module keeps them with the data:
- a shop's rules live in Integration.rules (plain dicts), switched on by
  Integration.rules_enabled ("Activeer Verzendregels");
- the SKU weight table lives in Settings.sku_weights (one table for the warehouse; the
  default weight per item is Settings.default_weight_kg);
- `apply_rules` is what the importer calls for every order still waiting for a label, inside
  its page write; `reapply` does the same for a shop's waiting orders in ONE write after the
  rules changed; an order whose label is being made (label_pending_at) is left alone;
- a hold a rule made is released when the rules no longer hold the order; a hold made
  elsewhere (an address that cannot be split, a cancellation) is never released here.
Every change is one `with store.write()`; messages are translated here (glstui.i18n).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glstui.amazon.regions import MARKETPLACES
from glstui.domain.errors import GlstuiError, ValidationError
from glstui.domain.integration import Integration
from glstui.domain.order import HELD, NEW, Order
from glstui.domain.rules import (
    EXPRESS_LABELS,
    Decision,
    Rule,
    RuleError,
    evaluate,
    normalise_rule,
    rule_errors,
    rule_warnings,
    validate_rules,
)
from glstui.domain.sku_weights import CsvProblem, parse_csv
from glstui.i18n import N_, _
from glstui.services import order_kinds
from glstui.services.integrations import IntegrationNotFound

log = logging.getLogger("glstui.services.rules")

DEFAULT_RULE = "default"  # what the preview shows when no rule matched
PREVIEW_ORDERS = 50
CSV_MAX_BYTES = 5 * 1024 * 1024
SKIPPED_BEFORE = (
    "Shipping rule '{rule}' skips orders like this one, but it was imported before: "
    "delete it or change the rule."
)


# --- messages ------------------------------------------------------------------------------


def message(err: ValidationError) -> str:
    """The operator's words, in the current language, for a rule or CSV error."""
    return err.user_message


def problem_text(problem: CsvProblem) -> str:
    text = _(problem.template).format(**dict(problem.params))
    if not problem.line:
        return text
    return _("line {n}: {problem}").format(n=problem.line, problem=text)


def marketplace_codes() -> dict[str, str]:
    """Two-letter marketplace codes a rule may use (NL, DE, UK...) -> Amazon marketplace id."""
    return {code: m.id for code, m in MARKETPLACES.items()}


# --- rules of a shop -----------------------------------------------------------------------


def _integration(view: Any, integration_id: str) -> Integration:
    found = view.integrations.get(integration_id)
    if found is None:
        raise IntegrationNotFound(integration_id)
    return found


def parse_rules(raw: list[dict[str, Any]]) -> list[Rule]:
    """Stored dicts -> rules; a damaged one raises RuleError naming what is wrong."""
    return [Rule.from_dict(d) for d in raw]


def get_rules(store: Any, integration_id: str) -> tuple[bool, list[Rule]]:
    """(rules switched on?, the shop's rules in order)."""
    with store.read() as view:
        integration = _integration(view, integration_id)
    return integration.rules_enabled, parse_rules(integration.rules)


def check_rule(rule: Rule, other_names: list[str] | tuple[str, ...] = ()) -> list[RuleError]:
    """Every problem of one rule (for the editor), including marketplace codes we know."""
    errors = list(rule_errors(rule))
    name = " ".join((rule.name or "").split())
    if name and name.casefold() in {n.strip().casefold() for n in other_names}:
        errors.insert(0, RuleError("name", "name_taken", rule=name, name=name))
    codes = marketplace_codes()
    for value in rule.conditions.marketplaces:
        upper = value.strip().upper()
        if len(upper) == 2 and upper not in codes:
            errors.append(RuleError("conditions.marketplaces", "bad_marketplace", value=value))
    return errors


def validate(rules: list[Rule]) -> list[Rule]:
    """Check and normalise a whole list; raises the first RuleError."""
    validate_rules(rules)
    names: list[str] = []
    for rule in rules:
        errors = check_rule(rule, names)
        if errors:
            raise errors[0].in_rule(rule.name)
        names.append(rule.name.strip())
    return [normalise_rule(rule) for rule in rules]


def save_rules(
    store: Any, integration_id: str, rules: list[Rule], enabled: bool | None = None
) -> list[Rule]:
    """Validate and store the shop's rules (and, when given, the 'activate' switch)."""
    clean = validate(rules)
    with store.write() as tx:
        integration = _integration(tx, integration_id)
        integration.rules = [r.to_dict() for r in clean]
        if enabled is not None:
            integration.rules_enabled = enabled
        tx.integrations.put(integration)
    log.info("saved %d shipping rules for shop %s", len(clean), integration_id)
    return clean


def set_rules_enabled(store: Any, integration_id: str, enabled: bool) -> None:
    with store.write() as tx:
        integration = _integration(tx, integration_id)
        integration.rules_enabled = enabled
        tx.integrations.put(integration)


def warnings(rules: list[Rule]) -> list[str]:
    """Translated warnings about rules that can never apply."""
    return [
        _("Rule '{rule}' never applies: '{earlier}' before it matches every order.").format(
            rule=name, earlier=earlier
        )
        for name, earlier in rule_warnings(rules)
    ]


# --- SKU weights -------------------------------------------------------------------------


def load_weights(store: Any) -> tuple[dict[str, float], float]:
    """(SKU -> kg per item, default kg per item for SKUs not in the table)."""
    with store.read() as view:
        settings = view.settings.get()
    return dict(settings.sku_weights), settings.default_weight_kg


def save_weights(store: Any, weights: dict[str, float]) -> None:
    with store.write() as tx:
        settings = tx.settings.get()
        settings.sku_weights = dict(sorted(weights.items()))
        tx.settings.put(settings)


def set_weight(store: Any, sku: str, weight: float | None) -> None:
    """Set (or with None remove) one SKU's weight."""
    with store.write() as tx:
        settings = tx.settings.get()
        table = dict(settings.sku_weights)
        if weight is None:
            table.pop(sku, None)
        else:
            table[sku] = weight
        settings.sku_weights = dict(sorted(table.items()))
        tx.settings.put(settings)


@dataclass
class CsvImport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[CsvProblem]:
        return [p for p in self.problems if not p.warning]

    @property
    def stored(self) -> int:
        return self.added + self.changed + self.unchanged


class CsvFileError(GlstuiError):
    """The CSV file cannot be read; `user_message` says why (translated when read)."""


def read_csv_file(path: str | Path) -> str:
    p = Path(str(path).strip()).expanduser()
    if not str(path).strip():
        raise CsvFileError(N_("Type the path of the CSV file first."))
    if not p.is_file():
        raise CsvFileError(N_("No file at {path}: check the path."), path=p)
    if p.stat().st_size > CSV_MAX_BYTES:
        raise CsvFileError(N_("The file is larger than 5 MB: is it the right file?"))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise CsvFileError(
            N_("Cannot read {path}: {reason}."), path=p, reason=exc.strerror or exc
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's own save on Windows


def import_weights_csv(store: Any, text: str, *, replace: bool = False) -> CsvImport:
    """Merge (or with replace=True: replace) the table with a CSV's good rows, in one write."""
    parsed, problems = parse_csv(text)
    result = CsvImport(problems=problems)
    if not parsed:
        return result
    with store.write() as tx:
        settings = tx.settings.get()
        table = {} if replace else dict(settings.sku_weights)
        for sku, weight in parsed.items():
            if sku not in table:
                result.added += 1
            elif table[sku] != weight:
                result.changed += 1
            else:
                result.unchanged += 1
            table[sku] = weight
        settings.sku_weights = dict(sorted(table.items()))
        tx.settings.put(settings)
    return result


# --- evaluating ----------------------------------------------------------------------------


@dataclass
class RuleInputs:
    """What evaluating needs besides the rules: read once per page / preview / re-apply."""

    weights: dict[str, float] = field(default_factory=dict)
    default_weight: float = 1.0
    label_format: str = "pdf"

    @classmethod
    def from_view(cls, view: Any) -> RuleInputs:
        """From a store read view or write transaction (`view.settings.get()`)."""
        settings = view.settings.get()
        return cls(dict(settings.sku_weights), settings.default_weight_kg, settings.label_format)


def decide(rules: list[Rule] | list[dict[str, Any]], order: Order, inputs: RuleInputs) -> Decision:
    return evaluate(
        rules,
        order,
        inputs.weights,
        inputs.default_weight,
        label_format=inputs.label_format,
        marketplace_codes=marketplace_codes(),
        translate=_,
    )


def apply_rules(
    integration: Integration,
    order: Order,
    weights: dict[str, float],
    default_weight: float,
    *,
    label_format: str = "pdf",
) -> Decision:
    """Decide for `order` and write the decision into it (the importer's hook).

    Uses the shop's rules when 'Activate shipping rules' is on, else the default decision.
    Only an order still waiting for a label (new / held) is changed: decision, rule_name, and
    state / hold_reason when a rule holds it (or no longer holds it). A new order whose
    decision has `skip` must not be stored: the importer checks `decision.skip`. An order
    already stored that a rule now skips is held, with a reason that says so.
    """
    rules = _usable_rules(integration)
    decision = decide(rules, order, RuleInputs(weights, default_weight, label_format))
    if order.state not in (NEW, HELD):
        return decision
    previous = order.decision or {}
    held_by_rule = (
        order.state == HELD
        and bool(previous.get("hold"))
        and order.hold_reason == previous.get("hold_reason", "")
    )
    held_elsewhere = order.state == HELD and not held_by_rule
    order.decision = decision.to_dict()
    order.rule_name = decision.rule_name
    if decision.skip:
        order.decision["hold"] = True
        order.decision["hold_reason"] = _(SKIPPED_BEFORE).format(rule=decision.rule_name)
    if order.decision["hold"]:
        order.state = HELD
        if not held_elsewhere:
            order.hold_reason = order.decision["hold_reason"]
    elif held_by_rule:
        order.state = NEW
        order.hold_reason = ""
    return decision


def _usable_rules(integration: Integration) -> list[Rule]:
    if not integration.rules_enabled or not integration.rules:
        return []
    try:
        return parse_rules(integration.rules)
    except RuleError:
        # A damaged rule list must not decide anything silently: no rules, and say so.
        log.error("shipping rules of shop %s are damaged; default decision used", integration.id)
        return []


def describe(decision: Decision | dict[str, Any], default_label_format: str | None = None) -> str:
    """One line for the operator: 'EuroBusinessParcel · 2 × 3.5 kg · express 12:00 · zpl'.

    The label format is left out when it is `default_label_format` (the settings' one).
    """
    d = decision if isinstance(decision, Decision) else Decision.from_dict(decision)
    if d.skip:
        return _("skip: not imported")
    parts = [d.product]
    weight = f"{d.weight_kg:g} kg"
    parts.append(f"{d.parcels} × {weight}" if d.parcels > 1 else weight)
    services = d.services or {}
    if services.get("expressService"):
        time = EXPRESS_LABELS.get(services["expressService"], services["expressService"])
        parts.append(_("express {time}").format(time=time))
    if services.get("saturdayService"):
        parts.append(_("Saturday"))
    if services.get("shopDeliveryService"):
        shop = services.get("shopDeliveryParcelShopId")
        parts.append(f"ParcelShop {shop}" if shop else "ParcelShop")
    if services.get("addresseeOnlyService"):
        parts.append(_("addressee only"))
    if d.label_format != default_label_format:
        parts.append(d.label_format)
    text = " · ".join(parts)
    if d.hold:
        return _("HOLD: {reason}").format(reason=d.hold_reason) + " · " + text
    return text


@dataclass
class PreviewRow:
    order_id: str
    rule_name: str  # DEFAULT_RULE when none matched
    summary: str
    decision: Decision
    country: str = ""
    items: int = 0
    state: str = ""


def _recent(orders: list[Order], n: int) -> list[Order]:
    def key(o: Order) -> tuple[str, str, str]:
        return (
            o.imported_at.isoformat() if o.imported_at else "",
            o.created_at.isoformat() if o.created_at else "",
            o.order_id,
        )

    return sorted(orders, key=key, reverse=True)[:n]


def preview(
    store: Any,
    integration_id: str,
    n: int = PREVIEW_ORDERS,
    rules: list[Rule] | None = None,
) -> list[PreviewRow]:
    """The shop's last `n` imported orders (newest first) and what `rules` decide for each.

    `rules` defaults to the stored ones; the editor passes its unsaved list. The rules are
    evaluated even while the shop's rules are switched off, to try them before activating.
    """
    with store.read() as view:
        integration = _integration(view, integration_id)
        orders = _recent(view.orders.by_integration(integration_id), n)
        inputs = RuleInputs.from_view(view)
    if rules is None:
        rules = parse_rules(integration.rules)
    rows = []
    for order in orders:
        decision = decide(rules, order, inputs)
        rows.append(
            PreviewRow(
                order_id=order.order_id,
                rule_name=decision.rule_name or DEFAULT_RULE,
                summary=describe(decision),
                decision=decision,
                country=order.country_code,
                items=order.item_count,
                state=order.state,
            )
        )
    return rows


def preview_counts(rows: list[PreviewRow]) -> Counter[str]:
    return Counter(row.rule_name for row in rows)


@dataclass
class Reapplied:
    checked: int = 0
    changed: int = 0
    held: int = 0
    released: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)


def _decide(integration: Integration, order: Order, inputs: RuleInputs) -> None:
    apply_rules(
        integration, order, inputs.weights, inputs.default_weight, label_format=inputs.label_format
    )


def reapply(store: Any, integration_id: str) -> Reapplied:
    """Decide again for the shop's orders not yet labelled (new / held), in one write."""
    result = Reapplied()
    with store.write() as tx:
        integration = _integration(tx, integration_id)
        inputs = RuleInputs.from_view(tx)
        changed: list[Order] = []
        for order in tx.orders.by_integration(integration_id):
            if order.state not in (NEW, HELD) or order.label_pending_at is not None:
                continue
            result.checked += 1
            before = (order.state, order.hold_reason, order.rule_name, dict(order.decision))
            decision = apply_rules(
                integration,
                order,
                inputs.weights,
                inputs.default_weight,
                label_format=inputs.label_format,
            )
            # the order's kind (not for GLS, GLS ParcelShop delivery) outlives any rule change
            order_kinds.apply(order, lambda o: _decide(integration, o, inputs))
            result.by_rule[decision.rule_name or DEFAULT_RULE] += 1
            after = (order.state, order.hold_reason, order.rule_name, order.decision)
            if after != before:
                changed.append(order)
                if order.state == HELD and before[0] != HELD:
                    result.held += 1
                if order.state == NEW and before[0] == HELD:
                    result.released += 1
        if changed:
            tx.orders.put_many(changed)
        result.changed = len(changed)
    log.info(
        "re-applied shipping rules to shop %s: %d checked, %d changed",
        integration_id,
        result.checked,
        result.changed,
    )
    return result


# --- words for the rule list -----------------------------------------------------------------


def _range_text(low: float | int | None, high: float | int | None, unit: str = "") -> str:
    def f(v: float | int) -> str:
        return f"{v:g}{unit}"

    if low is not None and high is not None:
        return f"{f(low)}–{f(high)}"
    if low is not None:
        return f"≥{f(low)}"
    return f"≤{f(high)}" if high is not None else ""


def summarize_conditions(rule: Rule) -> str:
    """'NL, BE · postcode 10, 8881-8899 · Prime · 2–5 items' ('every order' when empty)."""
    c = rule.conditions
    parts: list[str] = []
    if c.countries:
        parts.append(", ".join(c.countries))
    if c.postcodes:
        parts.append(_("postcode {list}").format(list=", ".join(c.postcodes)))
    if c.marketplaces:
        parts.append(_("market {list}").format(list=", ".join(c.marketplaces)))
    if c.skus:
        key = "all SKUs {list}" if c.sku_match == "all" else "SKU {list}"
        parts.append(_(key).format(list=", ".join(c.skus)))
    if c.items_min is not None or c.items_max is not None:
        parts.append(_("{range} items").format(range=_range_text(c.items_min, c.items_max)))
    if c.total_min is not None or c.total_max is not None:
        parts.append(_("total {range}").format(range=_range_text(c.total_min, c.total_max)))
    if c.service_levels:
        parts.append(", ".join(c.service_levels))
    if c.prime is not None:
        parts.append(_("Prime") if c.prime else _("not Prime"))
    if c.business is not None:
        parts.append(_("business") if c.business else _("not business"))
    if c.weight_min is not None or c.weight_max is not None:
        parts.append(_range_text(c.weight_min, c.weight_max, " kg"))
    return " · ".join(parts) if parts else _("every order")


def summarize_actions(rule: Rule) -> str:
    """'ExpressParcel 12:00 · 2 parcels · zpl' / 'HOLD: reason' / 'skip'."""
    a = rule.actions
    if a.skip:
        return _("skip: do not import")
    parts: list[str] = []
    if a.hold:
        parts.append(_("HOLD") + (f": {a.hold_reason}" if a.hold_reason else ""))
    if a.product != "auto":
        parts.append(a.product)
    if a.express:
        parts.append(_("express {time}").format(time=EXPRESS_LABELS.get(a.express, a.express)))
    if a.saturday:
        parts.append(_("Saturday"))
    if a.parcelshop:
        parts.append(f"ParcelShop {a.parcelshop_id}".strip())
    if a.addressee_only:
        parts.append(_("addressee only"))
    if a.parcels != 1:
        parts.append(_("{n} parcels").format(n=a.parcels))
    if a.weight_kg is not None:
        parts.append(_("{kg} kg per parcel").format(kg=f"{a.weight_kg:g}"))
    if a.label_format:
        parts.append(a.label_format)
    return " · ".join(parts) if parts else _("default")
