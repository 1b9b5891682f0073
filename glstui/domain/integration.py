"""An Amazon shop connected to GLS ("integratie"), and the rules for its name."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from glstui.domain.errors import N_, ValidationError

SHOP_NAME_MAX = 60
CONSENT_VALID_DAYS = 365

DRAFT = "draft"
CONNECTED = "connected"
NEEDS_REAUTH = "needs_reauth"
STATUSES = (DRAFT, CONNECTED, NEEDS_REAUTH)


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def clean_shop_name(raw: str, taken: list[str] | tuple[str, ...] = ()) -> str:
    """Return the trimmed shop name or raise ValidationError with what to do.

    `taken` holds the names of the *other* integrations; uniqueness ignores case and
    surrounding spaces, as an operator reading the list would.
    """
    name = " ".join(raw.split()) if raw else ""
    if not name:
        raise ValidationError("shop_name", N_("Shop name is required: type a name for this shop."))
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationError(
            "shop_name", N_("Shop name contains control characters: type it again without them.")
        )
    if len(name) > SHOP_NAME_MAX:
        raise ValidationError(
            "shop_name", N_("Shop name is too long: at most {n} characters."), n=SHOP_NAME_MAX
        )
    if name.casefold() in {t.strip().casefold() for t in taken}:
        raise ValidationError(
            "shop_name", N_("A shop named '{name}' already exists: choose another name."), name=name
        )
    return name


@dataclass
class Integration:
    shop_name: str
    id: str = field(default_factory=new_id)
    channel: str = "amazon"
    region: str = "EU"
    marketplace_ids: list[str] = field(default_factory=list)
    selling_partner_id: str | None = None
    active: bool = True
    update_tracking: bool = True
    rules_enabled: bool = False
    rules: list[dict[str, Any]] = field(default_factory=list)
    status: str = DRAFT
    authorized_at: datetime | None = None
    import_cursor: datetime | None = None
    last_import_at: datetime | None = None
    last_import_new: int = 0
    created_at: datetime | None = None
    # A multi-page import in progress: the search filters and the next page's token, stored
    # with each page so an interrupted import resumes where it stopped (tokens live 24 h).
    import_resume: dict[str, Any] = field(default_factory=dict)

    @property
    def connected(self) -> bool:
        return self.status == CONNECTED

    @property
    def importable(self) -> bool:
        return self.active and self.connected

    def reconsent_due(self) -> datetime | None:
        if self.authorized_at is None:
            return None
        return self.authorized_at + timedelta(days=CONSENT_VALID_DAYS)

    def reconsent_days_left(self, now: datetime) -> int | None:
        due = self.reconsent_due()
        if due is None:
            return None
        return (due - now).days
