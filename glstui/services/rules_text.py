"""Shipping rules in words: one line per decision, and a rule's conditions and actions.

What the order list, the preview and the rule list show, in the operator's language.
"""

from __future__ import annotations

from typing import Any

from glstui.domain.rules import EXPRESS_LABELS, Decision, Rule
from glstui.i18n import _
from glstui.i18n_numbers import decimal


def describe(decision: Decision | dict[str, Any], default_label_format: str | None = None) -> str:
    """One line for the operator: 'EuroBusinessParcel · 2 × 3.5 kg · express 12:00 · zpl'.

    The label format is left out when it is `default_label_format` (the settings' one).
    """
    d = decision if isinstance(decision, Decision) else Decision.from_dict(decision)
    if d.skip:
        return _("skip: not imported")
    parts = [d.product]
    weight = f"{decimal(d.weight_kg)} kg"
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


def _range_text(low: float | int | None, high: float | int | None, unit: str = "") -> str:
    def f(v: float | int) -> str:
        return f"{decimal(v)}{unit}"

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
        parts.append(_("{kg} kg per parcel").format(kg=decimal(a.weight_kg)))
    if a.label_format:
        parts.append(a.label_format)
    return " · ".join(parts) if parts else _("default")
