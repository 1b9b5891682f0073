"""The rule editor's fields: which widget holds which part of a rule, built and read back.

The form is laid out one field per line (label, widgets, an error line below), so it works
at 80x24 without a mouse. Widget ids follow the rule's own field names ('conditions.countries'
is #conditions-countries), so a RuleError from the domain points straight at its widget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

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
from glstui.tui.widgets.toggles import TickBox

T = TypeVar("T")

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


def wid(field: str) -> str:
    """Widget id of a rule field ('conditions.countries' -> 'conditions-countries')."""
    return field.replace(".", "-")


def row(label: str, *widgets: Widget, field: str) -> ComposeResult:
    """One line of the form: the label, its widgets, and the field's error line below."""
    with Horizontal(classes="row"):
        yield Label(_(label), classes="lbl")
        yield from widgets
    yield Static("", classes="err", id=f"err-{wid(field)}")


def text_input(
    field: str, value: str, placeholder: str = "", short: bool = False, example: str = ""
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


def choice(
    field: str, options: list[tuple[str, str]], value: str, classes: str = ""
) -> Select[str]:
    return Select(
        options, value=value, allow_blank=False, compact=True, id=wid(field), classes=classes
    )


def compose_conditions(c: Conditions) -> ComposeResult:
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
        yield from row(label, text_input(field, values[field], example=placeholder), field=field)
    sku_match = c.sku_match if c.sku_match in (SKU_MATCH_ANY, SKU_MATCH_ALL) else SKU_MATCH_ANY
    yield from row(
        N_("SKU patterns"),
        text_input("conditions.skus", format_list(c.skus), example="MUG-*, BOOK-?"),
        choice(
            "conditions.sku_match",
            [(_("any item"), SKU_MATCH_ANY), (_("all items"), SKU_MATCH_ALL)],
            sku_match,
            classes="narrow",
        ),
        field="conditions.skus",
    )
    yield from row(
        N_("Amazon speed"),
        text_input(
            "conditions.service_levels",
            format_list(c.service_levels),
            example="NextDay, SecondDay",
        ),
        field="conditions.service_levels",
    )
    for low, high, label in RANGES:
        yield from row(
            label,
            text_input(low, format_number(getattr(c, low.split(".")[1])), _("min"), short=True),
            Label("–", classes="dash"),
            text_input(high, format_number(getattr(c, high.split(".")[1])), _("max"), short=True),
            field=low,
        )
    for name, label in (("prime", N_("Prime")), ("business", N_("Business order"))):
        value = getattr(c, name)
        yield from row(
            label,
            choice(
                f"conditions.{name}",
                [(_(text), v) for text, v in YES_NO_ANY],
                "any" if value is None else ("yes" if value else "no"),
            ),
            field=f"conditions.{name}",
        )


def compose_actions(a: Actions) -> ComposeResult:
    yield Static(_("Actions"), classes="section")
    products = [(_("Automatic") if p == AUTO else p, p) for p in PRODUCTS]
    product = a.product if a.product in PRODUCTS else AUTO
    yield from row(
        N_("GLS product"),
        choice("actions.product", products, product),
        field="actions.product",
    )
    express = [(_("no express"), "")] + [
        (_("before {time}").format(time=EXPRESS_LABELS[t]) + f" ({t})", t) for t in EXPRESS_TIMES
    ]
    yield from row(
        N_("Express"),
        choice("actions.express", express, a.express if a.express in EXPRESS_TIMES else ""),
        field="actions.express",
    )
    yield from row(
        N_("Services"),
        TickBox(_("Saturday"), value=a.saturday, id=wid("actions.saturday")),
        TickBox(_("Addressee only"), value=a.addressee_only, id=wid("actions.addressee_only")),
        field="actions.saturday",
    )
    yield Static("", classes="err", id="err-actions-addressee_only")
    yield from row(
        N_("ParcelShop"),
        TickBox(_("deliver to"), value=a.parcelshop, id=wid("actions.parcelshop")),
        text_input("actions.parcelshop_id", a.parcelshop_id, _("ParcelShop id")),
        field="actions.parcelshop",
    )
    yield from row(
        N_("Parcels"),
        text_input("actions.parcels", str(a.parcels), "1", short=True),
        field="actions.parcels",
    )
    yield from row(
        N_("Weight per parcel"),
        text_input("actions.weight_kg", format_number(a.weight_kg), _("kg"), short=True),
        Label(_("empty = from the SKU weights"), classes="section-hint"),
        field="actions.weight_kg",
    )
    formats = [(_("as in the settings"), "")] + [(f, f) for f in LABEL_FORMATS]
    yield from row(
        N_("Label format"),
        choice(
            "actions.label_format",
            formats,
            a.label_format if a.label_format in LABEL_FORMATS else "",
        ),
        field="actions.label_format",
    )
    yield from row(
        N_("Hold"),
        TickBox(_("hold for a check"), value=a.hold, id=wid("actions.hold")),
        text_input("actions.hold_reason", a.hold_reason, _("reason")),
        field="actions.hold",
    )
    yield from row(
        N_("Skip"),
        TickBox(_("do not import"), value=a.skip, id=wid("actions.skip")),
        field="actions.skip",
    )


class FormReader:
    """Reads a rule back from the form's widgets, collecting the fields it cannot read."""

    def __init__(self, form: DOMNode) -> None:
        self.form = form
        self.errors: list[RuleError] = []

    def text(self, field: str) -> str:
        return self.form.query_one(f"#{wid(field)}", Input).value

    def select(self, field: str) -> str:
        return str(self.form.query_one(f"#{wid(field)}", Select).value)

    def tick(self, field: str) -> bool:
        return self.form.query_one(f"#{wid(field)}", TickBox).value

    def parse(self, field: str, parser: Callable[..., T], default: T, **kwargs: int) -> T:
        try:
            return parser(self.text(field), field, **kwargs)
        except RuleError as err:
            self.errors.append(err)
            return default

    def tri(self, field: str) -> bool | None:
        value = self.select(field)
        return None if value == "any" else value == "yes"

    def conditions(self) -> Conditions:
        p = self.parse
        return Conditions(
            countries=p("conditions.countries", parse_countries, []),
            postcodes=p("conditions.postcodes", parse_postcodes, []),
            marketplaces=p("conditions.marketplaces", parse_marketplaces, []),
            skus=p("conditions.skus", parse_skus, []),
            sku_match=self.select("conditions.sku_match"),
            items_min=p("conditions.items_min", parse_int, None),
            items_max=p("conditions.items_max", parse_int, None),
            total_min=p("conditions.total_min", parse_number, None),
            total_max=p("conditions.total_max", parse_number, None),
            service_levels=p("conditions.service_levels", parse_service_levels, []),
            prime=self.tri("conditions.prime"),
            business=self.tri("conditions.business"),
            weight_min=p("conditions.weight_min", parse_number, None),
            weight_max=p("conditions.weight_max", parse_number, None),
        )

    def actions(self) -> Actions:
        parcels: int | None = self.parse(
            "actions.parcels", parse_int, None, minimum=PARCELS_MIN, maximum=PARCELS_MAX
        )
        return Actions(
            product=self.select("actions.product"),
            express=self.select("actions.express"),
            saturday=self.tick("actions.saturday"),
            parcelshop=self.tick("actions.parcelshop"),
            parcelshop_id=self.text("actions.parcelshop_id").strip(),
            addressee_only=self.tick("actions.addressee_only"),
            parcels=1 if parcels is None else parcels,
            weight_kg=self.parse("actions.weight_kg", parse_weight, None),
            label_format=self.select("actions.label_format"),
            hold=self.tick("actions.hold"),
            hold_reason=self.text("actions.hold_reason").strip(),
            skip=self.tick("actions.skip"),
        )


def read_rule(form: DOMNode) -> tuple[Rule, list[RuleError]]:
    """The rule as typed, and the errors of fields that cannot even be read."""
    reader = FormReader(form)
    conditions = reader.conditions()
    actions = reader.actions()
    rule = Rule(
        name=" ".join(reader.text("name").split()),
        enabled=form.query_one("#enabled", TickBox).value,
        conditions=conditions,
        actions=actions,
    )
    return rule, reader.errors
