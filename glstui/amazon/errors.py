"""Typed Amazon errors, each with a plain-words `user_message` saying what to do.

No token, code or secret ever goes into these texts: they end up on screen and in logs.
Messages are `N_` templates translated when shown (see glstui/domain/errors.py).
"""

from __future__ import annotations

from glstui.domain.errors import N_, GlstuiError, Msg


class AmazonError(GlstuiError):
    """Base of everything that can go wrong talking to Amazon."""


class LwaError(AmazonError):
    """Login with Amazon refused the request for another reason than a bad grant."""

    def __init__(self, error: str, template: str, /, **params: object) -> None:
        super().__init__(template, **params)
        self.error = error


class InvalidClient(LwaError):
    def __init__(self) -> None:
        super().__init__(
            "invalid_client",
            N_(
                "Amazon did not accept glstui's app credentials (LWA client id or client secret). "
                "Check them under Keys (Key beheer); a rotated client secret must be entered again."
            ),
        )


class GrantRevoked(AmazonError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "Amazon no longer accepts this shop's authorization: the seller revoked it or it "
                "expired (after 365 days). Re-connect this shop to authorize glstui again."
            )
        )


_CODE_REFUSED = N_(
    "Amazon did not accept the authorization code: a code is valid for 5 minutes and can "
    "be used only once. Open the same consent link again, click Confirm in Seller Central "
    "and paste the new address right away."
)


class CodeExchangeFailed(AmazonError):
    def __init__(self, detail: str = "") -> None:
        if detail:
            super().__init__(N_("{text} ({detail})"), text=Msg(_CODE_REFUSED), detail=detail)
        else:
            super().__init__(_CODE_REFUSED)


class AmazonUnavailable(AmazonError):
    """Amazon could not be reached or kept failing after all retries."""


class AmazonApiError(AmazonError):
    """Amazon answered with an error; its own message and request id are shown literally."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | Msg,
        request_id: str = "",
        operation: str = "",
        details: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.message = message if isinstance(message, str) else ""  # Amazon's own words only
        self.request_id = request_id
        self.operation = operation
        self.details = details
        reason: str | Msg = message or code or f"HTTP {status}"
        hint = _HINTS.get(status)
        if hint and isinstance(reason, str) and not details:
            reason = reason.rstrip(".")  # "quota." + ". Amazon is limiting" reads as "quota.."
        text = (
            Msg(
                N_("Amazon rejected the {operation} request: {reason}"),
                operation=operation,
                reason=reason,
            )
            if operation
            else Msg(N_("Amazon rejected the request: {reason}"), reason=reason)
        )
        if details:
            text = Msg(N_("{text} ({details})"), text=text, details=details)
        if hint:
            text = Msg(N_("{text}. {hint}"), text=text, hint=Msg(hint))
        if request_id:
            text = Msg(N_("{text} (request id {request_id})"), text=text, request_id=request_id)
        super().__init__(text.template, **text.params)


_HINTS = {
    403: N_("Check that the shop is connected in the right region and re-connect it if needed"),
    404: N_("Amazon does not know this order in this region"),
    429: N_("Amazon is limiting requests; wait a few minutes, then try again"),
    500: N_("Amazon had an internal error; try again later"),
    503: N_("Amazon is temporarily unavailable; try again later"),
}


# --- consent hand-off ----------------------------------------------------------------------


class ConsentError(AmazonError):
    """What the operator pasted back from Seller Central cannot be used."""


class EmptyPaste(ConsentError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "Nothing was pasted. Copy the whole address from the browser's address bar after "
                "clicking Confirm in Seller Central, and paste it here."
            )
        )


class StateMismatch(ConsentError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "The pasted address does not belong to this connection request: its 'state' does "
                "not match the link shown here (it comes from an older or another link). Open "
                "the link shown here, click Confirm and paste the address you land on."
            )
        )


class ConsentExpired(ConsentError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "This connection request has expired. Start the connection again and complete it "
                "in Seller Central within a few minutes."
            )
        )


_NO_CODE = N_(
    "The pasted text has no authorization code (spapi_oauth_code). After clicking "
    "Confirm in Seller Central, copy the complete address of the page you land on."
)


class MissingCode(ConsentError):
    """`hint` is an `N_` template that says what the pasted text looks like instead."""

    def __init__(self, hint: str = "") -> None:
        if hint:
            super().__init__(N_("{text} {hint}"), text=Msg(_NO_CODE), hint=Msg(hint))
        else:
            super().__init__(_NO_CODE)


CONSENT_PAGE_ERRORS: dict[str, str] = {
    "MD1000": N_(
        "the app is still a draft and the link lacked version=beta (press ctrl+b for a link "
        "with it), or the link used the LWA client id instead of the app id "
        "(amzn1.sp.solution...): check the app id under Keys."
    ),
    "MD5101": N_(
        "the redirect address is not registered for this app. Register it in the Developer "
        "Console (Edit App) or leave it out so Amazon uses the first registered one."
    ),
    "MD5110": N_(
        "the redirect address contains a '#' fragment, which Amazon refuses. Register and use "
        "an address without '#'."
    ),
    "MD9000": N_(
        "the developer account is not currently eligible for new authorizations. The app's "
        "developer must resolve this with Amazon (Developer Central) first."
    ),
    "MD9010": N_(
        "the app is registered with an MWS developer id (hybrid app). Use an SP-API-only app "
        "id, or ask the developer to update the app registration."
    ),
    "MD4100": N_(
        "Amazon cannot find the application. Check the app id under Keys (it starts with "
        "amzn1.sp.solution.) and that the app is published, or press ctrl+b for a link with "
        "version=beta while it is a draft."
    ),
}


class AmazonConsentPageError(ConsentError):
    def __init__(self, code: str) -> None:
        self.code = code
        reason = CONSENT_PAGE_ERRORS.get(
            code, N_("Amazon refused the authorization. Start the connection again.")
        )
        super().__init__(
            N_(
                "You pasted an Amazon error page ({code}) instead of the address after Confirm: "
                "{reason}"
            ),
            code=code,
            reason=Msg(reason),
        )
