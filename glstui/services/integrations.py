"""Use cases of the integrations list and form: add, rename, switch, delete a shop.

Every change is one `with store.write() as tx` so two operators on one server lose nothing;
the TUI and the headless CLI both call these functions (no textual here).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from glstui.domain.clock import Clock
from glstui.domain.errors import GlstuiError, ValidationError
from glstui.domain.integration import (
    CONNECTED,
    DRAFT,
    NEEDS_REAUTH,
    Integration,
    clean_shop_name,
)
from glstui.i18n import N_, _
from glstui.secrets import refresh_token_name
from glstui.services import audit

log = logging.getLogger("glstui.services.integrations")

PLACEHOLDER_NAME = "New Amazon shop"
_PLACEHOLDER_RE = re.compile(r"^New Amazon shop( \d+)?$")


class IntegrationNotFound(GlstuiError, LookupError):
    def __init__(self, integration_id: str) -> None:
        super().__init__(
            N_("This shop no longer exists (another operator may have deleted it)."),
            id=integration_id,
        )
        self.integration_id = integration_id


def is_placeholder_name(name: str) -> bool:
    """True for the automatic name of a draft, which connecting replaces by 'Amazon <id>'."""
    return bool(_PLACEHOLDER_RE.match(name))


def name_message(error: ValidationError) -> str:
    """The operator's words (in the current language) for a shop name ValidationError."""
    return error.user_message


def name_key(name: str) -> str:
    """How an operator compares names: NFC/NFD and full-width forms alike, case ignored."""
    return unicodedata.normalize("NFKC", " ".join(name.split())).casefold().strip()


def clean_unique_name(raw: str, taken: list[str]) -> str:
    """clean_shop_name, with uniqueness on name_key (looks-identical names are one name)."""
    name = clean_shop_name(raw, taken)
    if name_key(name) in {name_key(t) for t in taken}:
        raise ValidationError(
            "shop_name", N_("A shop named '{name}' already exists: choose another name."), name=name
        )
    return name


def check_name(store: Any, raw: str, integration_id: str | None = None) -> str | None:
    """None when `raw` is a valid, unique name for this shop; else what is wrong."""
    with store.read() as view:
        taken = [i.shop_name for i in view.integrations.all() if i.id != integration_id]
    try:
        clean_unique_name(raw, taken)
    except ValidationError as err:
        return name_message(err)
    return None


def _sorted(items: list[Integration]) -> list[Integration]:
    return sorted(items, key=lambda i: (i.created_at is None, i.created_at or 0, i.shop_name))


def list_integrations(store: Any) -> list[Integration]:
    with store.read() as view:
        return _sorted(list(view.integrations.all()))


def get(store: Any, integration_id: str) -> Integration:
    with store.read() as view:
        found = view.integrations.get(integration_id)
    if found is None:
        raise IntegrationNotFound(integration_id)
    return found


def _unique_placeholder(taken: list[str]) -> str:
    lowered = {t.casefold() for t in taken}
    if PLACEHOLDER_NAME.casefold() not in lowered:
        return PLACEHOLDER_NAME
    n = 2
    while f"{PLACEHOLDER_NAME} {n}".casefold() in lowered:
        n += 1
    return f"{PLACEHOLDER_NAME} {n}"


def unique_name(base: str, taken: list[str]) -> str:
    """`base`, or `base (2)`, `base (3)`... whichever is free."""
    lowered = {t.strip().casefold() for t in taken}
    if base.casefold() not in lowered:
        return base
    n = 2
    while f"{base} ({n})".casefold() in lowered:
        n += 1
    return f"{base} ({n})"


def add(
    store: Any,
    clock: Clock,
    shop_name: str = "",
    region: str = "EU",
    marketplace_ids: list[str] | tuple[str, ...] = (),
) -> Integration:
    """A new draft shop. Without a name it gets a placeholder that connecting replaces."""
    with store.write() as tx:
        taken = [i.shop_name for i in tx.integrations.all()]
        name = clean_unique_name(shop_name, taken) if shop_name.strip() else None
        integration = Integration(
            shop_name=name or _unique_placeholder(taken),
            region=region,
            marketplace_ids=list(marketplace_ids),
            status=DRAFT,
            created_at=clock.now(),
        )
        tx.integrations.put(integration)
        audit.record(
            tx,
            audit.INTEGRATION_ADDED,
            f"{integration.shop_name} ({region})",
            target=integration.id,
            clock=clock,
        )
    log.info("added draft shop %s (%s)", integration.id, region)
    return integration


def update(
    store: Any,
    integration_id: str,
    *,
    shop_name: str | None = None,
    active: bool | None = None,
    update_tracking: bool | None = None,
    rules_enabled: bool | None = None,
    region: str | None = None,
    marketplace_ids: list[str] | None = None,
) -> Integration:
    """Save the given fields; the name is trimmed and must stay unique (ValidationError)."""
    with store.write() as tx:
        integration = tx.integrations.get(integration_id)
        if integration is None:
            raise IntegrationNotFound(integration_id)
        if shop_name is not None:
            taken = [i.shop_name for i in tx.integrations.all() if i.id != integration_id]
            integration.shop_name = clean_unique_name(shop_name, taken)
        if active is not None:
            integration.active = active
        if update_tracking is not None:
            integration.update_tracking = update_tracking
        if rules_enabled is not None:
            integration.rules_enabled = rules_enabled
        if region is not None:
            integration.region = region
        if marketplace_ids is not None:
            integration.marketplace_ids = list(marketplace_ids)
        before = tx.integrations.get(integration_id)
        changed = [
            name
            for name in (
                "shop_name",
                "active",
                "update_tracking",
                "rules_enabled",
                "region",
                "marketplace_ids",
            )
            if getattr(before, name) != getattr(integration, name)
        ]
        tx.integrations.put(integration)
        if changed:
            audit.record(
                tx,
                audit.INTEGRATION_EDITED,
                f"{integration.shop_name}: {', '.join(changed)}",
                target=integration_id,
            )
    return integration


FORM_FIELDS = ("shop_name", "active", "update_tracking", "rules_enabled")


def changed_fields(loaded: Integration, values: dict[str, Any]) -> dict[str, Any]:
    """Only what the operator changed against the record the form loaded."""
    changed: dict[str, Any] = {}
    for key, value in values.items():
        if key not in FORM_FIELDS:
            continue
        old = getattr(loaded, key)
        if key == "shop_name":
            if " ".join(str(value).split()) != old:
                changed[key] = value
        elif value != old:
            changed[key] = value
    return changed


def update_changed(
    store: Any, integration_id: str, loaded: Integration, values: dict[str, Any]
) -> Integration:
    """Save a form: only its changed fields, so another operator's edit of the rest stays."""
    return update(store, integration_id, **changed_fields(loaded, values))


def _toggle(store: Any, integration_id: str, field: str, word: str) -> Integration:
    """Flip one on/off switch of a shop in one write, with its audit entry."""
    with store.write() as tx:
        integration = tx.integrations.get(integration_id)
        if integration is None:
            raise IntegrationNotFound(integration_id)
        value = not getattr(integration, field)
        setattr(integration, field, value)
        tx.integrations.put(integration)
        audit.record(
            tx,
            audit.INTEGRATION_TOGGLED,
            f"{integration.shop_name}: {word} {'on' if value else 'off'}",
            target=integration_id,
        )
    return integration


def toggle_active(store: Any, integration_id: str) -> Integration:
    return _toggle(store, integration_id, "active", "active")


def toggle_tracking(store: Any, integration_id: str) -> Integration:
    return _toggle(store, integration_id, "update_tracking", "tracking")


@dataclass(frozen=True)
class DeleteResult:
    shop_name: str
    orders_removed: int
    orders_kept: int
    token_removed: bool


def delete(store: Any, secrets: Any, integration_id: str, keep_orders: bool) -> DeleteResult:
    """Remove the shop and its refresh token; its orders stay or go as the operator chose.

    Without its orders, the shipments and pending tracking confirmations of those orders go
    too (there is no token left to send them with).
    """
    removed = kept = 0
    with store.write() as tx:
        integration = tx.integrations.get(integration_id)
        if integration is None:
            raise IntegrationNotFound(integration_id)
        orders = tx.orders.by_integration(integration_id)
        if keep_orders:
            kept = len(orders)
            if integration.selling_partner_id and orders:
                settings = tx.settings.get()
                settings.retire_shop(
                    integration_id,
                    integration.selling_partner_id,
                    integration.region,
                    integration.shop_name,
                )
                tx.settings.put(settings)
        else:
            removed = tx.orders.delete_many(o.key for o in orders)
            tx.shipments.delete_many(s.id for s in tx.shipments.by_integration(integration_id))
            tx.outbox.delete_many(e.id for e in tx.outbox.by_integration(integration_id))
        tx.integrations.delete(integration_id)
        audit.record(
            tx,
            audit.INTEGRATION_DELETED,
            f"{integration.shop_name}: orders {'kept' if keep_orders else 'removed'}",
            target=integration_id,
        )
    token_removed = False
    try:
        if secrets.get(refresh_token_name(integration_id)) is not None:
            secrets.delete(refresh_token_name(integration_id))
            token_removed = True
    except Exception as err:  # the shop is gone either way; say the token may linger
        log.warning("could not remove the refresh token of %s: %s", integration_id, type(err))
    log.info("deleted shop %s (orders removed %d, kept %d)", integration_id, removed, kept)
    return DeleteResult(integration.shop_name, removed, kept, token_removed)


def order_count(store: Any, integration_id: str) -> int:
    with store.read() as view:
        return len(view.orders.by_integration(integration_id))


def status_label(integration: Integration, now: Any, warn_days: int = 30) -> str:
    """Status in the operator's words: connected / needs re-connect / re-consent due / draft."""
    if integration.status == DRAFT:
        return _("draft")
    if integration.status == NEEDS_REAUTH:
        return _("needs re-connect")
    if integration.status == CONNECTED:
        days = integration.reconsent_days_left(now)
        if days is not None and days < 0:
            return _("needs re-connect")
        if days is not None and days <= warn_days:
            return _("re-consent due in {n} days").format(n=days)
        return _("connected")
    return integration.status
