"""The search window of a shop's import: its searchOrders filters and where it resumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from glstui.amazon.client import OrdersPage
from glstui.domain.clock import from_iso, to_iso
from glstui.domain.integration import Integration


@dataclass
class SearchWindow:
    """The filters of one searchOrders run of a shop, and where to resume it.

    Saved on the integration (`import_resume`) with every page but the last, so an import
    that is stopped, crashes or is killed continues with the next page's token instead of
    starting over (a 50-page backlog costs Amazon's searchOrders budget about 90 minutes).
    """

    created_after: datetime | None = None
    last_updated_after: datetime | None = None
    token: str | None = None
    newest: datetime | None = None  # newest lastUpdatedTime seen in this search so far
    saved_at: datetime | None = None
    cursor: datetime | None = None  # the stored cursor this search started from (less overlap)

    def to_resume(self) -> dict[str, Any]:
        return {
            "created_after": to_iso(self.created_after),
            "last_updated_after": to_iso(self.last_updated_after),
            "token": self.token,
            "newest": to_iso(self.newest),
            "saved_at": to_iso(self.saved_at),
            "cursor": to_iso(self.cursor),
        }

    @classmethod
    def from_resume(cls, data: dict[str, Any]) -> SearchWindow:
        return cls(
            created_after=from_iso(data.get("created_after")),
            last_updated_after=from_iso(data.get("last_updated_after")),
            token=data.get("token") or None,
            newest=from_iso(data.get("newest")),
            saved_at=from_iso(data.get("saved_at")),
            cursor=from_iso(data.get("cursor")),
        )


RESUME_MAX_AGE = timedelta(hours=23)  # Amazon's pagination tokens expire after 24 h

# Late data: Amazon lists an order in searchOrders some time after its lastUpdatedTime (that is
# why *Before must be 2 minutes before now). A search that starts exactly at the last one's end
# misses an order updated just before that end but listed only after it, for good. So each
# lastUpdatedAfter search starts this much before the stored cursor: orders in the overlap are
# seen twice, and merging by shop + order id (importing/merge.py) counts them unchanged, never
# twice. 5 minutes: more than twice the 2-minute lag Amazon itself names, at the cost of
# reading the last 5 minutes' orders again on every run.
LATE_DATA_OVERLAP = timedelta(minutes=5)


def search_window(integ: Integration, now: datetime, first_import_days: int) -> SearchWindow:
    """Where this shop's import starts: an interrupted search, the cursor (less the late-data
    overlap), or N days back."""
    if integ.import_resume:
        window = SearchWindow.from_resume(integ.import_resume)
        fresh = window.saved_at is not None and now - window.saved_at < RESUME_MAX_AGE
        if window.token and fresh and (window.created_after or window.last_updated_after):
            return window
    if integ.import_cursor is not None:
        cursor = integ.import_cursor
        return SearchWindow(last_updated_after=cursor - LATE_DATA_OVERLAP, cursor=cursor)
    return SearchWindow(created_after=now - timedelta(days=first_import_days))


def final_cursor(window: SearchWindow, page: OrdersPage) -> datetime | None:
    """The cursor once a search's last page is stored: Amazon's upper bound of the search
    (lastUpdatedBefore/createdBefore) when it gives one, else the newest lastUpdatedTime seen;
    without either it stays where it was (never moved back by the late-data overlap)."""
    bound = getattr(page, "last_updated_before", None) or getattr(page, "created_before", None)
    if isinstance(bound, str):
        bound = from_iso(bound)
    found = bound or window.newest or window.cursor or window.last_updated_after
    if found is not None and window.cursor is not None:
        return max(found, window.cursor)
    return found
