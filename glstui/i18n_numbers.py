"""Numbers as the operator's language writes them: 0.45 in English, 0,45 in Dutch.

Used where a decimal number stands in running text or a table cell (a weight in a rule's
decision, hours in the statistics); input fields accept both a comma and a point.
"""

from __future__ import annotations

from glstui.i18n import get_language


def decimal(value: float, spec: str = "g") -> str:
    """`value` formatted with `spec` ("g", ".1f", ...), with a decimal comma in Dutch."""
    text = format(value, spec)
    return text.replace(".", ",") if get_language() == "nl" else text
