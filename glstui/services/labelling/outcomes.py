"""What a label run tells its caller: one outcome per order, the run's totals, the wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from glstui.domain.clock import to_iso
from glstui.domain.order import Order
from glstui.i18n import _
from glstui.services.events import LogLine, Progress, Reporter

if TYPE_CHECKING:
    from glstui.services.outbox import DeliveryResult

PROGRESS_SCOPE = "labels"
STALE_AFTER_S = 120.0  # an intent older than this (and no receipt) is reported by reconcile

# Outcome states
DONE = "labelled"
SKIP = "skipped"
HOLD = "held"
FAIL = "failed"
UNKNOWN = "unknown"  # a label may exist at GLS: the operator must look


@dataclass
class LabelOutcome:
    order_key: str
    order_id: str
    status: str
    message: str = ""
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    shipment_id: str = ""
    parcel_numbers: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    printed: bool = False
    queued_confirmations: int = 0


@dataclass
class LabelRun:
    outcomes: list[LabelOutcome] = field(default_factory=list)
    error: str = ""  # the run could not start or was stopped (GLS login refused, keys missing)
    delivery: DeliveryResult | None = None  # when confirmations ran after the labels

    def _count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def labelled(self) -> int:
        return self._count(DONE)

    @property
    def skipped(self) -> int:
        return self._count(SKIP)

    @property
    def held(self) -> int:
        return self._count(HOLD)

    @property
    def failed(self) -> int:
        return self._count(FAIL)

    @property
    def unknown(self) -> int:
        return self._count(UNKNOWN)

    def by_key(self) -> dict[str, LabelOutcome]:
        return {o.order_key: o for o in self.outcomes}


def pending_text(order: Order) -> str:
    """The warning for an order whose label request got no stored answer."""
    since = to_iso(order.label_pending_at) or ""
    return _(
        "Order {order}: a label with reference {order} may already exist at GLS (requested {since}, no answer stored). Check the GLS portal, then create it again with 'create anyway' or clear the warning."  # noqa: E501
    ).format(order=order.order_id, since=since)


def changed_meanwhile(order_id: str) -> str:
    return _("Order {order}: changed by someone else meanwhile; skipped.").format(order=order_id)


class Tally:
    """The run's outcomes in the order they are settled, each reported with the progress."""

    def __init__(self, run: LabelRun, report: Reporter, total: int) -> None:
        self.run = run
        self.report = report
        self.total = total
        self.done = 0

    def finish(self, outcome: LabelOutcome, level: str, text: str, shop: str = "") -> None:
        self.run.outcomes.append(outcome)
        outcome.message = outcome.message or text
        self.report(LogLine(text, level, shop))
        for name, messages in outcome.field_errors.items():
            self.report(LogLine(f"  {name}: {'; '.join(messages)}", level, shop))
        self.done += 1
        self.report(Progress(PROGRESS_SCOPE, self.done, self.total))
