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
    # Orders Amazon sent that changed nothing here, so the counts add up to what was seen.
    unchanged: int = 0
    skipped_cancelled: int = 0  # cancelled on Amazon before we ever imported them
    skipped_by_rule: int = 0  # a shipping rule said "do not import"


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
