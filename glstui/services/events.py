"""What a running use case reports: the TUI renders these, the headless CLI prints them.

Services take a `report: Reporter` callback and call it with these small events; they never
know who listens. Keep the texts free of buyer personal data and secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

INFO = "info"
WARNING = "warning"
ERROR = "error"


@dataclass(frozen=True)
class LogLine:
    text: str
    level: str = INFO
    shop: str = ""


@dataclass(frozen=True)
class Progress:
    """`scope` is a shop id, or "" for the whole run; `total` None = not known yet."""

    scope: str
    done: int
    total: int | None = None


Event = LogLine | Progress
Reporter = Callable[[Event], None]


def ignore(event: Event) -> None:
    """A reporter for callers that want no progress."""
