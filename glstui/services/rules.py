"""Shipping rules as use cases: load, check, save, apply to an order, preview, re-apply.

The rules themselves are pure (glstui.domain.rules); this module keeps them with the data:
- a shop's rules live in Integration.rules (plain dicts), switched on by
  Integration.rules_enabled ("Activeer Verzendregels");
- the SKU weight table (services/sku_weights.py) and the rule summaries
  (services/rules_text.py) have modules of their own; this module re-exports them, so the
  screens keep one `svc` for the rules;
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
from typing import Any

from glstui.amazon.regions import MARKETPLACES
from glstui.domain.errors import ValidationError
from glstui.domain.integration import Integration
from glstui.domain.order import HELD, NEW, Order
from glstui.domain.rules import (
    Decision,
    Rule,
    RuleError,
    evaluate,
    normalise_rule,
    rule_errors,
    rule_warnings,
    validate_rules,
)
from glstui.i18n import _
from glstui.services import order_kinds
from glstui.services.integrations import IntegrationNotFound
from glstui.services.rules_text import describe, summarize_actions, summarize_conditions
from glstui.services.sku_weights import (
    CSV_MAX_BYTES,
    CsvFileError,
    CsvImport,
    import_weights_csv,
    load_weights,
    problem_text,
    read_csv_file,
    save_weights,
    set_weight,
)
from glstui.store import ReadView, Store, WriteTx

log = logging.getLogger("glstui.services.rules")

# The rule screens and tests use these through this module (svc.load_weights, svc.describe).
__all__ = [
    "CSV_MAX_BYTES",
    "DEFAULT_RULE",
    "PREVIEW_ORDERS",
    "SKIPPED_BEFORE",
    "CsvFileError",
    "CsvImport",
    "IntegrationNotFound",
    "PreviewRow",
    "Reapplied",
    "RuleInputs",
    "apply_rules",
    "check_rule",
    "decide",
    "describe",
    "get_rules",
    "import_weights_csv",
    "load_weights",
    "marketplace_codes",
    "message",
    "parse_rules",
    "preview",
    "preview_counts",
    "problem_text",
    "read_csv_file",
    "reapply",
    "save_rules",
    "save_weights",
    "set_weight",
    "summarize_actions",
    "summarize_conditions",
    "validate",
    "warnings",
]

DEFAULT_RULE = "default"  # what the preview shows when no rule matched
PREVIEW_ORDERS = 50
SKIPPED_BEFORE = (
    "Shipping rule '{rule}' skips orders like this one, but it was imported before: "
    "delete it or change the rule."
)


# --- messages ------------------------------------------------------------------------------


def message(err: ValidationError) -> str:
    """The operator's words, in the current language, for a rule or CSV error."""
    return err.user_message


def marketplace_codes() -> dict[str, str]:
    """Two-letter marketplace codes a rule may use (NL, DE, UK...) -> Amazon marketplace id."""
    return {code: m.id for code, m in MARKETPLACES.items()}


# --- rules of a shop -----------------------------------------------------------------------


def _integration(view: ReadView | WriteTx, integration_id: str) -> Integration:
    found = view.integrations.get(integration_id)
    if found is None:
        raise IntegrationNotFound(integration_id)
    return found


def parse_rules(raw: list[dict[str, Any]]) -> list[Rule]:
    """Stored dicts -> rules; a damaged one raises RuleError naming what is wrong."""
    return [Rule.from_dict(d) for d in raw]


def get_rules(store: Store, integration_id: str) -> tuple[bool, list[Rule]]:
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
    store: Store, integration_id: str, rules: list[Rule], enabled: bool | None = None
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


def warnings(rules: list[Rule]) -> list[str]:
    """Translated warnings about rules that can never apply."""
    return [
        _("Rule '{rule}' never applies: '{earlier}' before it matches every order.").format(
            rule=name, earlier=earlier
        )
        for name, earlier in rule_warnings(rules)
    ]


# --- evaluating ----------------------------------------------------------------------------


@dataclass
class RuleInputs:
    """What evaluating needs besides the rules: read once per page / preview / re-apply."""

    weights: dict[str, float] = field(default_factory=dict)
    default_weight: float = 1.0
    label_format: str = "pdf"

    @classmethod
    def from_view(cls, view: ReadView | WriteTx) -> RuleInputs:
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
    store: Store,
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


def reapply(store: Store, integration_id: str) -> Reapplied:
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
