"""A support bundle: what a helpdesk needs to see why glstui misbehaves, without buyer data.

`export_bundle(ctx)` writes <data dir>/support/glstui-support-<time>.zip (mode 0600) with:

    summary.txt     glstui / Python / Textual versions, platform, paths, secret store in use
    doctor.txt      the doctor's lines (given, or run now)
    settings.json   the settings (sender address, label format, printer...: no secrets there)
    counts.json     shops, orders per state, shipments, confirmations per state, archive months
    log-tail.txt    the last lines of the log file, redacted
    store.json      the hot store file with every buyer's personal data removed
    audit.json      the last audit entries

Why it is safe to mail: the store file never holds secrets, and in the copy every order's
recipient is cut down exactly as the retention purge does (country, region, postcode prefix).
As a second line of defence every text that goes into the zip is scrubbed of every secret
value the secret store holds and every buyer name, company, address line, phone and e-mail
found in the store, and passed through the log redactor (tokens, e-mail addresses).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import sys
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glstui import __version__, config
from glstui.domain.clock import to_iso
from glstui.domain.serial import to_dict
from glstui.i18n import _
from glstui.logs import LOG_FILE, MASK, redact
from glstui.secrets import NAMES as SECRET_NAMES
from glstui.secrets import refresh_token_name
from glstui.services.context import AppContext
from glstui.services.retention import POSTCODE_KEEP, postcode_prefix
from glstui.services.stats import docs

SUPPORT_DIR = "support"
LOG_TAIL_LINES = 300
AUDIT_ENTRIES = 200
_PII_FIELDS = ("name", "company", "city", "phone", "email")
_SECRET_KEY_WORDS = ("password", "secret", "token", "subscription_key", "passphrase")
MIN_SCRUB = 3  # shorter values (e.g. "1") would blank out ordinary text


@dataclass
class Bundle:
    path: Path
    files: list[str]
    size: int


# --- what must never leave the machine -------------------------------------------------------


def _secret_values(ctx: AppContext) -> set[str]:
    secrets = ctx.secrets
    values: set[str] = set()
    if getattr(secrets, "locked", False):
        return values
    with ctx.store.read() as view:
        shop_ids = [i.id for i in view.integrations.all()]
    for name in (*SECRET_NAMES, *(refresh_token_name(i) for i in shop_ids)):
        with contextlib.suppress(Exception):
            value = secrets.get(name)
            if value:
                values.add(value)
    return values


def _buyer_values(recipient: dict[str, Any] | None) -> Iterable[str]:
    if not recipient:
        return ()
    out = [str(recipient.get(f) or "") for f in _PII_FIELDS]
    out += [str(line) for line in recipient.get("address_lines") or []]
    postcode = str(recipient.get("postal_code") or "")
    if len(postcode) > POSTCODE_KEEP:
        out.append(postcode)
    return out


class Scrubber:
    """Replaces every known sensitive value, longest first, then runs the log redactor."""

    def __init__(self, values: Iterable[str]) -> None:
        cleaned = {v.strip() for v in values if v and len(v.strip()) >= MIN_SCRUB}
        self.values = sorted(cleaned, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, MASK)
        return redact(text)


# --- the parts -------------------------------------------------------------------------------


def _clean_recipient(recipient: dict[str, Any] | None) -> dict[str, Any] | None:
    if recipient is None:
        return None
    return {
        "country_code": recipient.get("country_code", ""),
        "state_or_region": recipient.get("state_or_region", ""),
        "postal_code": postcode_prefix(str(recipient.get("postal_code") or "")),
        "address_type": recipient.get("address_type", ""),
    }


def _drop_secret_keys(value: Any) -> Any:
    """Remove any field whose name says it is a secret (none should exist; belt and braces)."""
    if isinstance(value, dict):
        return {
            k: _drop_secret_keys(v)
            for k, v in value.items()
            if not any(word in str(k).lower() for word in _SECRET_KEY_WORDS)
        }
    if isinstance(value, list):
        return [_drop_secret_keys(v) for v in value]
    return value


def clean_store(path: Path) -> tuple[dict[str, Any], set[str]]:
    """The store file at `path` without buyer data, and the buyer values that were in it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {"error": f"could not read {path.name}: {type(exc).__name__}"}, set()
    found: set[str] = set()
    for doc in (data.get("orders") or {}).values():
        if isinstance(doc, dict) and isinstance(doc.get("recipient"), dict):
            found.update(_buyer_values(doc["recipient"]))
            doc["recipient"] = _clean_recipient(doc["recipient"])
    return _drop_secret_keys(data), found


def counts(ctx: AppContext) -> dict[str, Any]:
    with ctx.store.read() as view:
        orders = Counter(d.get("state", "") for d in docs(view.orders))
        outbox = Counter(d.get("state", "") for d in docs(view.outbox))
        shipments = sum(1 for _ in docs(view.shipments))
        shops = view.integrations.all()
        months = view.archive_months()
        runs = len(view.runs)
    return {
        "shops": len(shops),
        "shops_by_status": dict(Counter(i.status for i in shops)),
        "hot_orders_by_state": dict(sorted(orders.items())),
        "shipments": shipments,
        "confirmations_by_state": dict(sorted(outbox.items())),
        "archive_months": months,
        "import_runs": runs,
    }


def log_tail(log_dir: Path, lines: int = LOG_TAIL_LINES) -> list[str]:
    """The last `lines` lines of the log file (redacted by the caller)."""
    path = Path(log_dir) / LOG_FILE
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 256 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return text.splitlines()[-lines:]


def _summary(ctx: AppContext) -> str:
    try:  # from the package metadata: services never import textual
        textual_version = importlib.metadata.version("textual")
    except importlib.metadata.PackageNotFoundError:
        textual_version = "?"
    data_dir = Path(ctx.data_dir)
    return "\n".join(
        [
            f"glstui {__version__}",
            f"python {platform.python_version()} ({sys.implementation.name})",
            f"textual {textual_version}",
            f"platform {platform.platform()}",
            f"time {to_iso(ctx.clock.now())}",
            f"data dir {data_dir}",
            f"log dir {config.log_dir(data_dir, create=False)}",
            f"labels dir {config.labels_dir(data_dir, create=False)}",
            f"secret store {getattr(ctx.secrets, 'store_name', '?')}",
            f"secrets locked {getattr(ctx.secrets, 'locked', False)}",
            f"demo {getattr(ctx, 'demo', False)}",
            f"sandbox endpoints {getattr(ctx.endpoints, 'is_sandbox', False)}",
            "",
        ]
    )


def _audit(ctx: AppContext) -> list[dict[str, Any]]:
    from glstui.services import audit

    try:
        return [to_dict(e) for e in audit.entries(ctx.store, limit=AUDIT_ENTRIES)]
    except Exception as exc:
        return [{"error": type(exc).__name__}]


# --- the bundle ------------------------------------------------------------------------------


def bundle_contents(ctx: AppContext, doctor_lines: list[str] | None = None) -> dict[str, str]:
    """Every file of the bundle as text, already scrubbed."""
    if doctor_lines is None:
        from glstui.services.doctor import doctor_checks

        doctor_lines = [c.line() for c in doctor_checks(ctx)]
    store_path = Path(getattr(ctx.store, "path", Path(ctx.data_dir) / "glstui.json"))
    store_data, buyer_values = clean_store(store_path)
    scrub = Scrubber(buyer_values | _secret_values(ctx))
    with ctx.store.read() as view:
        settings = to_dict(view.settings.get())
    parts = {
        "summary.txt": _summary(ctx),
        "doctor.txt": "\n".join(doctor_lines) + "\n",
        "settings.json": json.dumps(_drop_secret_keys(settings), indent=2, ensure_ascii=False),
        "counts.json": json.dumps(counts(ctx), indent=2),
        "log-tail.txt": "\n".join(log_tail(config.log_dir(Path(ctx.data_dir), create=False)))
        + "\n",
        "store.json": json.dumps(store_data, indent=1, ensure_ascii=False),
        "audit.json": json.dumps(_audit(ctx), indent=1, ensure_ascii=False),
    }
    return {name: scrub(text) for name, text in parts.items()}


def bundle_dir(data_dir: Path) -> Path:
    return config.ensure_private_dir(Path(data_dir) / SUPPORT_DIR)


def export_bundle(ctx: AppContext, doctor_lines: list[str] | None = None) -> Bundle:
    """Write the support bundle (see the module docstring) and return where it is."""
    contents = bundle_contents(ctx, doctor_lines)
    stamp = ctx.clock.now().strftime("%Y%m%d-%H%M%S")
    folder = bundle_dir(Path(ctx.data_dir))
    path = folder / f"glstui-support-{stamp}.zip"
    n = 2
    while path.exists():
        path = folder / f"glstui-support-{stamp}-{n}.zip"
        n += 1
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in contents.items():
            info = zipfile.ZipInfo(f"glstui-support/{name}", date_time=_zip_time(ctx))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text)
    return Bundle(path=path, files=sorted(contents), size=path.stat().st_size)


def _zip_time(ctx: AppContext) -> tuple[int, int, int, int, int, int]:
    now = ctx.clock.now()
    return (max(1980, now.year), now.month, now.day, now.hour, now.minute, now.second)


# --- log out ("Uitloggen") -------------------------------------------------------------------


def log_out(ctx: AppContext) -> str:
    """Forget every decrypted secret and cached value in this process before it quits.

    The encrypted-file secret store is locked (its passphrase and decrypted values are
    dropped); the log redactor's list of sensitive values (secrets and buyer data it was
    told about) is cleared. Access tokens live only in the short-lived Amazon clients of a
    single import or push, so none outlive the operation. A system keyring keeps its values
    (they are the desktop session's); glstui holds no copy of them. Returns what was done.
    """
    from glstui.logs import clear_sensitive
    from glstui.services import audit

    with contextlib.suppress(Exception):  # a store problem must not stop the log-out
        audit.record_now(ctx.store, audit.LOGOUT, getattr(ctx.secrets, "store_name", ""))
    secrets = ctx.secrets
    kind = getattr(secrets, "kind", "")
    lock = getattr(secrets, "lock", None)
    if callable(lock):
        lock()
    cache = getattr(secrets, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()
    clear_sensitive()
    if kind == "file":
        return _("The encrypted secrets file is locked; decrypted keys were forgotten.")
    return _("Keys held in memory were forgotten.")
