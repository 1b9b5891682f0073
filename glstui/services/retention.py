"""Purge buyer personal data a set time after an order is done (Amazon's Data Protection Policy).

Amazon allows keeping a buyer's address at most 30 days after delivery, only as long as the
order needs it. So, `settings.pii_retention_days` (at most 30) after an order is done:

- removed from the order's recipient: name, company, address lines, city, phone, e-mail and
  the full postcode (only its first two characters are kept: a region, not an address);
- kept, so statistics and search keep working: order id, items and SKUs, tracking numbers,
  country, state/province, address type and every date; `pii_purged_at` says when;
- the label files (PDF/ZPL: they print the address) of the order are deleted from the label
  directory and the shipment's `label_path` is cleared, so nobody reprints a purged label.

"Done" means: shipped (the date Amazon got the tracking code, `shipped_at`); labelled in a
shop whose tracking update is off (the label date: Amazon is never told); cancelled (the
last change). Orders still waiting for a label keep their address, however old.

Hot orders are checked on their stored form (decoding 10k orders would take seconds) and
only the few due are rewritten, in one store write. Archived orders (shipped more than a
month ago, so all due) are purged month by month; a month whose archive file has not
changed since it was last purged is skipped without reading it (signatures in
<data dir>/cache/purged-months.json). Purging is idempotent. It also prunes audit entries
older than audit.KEEP_DAYS and records a data.purged audit entry when it removed anything.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from glstui.domain.clock import Clock, to_iso
from glstui.domain.order import CANCELLED, LABELLED, SHIPPED, Recipient, order_key
from glstui.domain.serial import from_dict, to_dict
from glstui.domain.settings import Settings
from glstui.files import atomic_write
from glstui.i18n import _
from glstui.services import audit
from glstui.services.stats import CACHE_DIR, docs
from glstui.services.stats_cache import archive_signature  # the one
from glstui.store import Store
from glstui.store.store import ArchiveTx, WriteTx

log = logging.getLogger("glstui.retention")

MAX_RETENTION_DAYS = 30
POSTCODE_KEEP = 2
PURGED_MONTHS_FILE = "purged-months.json"

Part = WriteTx | ArchiveTx  # the hot tables or one archive month, inside a write


@dataclass
class PurgeResult:
    hot: int = 0  # hot orders purged now
    archived: int = 0  # archived orders purged now
    label_files: int = 0  # label files deleted
    months_checked: int = 0  # archive months read (the others had not changed)
    days: int = MAX_RETENTION_DAYS

    @property
    def orders(self) -> int:
        return self.hot + self.archived


def retention_days(days: int | None, settings: Settings | None = None) -> int:
    """The retention period to use: `days`, else the setting; never more than 30, never < 0."""
    if days is None:
        days = getattr(settings, "pii_retention_days", MAX_RETENTION_DAYS)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = MAX_RETENTION_DAYS
    return max(0, min(MAX_RETENTION_DAYS, days))


def postcode_prefix(code: str) -> str:
    compact = "".join(ch for ch in (code or "") if ch.isalnum()).upper()
    return compact[:POSTCODE_KEEP]


def purge_recipient(recipient: Recipient | None) -> Recipient | None:
    """A copy of `recipient` with only the coarse, non-personal parts left."""
    if recipient is None:
        return None
    return Recipient(
        country_code=recipient.country_code,
        state_or_region=recipient.state_or_region,
        postal_code=postcode_prefix(recipient.postal_code),
        address_type=recipient.address_type,
    )


def _has_pii(doc: dict[str, Any]) -> bool:
    recipient = doc.get("recipient")
    if not recipient:
        return False
    return (
        any(
            recipient.get(name)
            for name in ("name", "company", "address_lines", "city", "phone", "email")
        )
        or len(str(recipient.get("postal_code") or "")) > POSTCODE_KEEP
    )


def done_at(doc: dict[str, Any], label_times: dict[str, str]) -> str | None:
    """When the stored order `doc` stopped needing its address (ISO string), or None."""
    state = doc.get("state")
    if state == SHIPPED:
        return doc.get("shipped_at") or label_times.get(_key(doc))
    if state == LABELLED:
        return label_times.get(_key(doc)) if doc.get("_tracking_off") else None
    if state == CANCELLED:
        return doc.get("last_updated_at") or doc.get("imported_at")
    return None


def _key(doc: dict[str, Any]) -> str:
    return order_key(doc.get("integration_id", ""), doc.get("order_id", ""))


def _label_times(part: Part) -> dict[str, str]:
    """order key -> when its current (latest, not deleted) label was made."""
    out: dict[str, str] = {}
    for doc in docs(part.shipments):
        created = doc.get("created_at")
        if created and not doc.get("deleted_at"):
            key = doc.get("order_key", "")
            if created > out.get(key, ""):
                out[key] = created
    return out


def _due_keys(part: Part, cutoff_iso: str, tracking_off: set[str]) -> list[str]:
    label_times = _label_times(part)
    due = []
    for doc in docs(part.orders):
        if doc.get("pii_purged_at") or not _has_pii(doc):
            continue
        if doc.get("state") == LABELLED and doc.get("integration_id") in tracking_off:
            doc = {**doc, "_tracking_off": True}
        when = done_at(doc, label_times)
        if when and when < cutoff_iso:
            due.append(_key(doc))
    return due


def _delete_label_files(part: Part, keys: set[str], labels_dir: Path | None) -> int:
    """Delete the label files of these orders (only files inside `labels_dir`)."""
    if labels_dir is None or not keys:
        return 0
    from glstui.services.labelling import label_files

    root = Path(labels_dir).resolve()
    deleted = 0
    ids = [d.get("id", "") for d in docs(part.shipments) if d.get("order_key") in keys]
    for shipment_id in ids:
        shipment = part.shipments.get(shipment_id)
        if shipment is None or not shipment.label_path:
            continue
        for path in label_files(shipment):
            resolved = Path(path).resolve()
            if root not in resolved.parents:
                continue  # never touch a file outside the label directory
            with contextlib.suppress(FileNotFoundError):
                resolved.unlink()
                deleted += 1
        shipment.label_path = ""
        part.shipments.put(shipment)
    return deleted


def purge_doc(doc: dict[str, Any], now_iso: str) -> dict[str, Any]:
    """A purged copy of the stored order document (see the module for what is kept)."""
    out = dict(doc)
    recipient = doc.get("recipient")
    if isinstance(recipient, dict):
        if not out.get("country_code"):
            out["country_code"] = recipient.get("country_code", "")
        purged = purge_recipient(from_dict(Recipient, dict(recipient)))
        out["recipient"] = to_dict(purged)
    out["pii_purged_at"] = now_iso
    return out


def _purge_part(part: Part, keys: list[str], now: datetime, labels_dir: Path | None) -> int:
    """Purge these orders of one file inside a write transaction; returns files deleted.

    Works on the stored documents (no decoding of whole orders: a first purge of a big
    store touches tens of thousands of them)."""
    wanted = set(keys)
    now_iso = to_iso(now) or ""
    purged = [purge_doc(d, now_iso) for d in docs(part.orders) if _key(d) in wanted]
    part.orders.put_docs(purged)
    return _delete_label_files(part, {_key(d) for d in purged}, labels_dir)


# --- which archive months are already clean -------------------------------------------------


def _clean_months_path(store: Store) -> Path:
    return Path(store.data_dir) / CACHE_DIR / PURGED_MONTHS_FILE


def _read_clean_months(store: Store) -> dict[str, Any]:
    try:
        data = json.loads(_clean_months_path(store).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_clean_months(store: Store, months: dict[str, Any]) -> None:
    path = _clean_months_path(store)
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        atomic_write(path, json.dumps(months).encode("utf-8"))
    except OSError as exc:  # without it the next purge only reads more
        log.warning("could not save %s: %s", path.name, exc.strerror or exc)


# --- the use case ----------------------------------------------------------------------------


def purge_pii(
    store: Store,
    clock: Clock,
    days: int | None = None,
    labels_dir: Path | None = None,
) -> PurgeResult:
    """Remove buyer personal data of orders done more than `days` days ago (see module).

    `days` defaults to settings.pii_retention_days and is capped at 30. `labels_dir` (the
    context's labels dir) enables deleting the label files of purged orders.
    """
    now = clock.now()
    with store.read() as view:
        days = retention_days(days, view.settings.get())
        tracking_off = {i.id for i in view.integrations.all() if not i.update_tracking}
    cutoff_iso = to_iso(now - timedelta(days=days)) or ""
    result = PurgeResult(days=days)

    with store.write() as tx:
        keys = _due_keys(tx, cutoff_iso, tracking_off)
        if keys:
            result.label_files += _purge_part(tx, keys, now, labels_dir)
            result.hot = len(keys)

    clean = _read_clean_months(store)
    with store.read() as view:
        months = view.archive_months()
    changed = False
    for month in months:
        if clean.get(month) is not None and clean.get(month) == archive_signature(store, month):
            continue
        result.months_checked += 1
        with store.write() as tx:
            arch = tx.archive(month)
            keys = _due_keys(arch, cutoff_iso, tracking_off)
            if keys:
                result.label_files += _purge_part(arch, keys, now, labels_dir)
                result.archived += len(keys)
        # every archived order is shipped > 30 days ago, so after this the month is clean
        clean[month] = archive_signature(store, month)
        changed = True
    for month in [m for m in clean if m not in months]:
        del clean[month]
        changed = True
    if changed:
        _write_clean_months(store, clean)
    audit.prune(store, clock)
    if result.orders:
        audit.record_now(
            store,
            audit.DATA_PURGED,
            f"buyer data of {result.orders} orders removed ({result.label_files} label files)",
            clock=clock,
        )
        log.info(
            "purged buyer data of %d orders (%d archived), %d label files, retention %d days",
            result.orders,
            result.archived,
            result.label_files,
            days,
        )
    return result


def summary_text(result: PurgeResult) -> str:
    return _(
        "Buyer data removed from {orders} orders done more than {days} days ago "
        "({files} label files deleted)."
    ).format(orders=result.orders, days=result.days, files=result.label_files)
