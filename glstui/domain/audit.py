"""One line of the audit log: who changed what, when (never a secret or buyer data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class AuditEntry:
    id: str
    at: datetime | None
    user: str
    action: str
    detail: str = ""
    target: str = ""  # shop id, order key... ("" = none)
