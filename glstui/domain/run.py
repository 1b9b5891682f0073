"""An import run: who started it, when, and what each shop brought."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ShopRunResult:
    integration_id: str
    shop_name: str
    pages: int = 0
    new: int = 0
    updated: int = 0
    cancelled: int = 0
    held: int = 0
    error: str = ""


@dataclass
class ImportRun:
    id: str
    user: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    shops: list[ShopRunResult] = field(default_factory=list)
    stopped: bool = False

    @property
    def failed(self) -> bool:
        return any(s.error for s in self.shops)
