"""What can go wrong talking to GLS, each with a message an operator can act on.

`str(exc)` is short and names fields only (it may reach a log, so no addresses, no
credentials); `user_message` is the full text for the screen, field by field.
"""

from __future__ import annotations

import re

from glstui.domain.errors import GlstuiError

_SECTIONS = {
    "addresses.deliveryaddress": "Recipient",
    "addresses.pickupaddress": "Sender",
    "notificationemail": "Notification e-mail",
    "services": "Service",
}
_FIELDS = {
    "name1": "name",
    "name2": "name line 2",
    "name3": "name line 3",
    "street": "street",
    "houseno": "house number",
    "housenoext": "house number addition",
    "zipcode": "postcode",
    "city": "city",
    "countrycode": "country",
    "contact": "contact person",
    "phone": "phone",
    "email": "e-mail",
    "addresseetype": "addressee type (b or p)",
    "reference": "Reference",
    "labeltype": "Label type",
    "units": "Parcels",
    "unitid": "id",
    "unitno": "Parcel number",
    "weight": "weight",
    "shippingdate": "Shipping date",
    "customerno": "GLS customer number",
    "expressservice": "express",
    "shopdeliveryparcelshopid": "ParcelShop id",
}
_UNIT = re.compile(r"^units\[(\d+)\]\.?(.*)$")


def field_label(path: str) -> str:
    """'addresses.deliveryAddress.street' -> 'Recipient street' (any case, '$.' allowed)."""
    key = path.strip().removeprefix("$.").lower()
    m = _UNIT.match(key)
    if m:
        rest = _FIELDS.get(m[2], m[2]) if m[2] else ""
        return f"Parcel {int(m[1]) + 1} {rest}".strip()
    for prefix, section in _SECTIONS.items():
        if key.startswith(prefix + "."):
            name = key[len(prefix) + 1 :]
            return f"{section} {_FIELDS.get(name, name)}"
    if key in _FIELDS:
        label = _FIELDS[key]
        return label[0].upper() + label[1:]
    return path


def failure_advice(operation: str, retryable: bool, outcome_unknown: bool, transaction: str) -> str:
    """What the operator does after a GLS failure that is not a login or a field error."""
    if outcome_unknown:  # a 5xx after Label/Create was sent: GLS may have made the label
        return "The label may have been made anyway: check the GLS portal before creating it again."
    if retryable:
        return "Try again later."
    advice = (
        "Check the order's address and parcels, then create the label again; if GLS refuses "
        "it again, contact GLS support."
        if operation == "Label/Create"
        else "Try again; if GLS refuses again, contact GLS support."
    )
    if transaction:
        advice += f" (GLS transaction {transaction})"
    return advice


class GlsError(GlstuiError):
    """GLS did not do what was asked.

    retryable: trying again later makes sense (GLS busy or unreachable).
    outcome_unknown: the request may have been carried out although no answer came back
    (a timeout after Label/Create was sent): look before creating the label again.
    """

    def __init__(
        self,
        message: str,
        *,
        user_message: str | None = None,
        status: int | None = None,
        transaction_id: str = "",
        retryable: bool = False,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.user_message = user_message or message
        self.status = status
        self.transaction_id = transaction_id
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown


class GlsAuthError(GlsError):
    """401: user name, password or subscription key is wrong."""

    def __init__(self, detail: str = "", *, status: int | None = 401, transaction_id: str = ""):
        text = (
            "GLS refused the login: check the GLS user name, password and subscription key "
            "in Key beheer."
        )
        super().__init__(
            text,
            user_message=f"{text}\n(GLS said: {detail})" if detail else text,
            status=status,
            transaction_id=transaction_id,
        )


class GlsValidationError(GlsError):
    """Fields GLS will not accept: field path -> messages (checked by us, or GLS's 422)."""

    def __init__(
        self,
        errors: dict[str, list[str]],
        *,
        message: str = "",
        status: int | None = None,
        transaction_id: str = "",
    ) -> None:
        self.errors = {k: list(v) for k, v in errors.items()}
        lines = [f"- {field_label(k)}: {'; '.join(v)}" for k, v in self.errors.items()]
        head = "GLS cannot make this label"
        short = f"{head}: {', '.join(self.errors) or 'no field named'}"
        if message:
            head += f" ({message.rstrip('.')})"
        super().__init__(
            short,
            user_message=head + ":\n" + "\n".join(lines) if lines else head + ".",
            status=status,
            transaction_id=transaction_id,
        )
