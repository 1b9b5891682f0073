"""Login with Amazon in the sandbox: the token endpoint (code exchange, refresh grant), the
access-token check of every SP-API call, and the test hooks that revoke or expire tokens."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from glstui.sandbox.amazon.responses import (
    DETAIL_EXPIRED,
    DETAIL_INVALID_TOKEN,
    MSG_DENIED,
    ApiError,
    Response,
    json_response,
)
from glstui.sandbox.amazon.state import AccessEntry, RefreshEntry, SimState

ACCESS_TTL = 3600
# A seller's authorization lasts 365 days; then Amazon refuses its refresh token with
# invalid_grant and the seller must authorize again (a new code, a new refresh token).
GRANT_TTL = timedelta(days=365)


class LwaMixin(SimState):
    def issue_refresh_token(self, seller_id: str | None = None) -> str:
        with self.lock:
            token = "Atzr|" + secrets.token_urlsafe(48)
            self._refresh[token] = RefreshEntry(
                seller_id or self.default_seller, expires_at=self.clock.now() + GRANT_TTL
            )
            return token

    def expire_grant(self, refresh_token: str) -> None:
        """End an authorization now, as its 365 days running out would."""
        with self.lock:
            entry = self._refresh.get(refresh_token)
            if entry is not None:
                entry.expires_at = self.clock.now() - timedelta(seconds=1)

    def revoke(self, refresh_token: str | None = None, *, seller_id: str | None = None) -> None:
        """Revoke one refresh token, or every one of a seller (or of all sellers)."""
        with self.lock:
            for token, entry in self._refresh.items():
                if token == refresh_token or (
                    refresh_token is None and (seller_id is None or entry.seller_id == seller_id)
                ):
                    entry.revoked = True
            for token in [
                t for t, a in self._access.items() if self._refresh[a.refresh_token].revoked
            ]:
                del self._access[token]

    def expire_access_tokens(self) -> None:
        with self.lock:
            now = self.clock.now()
            for a in self._access.values():
                a.expires_at = now - timedelta(seconds=1)

    def expire_access_token(self, token: str) -> None:
        with self.lock:
            if token in self._access:
                self._access[token].expires_at = self.clock.now() - timedelta(seconds=1)

    def _lwa_error(self, status: int, error: str, description: str) -> Response:
        resp = json_response(
            status,
            {"error": error, "error_description": description, "request_id": str(uuid.uuid4())},
        )
        return resp

    def _lwa(self, form: dict[str, str]) -> Response:
        grant = form.get("grant_type", "")
        log = {"grant_type": grant}
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            r = self._lwa_error(401, "invalid_client", "Client authentication failed")
        elif grant == "authorization_code":
            r = self._exchange(form)
        elif grant == "refresh_token":
            r = self._refresh_grant(form)
        elif not grant:
            r = self._lwa_error(400, "invalid_request", "The request is missing grant_type")
        else:
            r = self._lwa_error(400, "unsupported_grant_type", "The grant type is not supported")
        r.log_body = log
        return r

    def _tokens(self, refresh_token: str, seller_id: str, with_refresh: bool) -> dict[str, Any]:
        access = "Atza|" + secrets.token_urlsafe(48)
        # The lifetime reported is in whole real seconds and never longer than the token lives
        # (a rounded-up figure made clients use a dead token for its last fraction of a second).
        life = max(1, int(ACCESS_TTL / self.clock.time_scale))
        lives = timedelta(seconds=max(ACCESS_TTL, life * self.clock.time_scale))
        self._access[access] = AccessEntry(refresh_token, seller_id, self.clock.now() + lives)
        data: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": life,
        }
        if with_refresh:
            data["refresh_token"] = refresh_token
        return data

    def _exchange(self, form: dict[str, str]) -> Response:
        code = self._codes.get(form.get("code", ""))
        bad = "The request has an invalid grant parameter : code"
        if code is None or code.used or self.clock.now() > code.expires_at:
            return self._lwa_error(400, "invalid_grant", bad)
        redirect = form.get("redirect_uri")
        if redirect and redirect != code.redirect_uri:
            return self._lwa_error(400, "invalid_grant", bad)
        code.used = True
        refresh = "Atzr|" + secrets.token_urlsafe(48)
        self._refresh[refresh] = RefreshEntry(
            code.seller_id, expires_at=self.clock.now() + GRANT_TTL
        )
        return json_response(200, self._tokens(refresh, code.seller_id, True))

    def _refresh_grant(self, form: dict[str, str]) -> Response:
        token = form.get("refresh_token", "")
        entry = self._refresh.get(token)
        if entry is None or entry.revoked or self._grant_over(entry):
            return self._lwa_error(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token. "
                "User may have revoked or didn't grant the permission.",
            )
        return json_response(200, self._tokens(token, entry.seller_id, False))

    def _grant_over(self, entry: RefreshEntry) -> bool:
        return entry.expires_at is not None and self.clock.now() >= entry.expires_at

    # --- SP-API -------------------------------------------------------------------------

    def _authorize(self, headers: dict[str, str]) -> str:
        token = headers.get("x-amz-access-token", "")
        entry = self._access.get(token)
        grant = self._refresh[entry.refresh_token] if entry is not None else None
        if entry is None or grant is None or grant.revoked or self._grant_over(grant):
            raise ApiError(403, "Unauthorized", MSG_DENIED, DETAIL_INVALID_TOKEN)
        if self.clock.now() >= entry.expires_at:
            raise ApiError(403, "Unauthorized", MSG_DENIED, DETAIL_EXPIRED)
        return entry.seller_id
