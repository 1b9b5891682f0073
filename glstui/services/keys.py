"""Key management ("Key beheer"): save the Amazon app keys and the GLS login.

Values go only to the secret store; the audit log and the returned list name the keys that
changed, never their values.
"""

from __future__ import annotations

from typing import Any

from glstui.services import audit


def save_keys(ctx: Any, values: dict[str, str], gls_environment: str | None = None) -> list[str]:
    """Store every non-empty value; return the names of what changed (keys and environment)."""
    changed = []
    for name, value in values.items():
        value = value.strip()
        if value:
            ctx.secrets.set(name, value)
            changed.append(name)
    with ctx.store.write() as tx:
        if gls_environment:
            settings = tx.settings.get()
            if settings.gls_environment != gls_environment:
                settings.gls_environment = gls_environment
                tx.settings.put(settings)
                changed.append("gls.environment")
        if changed:
            audit.record(tx, audit.KEYS_CHANGED, ", ".join(changed), clock=ctx.clock)
    return changed
