"""The doctor's checks of what breaks an import, not just whether a host answers.

A host that answers 500, app credentials Amazon refuses, a GLS login GLS refuses and a full
disk all let the reachability checks pass; each one makes the next import fail. So, per
connected shop, one real token refresh against the configured LWA endpoint; one GLS
ValidateLogin (when the GLS client has it); and the free space of the data directory. The
network checks retry little (a doctor that waits a minute per shop is not run twice).
"""

from __future__ import annotations

import asyncio
import random
import shutil
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import httpx

from glstui.i18n import _
from glstui.secrets import refresh_token_name

if TYPE_CHECKING:
    from glstui.domain.integration import Integration
    from glstui.services.context import AppContext
    from glstui.services.doctor import Check

T = TypeVar("T")

DISK_FAIL_BYTES = 100 * 1024 * 1024  # a commit rewrites the whole store file
DISK_WARN_BYTES = 1024 * 1024 * 1024


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion, also when called from a thread with a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]


def check_free_disk(data_dir: Path) -> list[Check]:
    """Free space where the store file is rewritten on every commit."""
    from glstui.services.doctor import FAIL, PASS, WARN, Check

    try:
        free = shutil.disk_usage(data_dir).free
    except OSError as exc:
        return [
            Check(
                WARN,
                _("Free disk space of {path} is unknown ({reason})").format(
                    path=data_dir, reason=exc.strerror or exc
                ),
            )
        ]
    mb = free // (1024 * 1024)
    what = _("Free disk space for {path}: {mb} MB").format(path=data_dir, mb=mb)
    if free < DISK_FAIL_BYTES:
        return [Check(FAIL, what, _("free disk space: saving orders and labels will fail"))]
    if free < DISK_WARN_BYTES:
        return [Check(WARN, what, _("free disk space before it runs out"))]
    return [Check(PASS, what)]


def _shops_with_tokens(ctx: AppContext) -> list[tuple[Integration, str]]:
    with ctx.store.read() as view:
        shops = sorted(
            (i for i in view.integrations.all() if i.connected),
            key=lambda i: i.shop_name.casefold(),
        )
    out = []
    for integ in shops:
        token = ctx.secrets.get(refresh_token_name(integ.id))
        if token:
            out.append((integ, token))
    return out


async def _refresh_all(
    ctx: AppContext, shops: list[tuple[Integration, str]], timeout: float
) -> list[Check]:
    from glstui.amazon.errors import AmazonError, GrantRevoked, InvalidClient
    from glstui.amazon.lwa import LwaClient
    from glstui.amazon.ratelimit import RetryPolicy
    from glstui.services.doctor import FAIL, PASS, Check

    policy = RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=1.0)
    out: list[Check] = []
    async with httpx.AsyncClient(timeout=timeout) as http:
        lwa = LwaClient(
            http,
            ctx.endpoints.lwa_token_url,
            ctx.app_credentials(),
            retry=policy,
            rng=random.Random(),
        )
        for integ, token in shops:
            shop = integ.shop_name
            try:
                await lwa.access_token(token)
            except InvalidClient as exc:
                out.append(Check(FAIL, _("Amazon refused the app credentials"), exc.user_message))
                return out  # every shop would say the same
            except GrantRevoked as exc:
                out.append(
                    Check(
                        FAIL,
                        _("Shop {shop}: Amazon refused the token refresh").format(shop=shop),
                        exc.user_message,
                    )
                )
            except (AmazonError, httpx.HTTPError) as exc:
                reason = getattr(exc, "user_message", "") or type(exc).__name__
                out.append(
                    Check(
                        FAIL,
                        _("Shop {shop}: the Amazon token refresh failed").format(shop=shop),
                        reason,
                    )
                )
            else:
                out.append(
                    Check(PASS, _("Shop {shop}: Amazon token refresh works").format(shop=shop))
                )
    return out


def check_token_refresh(ctx: AppContext, timeout: float) -> list[Check]:
    """One real LWA refresh per connected shop (the first call of every import)."""
    try:
        shops = _shops_with_tokens(ctx)
        if not shops:
            return []
        ctx.app_credentials()
    except Exception:  # missing keys / locked store: check_secrets already said so
        return []
    return _run(lambda: _refresh_all(ctx, shops, timeout))


async def _validate_gls(ctx: AppContext, timeout: float) -> list[Check]:
    from glstui.gls.errors import GlsError
    from glstui.services.doctor import FAIL, PASS, Check

    async with httpx.AsyncClient(timeout=timeout) as http:
        client = ctx.gls_client(http)
        validate = getattr(client, "validate_login", None)
        if validate is None:
            return []
        try:
            await validate()
        except GlsError as exc:
            return [Check(FAIL, _("GLS refused the login check"), exc.user_message)]
        except httpx.HTTPError as exc:
            return [Check(FAIL, _("GLS refused the login check"), type(exc).__name__)]
    return [Check(PASS, _("GLS accepts the login"))]


def check_gls_login(ctx: AppContext, timeout: float) -> list[Check]:
    """GLS ValidateLogin with the stored user name, password and subscription key."""
    try:
        ctx.gls_client  # noqa: B018 - contexts without GLS have nothing to check
    except AttributeError:
        return []
    try:
        return _run(lambda: _validate_gls(ctx, timeout))
    except Exception as exc:  # missing keys (check_secrets said so) or an odd context
        if type(exc).__name__ == "MissingCredentials":
            return []
        raise
