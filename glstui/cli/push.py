"""`glstui push`: send the pending tracking codes and print what became of them.

Exit codes: 0 all sent, 1 some left (waiting or refused), 2 nothing could run (also on a
fresh install without a key file: it says what to set up first).
"""

from __future__ import annotations

import asyncio
import sys

from glstui.i18n import _
from glstui.services.context import AppContext
from glstui.services.events import ERROR, WARNING, Event, LogLine
from glstui.services.outbox import DeliveryResult, deliver_pending


def print_event(event: Event) -> None:
    """A log line of the run: warnings and errors marked, errors to stderr, the shop named."""
    if isinstance(event, LogLine):
        prefix = {WARNING: "warning: ", ERROR: "error: "}.get(event.level, "")
        shop = f"[{event.shop}] " if event.shop else ""
        stream = sys.stderr if event.level == ERROR else sys.stdout
        print(f"{prefix}{shop}{event.text}", file=stream, flush=True)


def print_read_back(result: DeliveryResult) -> None:
    """What reading the confirmed orders back from Amazon found (issue 16: verified tracking)."""
    if result.verified or result.not_listed:
        text = _("Read back from Amazon: {verified} verified, {not_listed} not listed.")
        print(text.format(verified=result.verified, not_listed=result.not_listed))
    if result.not_listed:
        print(_("Check the orders not listed in Seller Central, or send them again (Orders, r)."))


def run_push(ctx: AppContext) -> int:
    """`glstui push`: send pending confirmations. 0 all sent, 1 some left (waiting, refused, held
    or not listed at Amazon after its 204), 2 nothing could run.

    First records labels a stopped run left behind (labelling.reconcile), so their
    confirmations go out too.
    """
    from glstui.services.context import MissingCredentials
    from glstui.services.headless import keys_not_set_up
    from glstui.services.labelling import reconcile_labels

    if ctx.secrets.is_new:  # a fresh install: say what to set up, not "locked"
        print(f"glstui push: {keys_not_set_up()}", file=sys.stderr)
        return 2
    reconcile_labels(ctx, print_event)
    try:
        result = asyncio.run(deliver_pending(ctx, print_event))
    except MissingCredentials as exc:
        print(f"glstui push: {exc.user_message}", file=sys.stderr)
        return 2
    print_read_back(result)
    if not result.due and not result.pending_left and not result.failed_left:
        if not result.not_listed:
            print(_("Nothing to send: every tracking code is with Amazon."))
        return result.exit_code
    text = _("Sent {sent}, retry later {retry}, refused {failed}, not tried {blocked}.")
    print(
        text.format(
            sent=result.sent,
            retry=result.retry_later,
            failed=result.failed,
            blocked=result.blocked,
        )
    )
    if result.dropped:
        text = _("{n} tracking code(s) not sent: their label was deleted meanwhile.")
        print(text.format(n=result.dropped))
    if result.pending_left or result.failed_left:
        text = _("Waiting now: {pending} to send, {failed} refused by Amazon.")
        print(text.format(pending=result.pending_left, failed=result.failed_left))
    return result.exit_code
