"""Label files and receipts on disk: written private and fsynced, read back and checked.

Labels go to <labels>/YYYY-MM-DD/<order>-<parcel number>.pdf|zpl (mode 0600): one file per
parcel when GLS sends per-parcel labels (pdfA6U, zpl), else the one combined file, named after
the first parcel. A receipt (parcel numbers, tracking links, file names) is written under
<labels>/pending/ before the store knows the label, so a crash in between loses nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from glstui.domain.clock import to_iso
from glstui.domain.label_request import file_extension
from glstui.domain.order import Order
from glstui.domain.shipment import Shipment
from glstui.gls.client import LabelResult
from glstui.services.labelling import paths as label_paths

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(text: str) -> str:
    return _SAFE.sub("_", text).strip("._") or "order"


def fsync_dirs(folders: Iterable[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


def _write_private(path: Path, data: bytes, sync_dir: bool = True) -> None:
    """Write `path` (mode 0600) via a temp file, fsynced, then renamed into place.

    sync_dir=False leaves the directory fsync to the caller (one per chunk of labels).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        fsync_dirs([path.parent])


def receipt_path(labels_dir: Path, order_key: str) -> Path:
    return Path(labels_dir) / "pending" / f"{_safe(order_key)}.json"


def save_label_files(
    labels_dir: Path, order: Order, result: LabelResult, label_format: str, now: datetime
) -> list[Path]:
    """Write the label file(s) of a GLS answer; returns their paths (first = main file)."""
    ext = file_extension(label_format)
    folder = Path(labels_dir) / now.strftime("%Y-%m-%d")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = _safe(order.order_id)
    paths: list[Path] = []
    if result.units and all(u.label for u in result.units):
        for unit in result.units:
            path = folder / f"{stem}-{_safe(unit.unit_no)}.{ext}"
            _write_private(path, unit.label or b"", sync_dir=False)
            paths.append(path)
    elif result.labels:
        path = folder / f"{stem}-{_safe(result.units[0].unit_no)}.{ext}"
        _write_private(path, result.labels, sync_dir=False)
        paths.append(path)
    return paths


def write_receipt(
    labels_dir: Path,
    order: Order,
    result: LabelResult,
    files: list[Path],
    label_format: str,
    product: str,
    weight_kg: float,
    services: dict[str, Any],
    now: datetime,
) -> Path:
    """The durable record of a GLS answer, written before the store knows the label."""
    data = {
        "order_key": order.key,
        "order_id": order.order_id,
        "created_at": to_iso(now),
        "transaction_id": result.transaction_id,
        "parcel_numbers": [u.unit_no for u in result.units],
        "tracking_links": [u.tracking_link for u in result.units],
        "files": [str(p) for p in files],
        "label_format": label_format,
        "product": product,
        "weight_kg": weight_kg,
        "services": services,
        "gls_environment": result.environment,
    }
    path = receipt_path(labels_dir, order.key)
    _write_private(path, json.dumps(data, indent=1).encode(), sync_dir=False)
    return path


def read_receipt(labels_dir: Path, order_key: str) -> dict[str, Any] | None:
    """The receipt of a GLS answer; DamagedLabelRecord when its files lie outside labels/."""
    path = receipt_path(labels_dir, order_key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("parcel_numbers"):
        return None
    files = data.get("files") or []
    label_paths.checked(labels_dir, str(data.get("order_id") or order_key), list(files))
    return data


def label_files(shipment: Shipment) -> list[Path]:
    """The saved label files of a shipment (one per parcel, or the one combined file)."""
    if not shipment.label_path:
        return []
    main = Path(shipment.label_path)
    ext = main.suffix
    stem = _safe(shipment.order_id)
    per_parcel = [main.with_name(f"{stem}-{_safe(n)}{ext}") for n in shipment.parcel_numbers]
    if len(per_parcel) > 1 and all(p.exists() for p in per_parcel):
        return per_parcel
    return [main]
