"""Turn the domain dataclasses into plain JSON-able dicts and back.

Datetimes become UTC ISO strings with a trailing Z; nested dataclasses and lists of them
are followed; keys the class does not know are ignored so older code can read newer files.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Any, TypeVar

from glstui.domain.clock import from_iso, to_iso

T = TypeVar("T")


def to_dict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, datetime):
        return to_iso(obj)
    if isinstance(obj, list | tuple):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


_HINTS: dict[type, dict[str, Any]] = {}  # per class: get_type_hints is slow, classes are few


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], value) if len(args) == 1 else value
    if tp is datetime:
        if isinstance(value, datetime):
            return value
        if not isinstance(value, str):
            raise TypeError(f"expected a date and time, not {type(value).__name__}")
        return from_iso(value)
    if origin in (list, dict) and not isinstance(value, origin):
        raise TypeError(f"expected {origin.__name__}, not {type(value).__name__}")
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return [_convert(item, v) for v in value]
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise TypeError(f"{tp.__name__} must be an object, not {type(value).__name__}")
        return from_dict(tp, value)
    if tp in _SCALARS and not isinstance(value, _SCALARS[tp]):
        raise TypeError(f"expected {tp.__name__}, not {type(value).__name__}")
    return value


# A hand-edited file must not slip a number into a text field (or the reverse) unnoticed.
_SCALARS: dict[Any, type | tuple[type, ...]] = {
    str: str,
    int: int,
    float: (int, float),
    bool: bool,
}


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    hints = _hints(cls)
    kwargs = {
        f.name: _convert(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in data and f.init
    }
    return cls(**kwargs)
