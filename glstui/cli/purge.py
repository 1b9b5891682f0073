"""`glstui purge`: remove old buyer data now and print what was done.

Exit codes: 0 fine, 1 the purge failed (the message says why).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from glstui.i18n import _
from glstui.services.context import AppContext
from glstui.services.retention import purge_pii, summary_text

log = logging.getLogger("glstui.retention")


def run_purge(ctx: AppContext, out: TextIO | None = None) -> int:
    """`glstui purge`: purge now and print what was done. 0 = fine, 1 = it failed."""
    stream = out or sys.stdout
    try:
        result = purge_pii(ctx.store, ctx.clock, labels_dir=ctx.labels_dir)
    except Exception as exc:  # StoreError etc. carry the operator's message
        message = getattr(exc, "user_message", None) or str(exc)
        print(_("Purging buyer data failed: {error}").format(error=message), file=stream)
        log.error("purge failed: %s", message)
        return 1
    print(summary_text(result), file=stream)
    return 0
