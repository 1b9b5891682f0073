"""GLS test labels are no parcels: their tracking numbers never reach a live Amazon account.

Settings default to GLS's test environment, so a new station makes test labels until the
operator switches GLS to live. Confirming such a number to a real shop tells a real buyer about
a parcel that does not exist (and Amazon counts it against the shop's valid-tracking rate).

Decisions:
- Each label records the GLS environment that made it (Shipment.gls_environment). An entry
  of a "test" label is held (OutboxEntry.held_reason; it stays pending and is looked at again
  at every run) when the Amazon side is live: production endpoints. The sandbox and `--demo`
  are not live, so test labels flow there as before.
- A label whose environment was not recorded (made before glstui recorded it) is not held:
  nothing says it is a test label.
- The override is per shop (Settings.test_tracking_to_live, shop ids), for a test run on a
  real shop; `allow_test_tracking` sets or clears it and sends the held entries at the next run.
"""

from __future__ import annotations

from glstui.domain.clock import Clock
from glstui.domain.integration import Integration
from glstui.domain.shipment import GLS_TEST, PENDING, OutboxEntry
from glstui.i18n import _
from glstui.services import audit
from glstui.services.events import WARNING, LogLine, Reporter
from glstui.store import Store, WriteTx


def held_text() -> str:
    return _(
        "held: a GLS test label (no real parcel) is not confirmed to a live Amazon shop. "
        "Switch GLS to live under Keys and make the label again, or allow test tracking "
        "for this shop."
    )


def hold_test_tracking(
    store: Store,
    due: list[OutboxEntry],
    integrations: dict[str, Integration],
    amazon_live: bool,
    report: Reporter,
) -> list[OutboxEntry]:
    """Hold the due entries of GLS test labels bound for a live Amazon account (one write);
    returns the entries that may be sent. An entry held earlier that may go now is released."""
    free: list[OutboxEntry] = []
    held: dict[str, int] = {}
    with store.write() as tx:
        allowed = set(tx.settings.get().test_tracking_to_live)
        for entry in due:
            reason = _reason(tx, entry, amazon_live, allowed)
            if reason != entry.held_reason:
                entry.held_reason = reason
                tx.outbox.put(entry)
            if reason:
                held[entry.integration_id] = held.get(entry.integration_id, 0) + 1
            else:
                free.append(entry)
    for integration_id, n in sorted(held.items()):
        integration = integrations.get(integration_id)
        shop = integration.shop_name if integration else integration_id
        text = _(
            "Shop {shop}: {n} tracking code(s) of GLS test labels held back: a live Amazon "
            "shop gets no test parcel numbers. Switch GLS to live under Keys and make the "
            "labels again, or allow test tracking for this shop."
        )
        report(LogLine(text.format(shop=shop, n=n), WARNING, shop))
    return free


def _reason(tx: WriteTx, entry: OutboxEntry, amazon_live: bool, allowed: set[str]) -> str:
    if not amazon_live or entry.integration_id in allowed:
        return ""
    shipment = tx.shipments.get(entry.shipment_id)
    if shipment is None or shipment.gls_environment != GLS_TEST:
        return ""
    return held_text()


def is_held(entry: OutboxEntry) -> bool:
    return entry.state == PENDING and bool(entry.held_reason)


def allow_test_tracking(store: Store, integration_id: str, allowed: bool, clock: Clock) -> int:
    """Let (or stop letting) a shop confirm tracking of GLS test labels to a live Amazon
    account; returns how many held confirmations go out at the next delivery."""
    released = 0
    with store.write() as tx:
        settings = tx.settings.get()
        shops = [s for s in settings.test_tracking_to_live if s != integration_id]
        if allowed:
            shops.append(integration_id)
        settings.test_tracking_to_live = shops
        tx.settings.put(settings)
        if allowed:
            for entry in tx.outbox.by_integration(integration_id):
                if is_held(entry):
                    entry.held_reason = ""
                    entry.next_attempt_at = clock.now()
                    tx.outbox.put(entry)
                    released += 1
        audit.record(
            tx,
            audit.INTEGRATION_EDITED,
            f"test tracking to live Amazon: {'allowed' if allowed else 'refused'}",
            target=integration_id,
            clock=clock,
        )
    return released
