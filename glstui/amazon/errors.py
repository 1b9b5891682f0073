"""Typed Amazon errors, each with a plain-words `user_message` saying what to do.

No token, code or secret ever goes into these texts: they end up on screen and in logs.
"""

from __future__ import annotations

from glstui.domain.errors import GlstuiError


class AmazonError(GlstuiError):
    """Base of everything that can go wrong talking to Amazon."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class LwaError(AmazonError):
    """Login with Amazon refused the request for another reason than a bad grant."""

    def __init__(self, error: str, user_message: str) -> None:
        super().__init__(user_message)
        self.error = error


class InvalidClient(LwaError):
    def __init__(self) -> None:
        super().__init__(
            "invalid_client",
            "Amazon did not accept glstui's app credentials (LWA client id or client secret). "
            "Check them under Keys (Key beheer); a rotated client secret must be entered again.",
        )


class GrantRevoked(AmazonError):
    def __init__(self) -> None:
        super().__init__(
            "Amazon no longer accepts this shop's authorization: the seller revoked it or it "
            "expired (after 365 days). Re-connect this shop to authorize glstui again."
        )


class CodeExchangeFailed(AmazonError):
    def __init__(self, detail: str = "") -> None:
        text = (
            "Amazon did not accept the authorization code. A code is valid for 5 minutes and "
            "can be used only once: start the connection again, click Confirm in Seller Central "
            "and paste the new address right away."
        )
        super().__init__(f"{text} ({detail})" if detail else text)


class AmazonUnavailable(AmazonError):
    """Amazon could not be reached or kept failing after all retries."""


class AmazonApiError(AmazonError):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: str = "",
        operation: str = "",
        details: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.operation = operation
        self.details = details
        what = f"the {operation} request" if operation else "the request"
        text = f"Amazon rejected {what}: {message or code or f'HTTP {status}'}"
        if details:
            text += f" ({details})"
        hint = _HINTS.get(status)
        if hint:
            text = f"{text.rstrip('.')}. {hint}"
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)


_HINTS = {
    403: "Check that the shop is connected in the right region and re-connect it if needed",
    404: "Amazon does not know this order in this region",
    429: "Amazon is limiting requests: wait a few minutes, then try again",
    500: "Amazon had an internal error; try again later",
    503: "Amazon is temporarily unavailable; try again later",
}


# --- consent hand-off ----------------------------------------------------------------------


class ConsentError(AmazonError):
    """What the operator pasted back from Seller Central cannot be used."""


class EmptyPaste(ConsentError):
    def __init__(self) -> None:
        super().__init__(
            "Nothing was pasted. Copy the whole address from the browser's address bar after "
            "clicking Confirm in Seller Central, and paste it here."
        )


class StateMismatch(ConsentError):
    def __init__(self) -> None:
        super().__init__(
            "The pasted address does not belong to this connection request (its 'state' does "
            "not match). Use the address from the consent link glstui showed just now, or start "
            "the connection again."
        )


class ConsentExpired(ConsentError):
    def __init__(self) -> None:
        super().__init__(
            "This connection request has expired. Start the connection again and complete it "
            "in Seller Central within a few minutes."
        )


class MissingCode(ConsentError):
    def __init__(self, hint: str = "") -> None:
        text = (
            "The pasted text has no authorization code (spapi_oauth_code). After clicking "
            "Confirm in Seller Central, copy the complete address of the page you land on."
        )
        super().__init__(f"{text} {hint}" if hint else text)


CONSENT_PAGE_ERRORS: dict[str, str] = {
    "MD1000": (
        "the app is still a draft and the link lacked version=beta, or the link used the LWA "
        "client id instead of the app id (amzn1.sp.solution...). Check the app id under Keys "
        "and whether the app is published."
    ),
    "MD5101": (
        "the redirect address is not registered for this app. Register it in the Developer "
        "Console (Edit App) or leave it out so Amazon uses the first registered one."
    ),
    "MD5110": (
        "the redirect address contains a '#' fragment, which Amazon refuses. Register and use "
        "an address without '#'."
    ),
    "MD9000": (
        "the developer account is not currently eligible for new authorizations. The app's "
        "developer must resolve this with Amazon (Developer Central) first."
    ),
    "MD9010": (
        "the app is registered with an MWS developer id (hybrid app). Use an SP-API-only app "
        "id, or ask the developer to update the app registration."
    ),
    "MD4100": (
        "Amazon cannot find the application. Check the app id under Keys (it starts with "
        "amzn1.sp.solution.) and that the app is published or you used version=beta."
    ),
}


class AmazonConsentPageError(ConsentError):
    def __init__(self, code: str) -> None:
        self.code = code
        reason = CONSENT_PAGE_ERRORS.get(
            code, "Amazon refused the authorization. Start the connection again."
        )
        super().__init__(
            f"You pasted an Amazon error page ({code}) instead of the address after Confirm: "
            f"{reason}"
        )
