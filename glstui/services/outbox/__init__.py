"""Deliver the tracking confirmations owed to Amazon (the outbox), never losing or doubling one.

How "never lost, never sent twice" holds:
- An outbox entry (one per parcel) is written in the SAME store write as the shipment, so a
  label that is stored always has its confirmation queued (services/labelling.py).
- The payload, including its `packageReferenceId` (a string, stable per parcel), is fixed when
  the entry is written. Sending the same payload again only *edits* that package at Amazon
  (confirmShipment semantics: same order + same packageReferenceId = update), it never adds a
  second package. So delivery is at-least-once and that is safe: if the process dies after
  Amazon answered 204 but before the result was stored, the next run sends the identical
  payload once more and Amazon still has one package.
- Results are stored as they arrive, in small writes of their own: a committer task writes
  what arrived since its last write, at most every COMMIT_INTERVAL_S (0.5 s real). At
  Amazon's real 2/s that is about one result per write; a crash loses at most the results of
  the last half second, which the next run re-sends as edits of the same packages (see
  above). (Writing every single result at once would cost ~60 ms per write with 1,000 orders
  stored, which only matters under the sandbox's compressed time; the bench measures it.)
- 429, 5xx, 401/403 and network errors: attempts + 1 and `next_attempt_at` moves out with
  exponential backoff; the entry stays pending. 400/404 (Amazon says the confirmation itself is
  wrong): the entry becomes failed with Amazon's message and waits for the operator, who can
  `retry` it or `mark_done` it (shipped by hand). A revoked grant leaves the entries pending and
  marks the shop needs_reauth.
- Entries queued while a shop's "update tracking" switch was on are delivered even if the
  switch is turned off later: the decision is taken when the label is made.
- A 2xx other than 204 (an answer glstui cannot read) is no refusal: Amazon may have the
  package. The entry stays pending and is sent again later, which at worst edits that package.
- The request pace is each seller's own confirmShipment bucket (2/s, burst 10). The outbox
  takes turns between sellers: every seller gets a lane of its own workers, so one shop with
  500 labels never keeps another shop's confirmations waiting behind its bucket.
- Right before a request goes out (after the bucket wait, which can take minutes) the entry
  is read again under the store lock: an entry whose label was deleted meanwhile (by another
  process or screen) is dropped, one that a delete in progress holds back, or another process
  sent, is left alone. Amazon is never told a tracking number whose label is gone.

- Tracking of GLS test labels is held back from a live Amazon shop (guard.py); what is sent
  is read back from Amazon and shown "verified at Amazon" only when Amazon lists it (verify.py).

`deliver` runs right after labelling, on every start and from `glstui push` (glstui.cli.push,
which prints). The queue is in `queue`, the run in `deliver`, its results in `outcomes`.
"""

from glstui.services.outbox.deliver import (
    COMMIT_INTERVAL_S,
    PROGRESS_SCOPE,
    WORKERS,
    amazon_is_live,
    deliver,
    deliver_pending,
)
from glstui.services.outbox.guard import allow_test_tracking
from glstui.services.outbox.queue import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    DeliveryResult,
    OutboxEntryNotFound,
    OutboxStateError,
    TrackingSummary,
    backoff_seconds,
    mark_done,
    next_due,
    order_tracking,
    retry,
    retry_order,
    tracking_by_order,
)
from glstui.services.outbox.verify import verify_text

__all__ = [
    "BACKOFF_BASE_S",
    "BACKOFF_CAP_S",
    "COMMIT_INTERVAL_S",
    "PROGRESS_SCOPE",
    "WORKERS",
    "DeliveryResult",
    "OutboxEntryNotFound",
    "OutboxStateError",
    "TrackingSummary",
    "allow_test_tracking",
    "amazon_is_live",
    "backoff_seconds",
    "deliver",
    "deliver_pending",
    "mark_done",
    "next_due",
    "order_tracking",
    "retry",
    "retry_order",
    "tracking_by_order",
    "verify_text",
]
