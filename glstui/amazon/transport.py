"""The one retry loop for every HTTP call to Amazon (LWA and SP-API alike).

Retries on 429/500/502/503/504, unreadable bodies, timeouts and connection errors, with
exponential backoff and full jitter (RetryPolicy); anything else is returned to the caller.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from glstui.amazon.errors import AmazonApiError, AmazonError, AmazonUnavailable
from glstui.amazon.ratelimit import RetryPolicy, Sleep
from glstui.domain.errors import N_, Msg

log = logging.getLogger("glstui.amazon")


@dataclass
class Reply:
    status: int
    headers: httpx.Headers
    data: Any = None  # parsed JSON, or None
    malformed: bool = False  # a body that should be JSON but is not
    text: str = ""
    attempts: int = 1
    retry_statuses: list[int] = field(default_factory=list)

    @property
    def request_id(self) -> str:
        return self.headers.get("x-amzn-requestid", "")


def parse_reply(resp: httpx.Response) -> Reply:
    reply = Reply(status=resp.status_code, headers=resp.headers)
    body = resp.content
    if body:
        try:
            reply.data = resp.json()
        except ValueError:
            reply.malformed = True
            reply.text = resp.text[:200]
    return reply


def api_error(operation: str, reply: Reply) -> AmazonError:
    """The error for a final reply that is not what `operation` wanted, in Amazon's words."""
    code, details = "", ""
    message: str | Msg = ""
    data = reply.data
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = str(errors[0].get("code", ""))
        message = str(errors[0].get("message", ""))
        details = str(errors[0].get("details", "") or "")
    if reply.malformed:
        message = Msg(N_("Amazon sent a response glstui could not read"))
    return AmazonApiError(
        reply.status,
        code or f"HTTP{reply.status}",
        message,
        reply.request_id,
        operation,
        details,
    )


def token_refused(reply: Reply) -> bool:
    """A 401/403 that a fresh access token could cure (expired or invalidated token)."""
    if reply.status not in (401, 403):
        return False
    data = reply.data if isinstance(reply.data, dict) else {}
    errors = data.get("errors")
    if not isinstance(errors, list):
        return reply.status == 401
    text = " ".join(
        f"{e.get('code', '')} {e.get('message', '')} {e.get('details', '')}"
        for e in errors
        if isinstance(e, dict)
    ).lower()
    return reply.status == 401 or "token" in text


def _retryable(reply: Reply, policy: RetryPolicy) -> bool:
    if policy.retryable_status(reply.status):
        return True
    return reply.malformed and 200 <= reply.status < 300


async def call_with_retry(
    attempt: Callable[[], Awaitable[Reply]],
    *,
    what: str,
    policy: RetryPolicy,
    rng: random.Random,
    sleep: Sleep,
) -> Reply:
    """Run `attempt` until it gives a final reply; raise AmazonUnavailable if Amazon stays away."""
    seen: list[int] = []
    for n in range(1, policy.max_attempts + 1):
        last = n == policy.max_attempts
        try:
            reply = await attempt()
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            kind = (
                N_("request timed out")
                if isinstance(exc, httpx.TimeoutException)
                else N_("connection failed")
            )
            if last:
                raise AmazonUnavailable(
                    N_(
                        "Could not reach Amazon for {what}: the {kind} {n} times in a row. "
                        "Check the internet connection and try again later."
                    ),
                    what=Msg(what),
                    kind=Msg(kind),
                    n=n,
                ) from None
            delay = policy.delay(n, rng)
            log.warning(
                "%s %s (attempt %d/%d), retrying in %.2fs",
                what,
                kind,
                n,
                policy.max_attempts,
                delay,
            )
            await sleep(delay)
            continue
        if not _retryable(reply, policy) or last:
            reply.attempts = n
            reply.retry_statuses = seen
            return reply
        seen.append(reply.status)
        delay = policy.delay(n, rng)
        log.warning(
            "%s got %s%s (attempt %d/%d, request id %s), retrying in %.2fs",
            what,
            reply.status,
            " with an unreadable body" if reply.malformed else "",
            n,
            policy.max_attempts,
            reply.request_id or "-",
            delay,
        )
        await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
