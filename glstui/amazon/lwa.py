"""Login with Amazon: turn a consent code into a refresh token, and refresh tokens into
access tokens, cached per refresh token until shortly before they expire.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from dataclasses import dataclass

import httpx

from glstui.amazon.errors import CodeExchangeFailed, GrantRevoked, InvalidClient, LwaError
from glstui.amazon.ratelimit import Monotonic, RetryPolicy, Sleep
from glstui.amazon.transport import Reply, call_with_retry, parse_reply
from glstui.domain.errors import N_, Msg

log = logging.getLogger("glstui.amazon")

# Refresh this many (Amazon) seconds before the access token's expires_in runs out.
REFRESH_MARGIN = 60.0
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=UTF-8"


@dataclass(frozen=True)
class AppCredentials:
    app_id: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"AppCredentials(app_id={self.app_id!r}, client_id=..., client_secret=...)"


@dataclass
class _Cached:
    token: str
    expires_at: float  # monotonic


def _key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class LwaClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        token_url: str,
        credentials: AppCredentials,
        *,
        retry: RetryPolicy,
        rng: random.Random,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic = time.monotonic,
        time_scale: float = 1.0,
        user_agent: str = "glstui",
    ) -> None:
        self._http = http
        self.token_url = token_url
        self._credentials = credentials
        self._retry = retry
        self._rng = rng
        self._sleep = sleep
        self._monotonic = monotonic
        self.time_scale = time_scale
        self._user_agent = user_agent
        self._cache: dict[str, _Cached] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.token_requests = 0  # how many times LWA was asked, for reports and tests

    async def _post(self, form: dict[str, str], what: str) -> Reply:
        form = {
            **form,
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret,
        }
        headers = {"content-type": FORM_CONTENT_TYPE, "user-agent": self._user_agent}

        async def attempt() -> Reply:
            self.token_requests += 1
            resp = await self._http.post(self.token_url, data=form, headers=headers)
            return parse_reply(resp)

        return await call_with_retry(
            attempt, what=what, policy=self._retry, rng=self._rng, sleep=self._sleep
        )

    @staticmethod
    def _error(reply: Reply) -> tuple[str, str]:
        data = reply.data if isinstance(reply.data, dict) else {}
        return str(data.get("error", "")), str(data.get("error_description", ""))

    def _raise_common(self, reply: Reply, what: str) -> None:
        error, _ = self._error(reply)
        if error == "invalid_client" or reply.status == 401:
            raise InvalidClient()
        if reply.status >= 500 or reply.malformed:
            raise LwaError(
                error or str(reply.status),
                N_(
                    "Login with Amazon is not answering properly ({what}, HTTP {status}). "
                    "Try again in a few minutes."
                ),
                what=Msg(what),
                status=reply.status,
            )
        raise LwaError(
            error or str(reply.status),
            N_("Login with Amazon refused {what} ({error}). Check the app credentials under Keys."),
            what=Msg(what),
            error=error or f"HTTP {reply.status}",
        )

    async def exchange_code(self, code: str, redirect_uri: str | None = None) -> dict:
        """Authorization code -> token response (refresh_token, access_token, expires_in)."""
        form = {"grant_type": "authorization_code", "code": code.strip()}
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        reply = await self._post(form, N_("the code exchange"))
        data = reply.data if isinstance(reply.data, dict) else {}
        if reply.status == 200 and data.get("refresh_token"):
            refresh = str(data["refresh_token"])
            if data.get("access_token"):
                self._store(refresh, str(data["access_token"]), data.get("expires_in"))
            log.info("LWA code exchanged for a refresh token")
            return data
        error, _ = self._error(reply)
        if error in ("invalid_grant", "invalid_request") and reply.status < 500:
            raise CodeExchangeFailed()
        self._raise_common(reply, N_("the code exchange"))
        raise AssertionError("unreachable")  # pragma: no cover

    def _store(self, refresh_token: str, access_token: str, expires_in: object) -> None:
        try:
            seconds = float(expires_in)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            seconds = 3600.0
        # expires_in is in real seconds (the sandbox reports its real lifetime too)
        life = max(seconds - REFRESH_MARGIN / self.time_scale, 0.0)
        self._cache[_key(refresh_token)] = _Cached(access_token, self._monotonic() + life)

    def invalidate(self, refresh_token: str) -> None:
        self._cache.pop(_key(refresh_token), None)

    async def access_token(self, refresh_token: str) -> str:
        key = _key(refresh_token)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._cache.get(key)
            if cached and self._monotonic() < cached.expires_at:
                return cached.token
            reply = await self._post(
                {"grant_type": "refresh_token", "refresh_token": refresh_token},
                N_("the access token refresh"),
            )
            data = reply.data if isinstance(reply.data, dict) else {}
            if reply.status == 200 and data.get("access_token"):
                token = str(data["access_token"])
                self._store(refresh_token, token, data.get("expires_in"))
                log.info("LWA access token refreshed")
                return token
            error, _ = self._error(reply)
            if error == "invalid_grant":
                self.invalidate(refresh_token)
                log.warning("LWA refused the refresh token (invalid_grant): shop needs re-auth")
                raise GrantRevoked()
            self._raise_common(reply, N_("the access token refresh"))
            raise AssertionError("unreachable")  # pragma: no cover
