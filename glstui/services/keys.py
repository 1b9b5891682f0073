"""Key management ("Key beheer"): save the Amazon app keys and the GLS login.

Values go only to the secret store; the audit log and the returned list name the keys that
changed, never their values. A value equal to the stored one is not a change (the customer
number is shown in its field and saved back as typed). The GLS environment (test / live)
is a setting (services/settings_edit.py), not a key.
"""

from __future__ import annotations

from typing import Any

from glstui.services import audit

# Shown in full and read back: a GLS customer number identifies the account, it opens nothing.
READABLE_KEYS = frozenset({"gls.customer_no"})


def save_keys(ctx: Any, values: dict[str, str]) -> list[str]:
    """Store every non-empty value that differs from the stored one; return their names."""
    changed = []
    for name, value in values.items():
        value = value.strip()
        if value and value != ctx.secrets.get(name):
            ctx.secrets.set(name, value)
            changed.append(name)
    if changed:
        audit.record_now(ctx.store, audit.KEYS_CHANGED, ", ".join(changed), clock=ctx.clock)
    return changed
