"""What the operator reads about an import: why a shop cannot run, counts and summaries."""

from __future__ import annotations

from datetime import datetime

from glstui.domain.integration import NEEDS_REAUTH, Integration
from glstui.domain.run import ImportRun, ShopRunResult
from glstui.i18n import _, date_text


def missing_pii_text(shop: str) -> str:
    return _(
        "{shop}: Amazon sends this shop's orders without the buyer's name and address: the Amazon app lacks the Direct-to-Consumer Delivery (Restricted) role. Ask for that role in your developer profile (Seller Central, Develop Apps), then re-authorize this shop (Shops, key c). Until then glstui imports and labels nothing for this shop."  # noqa: E501
    ).format(shop=shop)


def not_importable_reason(integ: Integration) -> str:
    """Why a shop cannot be imported now, in the operator's words ("" = it can)."""
    if integ.status == NEEDS_REAUTH:
        return _("Amazon consent expired or was revoked: re-connect this shop.")
    if not integ.connected:
        return _("Not connected to Amazon yet: connect this shop first.")
    if not integ.active:
        return _("Shop is not active: switch 'Shop is active' on to import it.")
    return ""


def counts_text(
    new: int,
    updated: int = 0,
    cancelled: int = 0,
    unchanged: int = 0,
    skipped_cancelled: int = 0,
    skipped_by_rule: int = 0,
) -> str:
    """ "117 new, 0 updated, 0 cancelled, 6 cancelled before import": every order Amazon
    sent is in one of the parts, so they add up to the orders seen."""
    parts = [
        _("{n} new").format(n=new),
        _("{n} updated").format(n=updated),
        _("{n} cancelled").format(n=cancelled),
    ]
    if unchanged:
        parts.append(_("{n} unchanged").format(n=unchanged))
    if skipped_cancelled:
        parts.append(_("{n} cancelled before import (not imported)").format(n=skipped_cancelled))
    if skipped_by_rule:
        parts.append(_("{n} skipped by a shipping rule").format(n=skipped_by_rule))
    return ", ".join(parts)


def result_counts(s: ShopRunResult) -> tuple[int, int, int, int, int, int]:
    return (
        s.new,
        s.updated,
        s.cancelled,
        s.unchanged,
        s.skipped_cancelled,
        s.skipped_by_rule,
    )


def summary_text(run: ImportRun) -> str:
    totals = [sum(c) for c in zip(*(result_counts(s) for s in run.shops), strict=True)]
    totals = totals or [0] * 6
    seen = sum(totals)
    if run.stopped:
        text = _("Import stopped: {seen} orders from Amazon: {counts}.")
    else:
        text = _("Import finished: {seen} orders from Amazon: {counts}.")
    text = text.format(seen=seen, counts=counts_text(*totals))
    failed = [s.shop_name for s in run.shops if s.error]
    if failed:
        text += " " + _("Failed: {shops}.").format(shops=", ".join(failed))
    return text


def local_iso(value: datetime | None) -> str:
    """A time for a log line: local time, to the minute."""
    return date_text(value) or "?"
