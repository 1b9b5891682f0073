"""The audit log: who changed what, when, kept in the store with the change itself.

Two operators share one warehouse server; when a shop was switched off or a key replaced,
the question is "who, and when?". `record(tx, action, detail)` adds an entry inside the same
`store.write()` transaction as the change, so the entry exists exactly when the change does
(a rolled-back change leaves no entry). Entries name the OS user (getpass.getuser()), use
the store's clock, and never hold a secret value or buyer data: the detail text is passed
through the log redactor (which knows every secret glstui has read or written) and callers
name keys, never their values ("keys.changed: gls.password").

Entries live in an "audit" table of the hot store file, pruned after KEEP_DAYS (Amazon asks
for security logs of at least 90 days) so the hot file stays small. The store offers no
generic table API yet, so this module reaches the hot file's TinyDB table through the
transaction (see `_table`); it is the only place that does.
"""

from __future__ import annotations

import getpass
import uuid
from datetime import datetime, timedelta
from typing import Any

from glstui.domain.audit import AuditEntry
from glstui.domain.clock import Clock, SystemClock, to_iso
from glstui.logs import redact

TABLE = "audit"
KEEP_DAYS = 180
DETAIL_MAX = 300

INTEGRATION_ADDED = "integration.added"
INTEGRATION_CONNECTED = "integration.connected"
INTEGRATION_EDITED = "integration.edited"
INTEGRATION_TOGGLED = "integration.toggled"
INTEGRATION_DELETED = "integration.deleted"
KEYS_CHANGED = "keys.changed"
IMPORT_RUN = "import.run"
LABEL_CREATED = "label.created"
LABEL_DELETED = "label.deleted"
CONFIRMATION_SENT = "confirmation.sent"
CONFIRMATION_SKIPPED = "confirmation.skipped"
DATA_PURGED = "data.purged"
SUPPORT_BUNDLE = "support.bundle"
LOGOUT = "session.logout"
SETTINGS_CHANGED = "settings.changed"
SETTINGS_TEST_PRINT = "settings.test_print"
ACTIONS = (
    INTEGRATION_ADDED,
    INTEGRATION_CONNECTED,
    INTEGRATION_EDITED,
    INTEGRATION_TOGGLED,
    INTEGRATION_DELETED,
    KEYS_CHANGED,
    IMPORT_RUN,
    LABEL_CREATED,
    LABEL_DELETED,
    CONFIRMATION_SENT,
    CONFIRMATION_SKIPPED,
    DATA_PURGED,
    SUPPORT_BUNDLE,
    LOGOUT,
    SETTINGS_CHANGED,
    SETTINGS_TEST_PRINT,
)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # a container without a passwd entry
        return "unknown"


def _clock_of(tx: Any, clock: Clock | None) -> Clock:
    if clock is not None:
        return clock
    store_clock = getattr(getattr(tx, "_store", None), "clock", None)
    return store_clock if store_clock is not None else SystemClock()


def clean_detail(detail: str) -> str:
    """One line, redacted (secrets, tokens, e-mail, registered buyer data), not too long."""
    text = " ".join(str(detail or "").split())
    text = redact(text)
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


def record(
    tx: Any,
    action: str,
    detail: str = "",
    user: str | None = None,
    *,
    target: str = "",
    clock: Clock | None = None,
) -> AuditEntry:
    """Add an audit entry inside the write transaction `tx` (see the module docstring)."""
    entry = AuditEntry(
        id=uuid.uuid4().hex[:16],
        at=_clock_of(tx, clock).now(),
        user=user or current_user(),
        action=action,
        detail=clean_detail(detail),
        target=target,
    )
    tx.audit.put(entry)
    return entry


def record_now(store: Any, action: str, detail: str = "", **kwargs: Any) -> AuditEntry:
    """`record` in a write of its own, for actions that change nothing else in the store."""
    with store.write() as tx:
        return record(tx, action, detail, **kwargs)


def _sort_key(entry: AuditEntry) -> str:
    return to_iso(entry.at) or ""


def entries(
    store: Any,
    action: str | None = None,
    user: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit entries, newest first. `action` matches a prefix ("integration" = all of them)."""
    with store.read() as view:
        found = view.audit.all()
    if action:
        found = [e for e in found if e.action == action or e.action.startswith(action + ".")]
    if user:
        found = [e for e in found if e.user == user]
    if since is not None:
        found = [e for e in found if e.at is not None and e.at >= since]
    # Stored in insertion order: reverse it, then a stable sort keeps the newest first even
    # for entries made within the same second.
    found.reverse()
    found.sort(key=_sort_key, reverse=True)
    return found[:limit] if limit is not None else found


def matches(entry: AuditEntry, query: str) -> bool:
    """The `/` filter: every word must appear in the action, user, detail or target."""
    haystack = " ".join((entry.action, entry.user, entry.detail, entry.target)).casefold()
    return all(word in haystack for word in query.casefold().split())


def filter_entries(found: list[AuditEntry], query: str) -> list[AuditEntry]:
    query = query.strip()
    return [e for e in found if matches(e, query)] if query else list(found)


def users(found: list[AuditEntry]) -> list[str]:
    return sorted({e.user for e in found})


def prune(store: Any, clock: Clock, keep_days: int = KEEP_DAYS) -> int:
    """Delete entries older than `keep_days`; returns how many."""
    cutoff = to_iso(clock.now() - timedelta(days=keep_days)) or ""
    with store.read() as view:
        old = [e.id for e in view.audit.all() if (to_iso(e.at) or "") < cutoff]
    if not old:
        return 0
    with store.write() as tx:
        still = [e.id for e in tx.audit.all() if (to_iso(e.at) or "") < cutoff]
        tx.audit.delete_many(still)
    return len(still)
