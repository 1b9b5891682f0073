"""The doctor's store check: does every record have the shape glstui reads, without decoding
a 50,000-order backlog.

Decoding every order (dates parsed, every nested object built) took 6-20 s at 50k open
orders. Doctor instead checks each stored order's shape: every field the right JSON type
(text, number, yes/no, list, object; a date is text), required fields present, each item and
the address an object of the right shape. That finds what a hand edit or a damaged file
leaves (a number where text belongs, a missing order id, a list that is not one) at the cost
of reading the files, and names the damaged record with its file like the full decode does.
What only a decode finds (a date that is text but no date) is checked by `doctor --full`,
which decodes every record as before. Shipments, outbox and shops are few (shipped orders
move to the archive) and are always decoded.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

from glstui.domain.errors import GlstuiError
from glstui.domain.order import Order
from glstui.i18n import _
from glstui.services.context import AppContext
from glstui.services.doctor import FAIL, PASS, Check, readable_by_others

_JSON_TYPES: dict[Any, type | tuple[type, ...]] = {
    str: str,
    int: int,
    float: (int, float),
    bool: bool,
    datetime: str,
}


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    required: bool
    optional: bool  # None allowed
    json_type: type | tuple[type, ...] | None  # None: any value
    nested: _Shape | None = None  # an object (or list of objects) of this shape

    @property
    def types(self) -> frozenset[type] | None:
        """The exact JSON types allowed (a set lookup: bool is not taken for an int)."""
        tp = self.json_type
        return None if tp is None else frozenset(tp if isinstance(tp, tuple) else (tp,))


@dataclasses.dataclass(frozen=True)
class _Shape:
    name: str
    fields: tuple[_Field, ...]
    # (field, its allowed types), computed once: the check runs 50,000 times
    plan: tuple[tuple[_Field, frozenset[type] | None], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", tuple((f, f.types) for f in self.fields))


def _shape(cls: type) -> _Shape:
    """The stored shape of dataclass `cls`, from its type hints (once per class)."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        optional = False
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = len(args) < len(typing.get_args(tp))
            tp = args[0] if len(args) == 1 else Any
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        origin = typing.get_origin(tp)
        nested: _Shape | None = None
        json_type: type | tuple[type, ...] | None
        if origin in (list, dict):
            json_type = origin
            inner = typing.get_args(tp)
            item = inner[0] if origin is list and inner else None
            if isinstance(item, type) and dataclasses.is_dataclass(item):
                nested = _shape(item)
        elif isinstance(tp, type) and dataclasses.is_dataclass(tp):
            json_type, nested = dict, _shape(tp)
        else:
            json_type = _JSON_TYPES.get(tp)
        out.append(_Field(f.name, required, optional, json_type, nested))
    return _Shape(cls.__name__, tuple(out))


_MISSING = object()


def shape_problem(doc: object, shape: _Shape) -> str:
    """What is wrong with the stored object `doc` ("" when it has `shape`)."""
    if type(doc) is not dict:
        return f"{shape.name} must be an object, not {type(doc).__name__}"
    for f, allowed in shape.plan:
        value = doc.get(f.name, _MISSING)
        if value is _MISSING or value is None:
            if f.required:
                return f"{shape.name}.{f.name} is {'missing' if value is _MISSING else 'empty'}"
            continue
        if allowed is None:
            continue
        if type(value) not in allowed:
            return f"{shape.name}.{f.name}: expected {_type_name(f)}, not {type(value).__name__}"
        if f.nested is not None:
            for part in value if type(value) is list else (value,):
                problem = shape_problem(part, f.nested)
                if problem:
                    return problem
    return ""


def _type_name(f: _Field) -> str:
    tp = f.json_type
    return (
        "/".join(t.__name__ for t in tp) if isinstance(tp, tuple) else getattr(tp, "__name__", "?")
    )


ORDER_SHAPE = _shape(Order)


def _check_order(doc: dict[str, Any]) -> None:
    problem = shape_problem(doc, ORDER_SHAPE)
    if problem:
        raise ValueError(problem)


def _message(exc: Exception) -> str:
    return exc.user_message if isinstance(exc, GlstuiError) else str(exc)


def check_store(ctx: AppContext, full: bool = False) -> list[Check]:
    """The store file opens and every record has its shape (`full`: decodes every record)."""
    path = Path(ctx.store.path)
    try:
        with ctx.store.read() as view:
            shops = len(view.integrations.all())
            read = view.orders.all if full else lambda: view.orders.map_docs(_check_order)
            orders = len(read())
            view.shipments.all()
            view.outbox.all()
            view.settings.get()
    except Exception as exc:  # StoreError and friends carry the operator's message
        return [Check(FAIL, _("The store file cannot be read"), _message(exc))]
    out = [
        Check(
            PASS,
            _("Store file {path} opens ({shops} shops, {orders} current orders)").format(
                path=path, shops=shops, orders=orders
            ),
        )
    ]
    if path.exists():
        out += readable_by_others(
            _("Store file {path} can be read by other users (mode {mode:o})"),
            path,
            _("chmod 600 {path}"),
        )
    return out
