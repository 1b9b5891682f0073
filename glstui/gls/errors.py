"""What can go wrong talking to GLS, each with a message an operator can act on.

`str(exc)` is short and names fields only (it may reach a log, so no addresses, no
credentials); `user_message` is the full text for the screen, field by field, translated when
read (templates marked `N_`, see glstui/domain/errors.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from glstui.domain.errors import N_, GlstuiError, Msg, current_text

_SECTIONS = {
    "addresses.deliveryaddress": N_("Recipient"),
    "addresses.pickupaddress": N_("Sender"),
    "notificationemail": N_("Notification e-mail"),
    "services": N_("Service"),
}
_FIELDS = {
    "name1": N_("name"),
    "name2": N_("name line 2"),
    "name3": N_("name line 3"),
    "street": N_("street"),
    "houseno": N_("house number"),
    "housenoext": N_("house number addition"),
    "zipcode": N_("postcode"),
    "city": N_("city"),
    "countrycode": N_("country"),
    "contact": N_("contact person"),
    "phone": N_("phone"),
    "email": N_("e-mail"),
    "addresseetype": N_("addressee type (b or p)"),
    "reference": N_("Reference"),
    "labeltype": N_("Label type"),
    "units": N_("Parcels"),
    "unitid": N_("id"),
    "unitno": N_("Parcel number"),
    "weight": N_("weight"),
    "shippingdate": N_("Shipping date"),
    "customerno": N_("GLS customer number"),
    "expressservice": N_("express"),
    "shopdeliveryparcelshopid": N_("ParcelShop id"),
}
_UNIT = re.compile(r"^units\[(\d+)\]\.?(.*)$")


def field_label(path: str) -> str:
    """'addresses.deliveryAddress.street' -> 'Recipient street' (any case, '$.' allowed)."""
    return _label(path, str)


def _label(path: str, show: Callable[[Msg], str]) -> str:
    """The field's name as `show` renders it, capitalised unless it is GLS's own path."""
    msg = field_message(path)
    text = show(msg)
    return text if msg.template == path else text[:1].upper() + text[1:]


def field_message(path: str) -> Msg:
    """The field's name for the operator, translated when shown (`field_label` is English)."""
    key = path.strip().removeprefix("$.").lower()
    m = _UNIT.match(key)
    if m:
        if not m[2]:
            return Msg(N_("Parcel {n}"), n=int(m[1]) + 1)
        return Msg(N_("Parcel {n} {field}"), n=int(m[1]) + 1, field=Msg(_FIELDS.get(m[2], m[2])))
    for prefix, section in _SECTIONS.items():
        if key.startswith(prefix + "."):
            name = key[len(prefix) + 1 :]
            return Msg(
                N_("{section} {field}"), section=Msg(section), field=Msg(_FIELDS.get(name, name))
            )
    if key in _FIELDS:
        return Msg(_FIELDS[key])
    return Msg(path)  # a field we have no name for: shown as GLS wrote it


_MAY_EXIST = N_(
    "The label may have been made anyway: check the GLS portal before creating it again."
)


def failure_advice(operation: str, retryable: bool, outcome_unknown: bool, transaction: str) -> Msg:
    """What the operator does after a GLS failure that is not a login or a field error."""
    if outcome_unknown:  # a 5xx after Label/Create was sent: GLS may have made the label
        return Msg(_MAY_EXIST)
    if retryable:
        return Msg(N_("Try again later."))
    advice = Msg(
        N_(
            "Check the order's address and parcels, then create the label again; if GLS "
            "refuses it again, contact GLS support."
        )
        if operation == "Label/Create"
        else N_("Try again; if GLS refuses again, contact GLS support.")
    )
    if transaction:
        return Msg(
            N_("{advice} (GLS transaction {transaction})"), advice=advice, transaction=transaction
        )
    return advice


class GlsError(GlstuiError):
    """GLS did not do what was asked.

    retryable: trying again later makes sense (GLS busy or unreachable).
    outcome_unknown: the request may have been carried out although no answer came back
    (a timeout after Label/Create was sent): look before creating the label again.
    log: the short English text `str(exc)` gives (for logs); the template when empty.
    """

    def __init__(
        self,
        template: str,
        /,
        *,
        log: str = "",
        status: int | None = None,
        transaction_id: str = "",
        retryable: bool = False,
        outcome_unknown: bool = False,
        **params: object,
    ) -> None:
        super().__init__(template, **params)
        self.log = log
        self.status = status
        self.transaction_id = transaction_id
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        return self.log or super().__str__()


_LOGIN_REFUSED = N_(
    "GLS refused the login: check the GLS user name, password and subscription key in Key beheer."
)


class GlsAuthError(GlsError):
    """401: user name, password or subscription key is wrong."""

    def __init__(self, detail: str = "", *, status: int | None = 401, transaction_id: str = ""):
        if detail:
            super().__init__(
                N_("{text}\n(GLS said: {detail})"),
                log=_LOGIN_REFUSED,
                text=Msg(_LOGIN_REFUSED),
                detail=detail,
                status=status,
                transaction_id=transaction_id,
            )
        else:
            super().__init__(_LOGIN_REFUSED, status=status, transaction_id=transaction_id)


class GlsValidationError(GlsError):
    """Fields GLS will not accept: field path -> problems (checked by us, or GLS's 422).

    A problem is a `Msg` (ours, translated when shown) or GLS's own text (shown literally);
    `errors` holds them as English strings.
    """

    def __init__(
        self,
        problems: Mapping[str, Sequence[str | Msg]],
        *,
        reason: str | Msg = "",
        status: int | None = None,
        transaction_id: str = "",
    ) -> None:
        self.problems = {k: list(v) for k, v in problems.items()}
        self.errors = {k: [str(p) for p in v] for k, v in self.problems.items()}
        self.reason = reason
        super().__init__(
            N_("GLS cannot make this label"),
            log=f"GLS cannot make this label: {', '.join(self.errors) or 'no field named'}",
            status=status,
            transaction_id=transaction_id,
        )

    def field_problems(self) -> dict[str, list[str]]:
        """Field name -> problems, both in the language in use (GLS's own words as they are)."""
        return {
            _label(k, current_text): [current_text(p) if isinstance(p, Msg) else p for p in v]
            for k, v in self.problems.items()
        }

    @property
    def user_message(self) -> str:
        head = current_text(N_("GLS cannot make this label"))
        if self.reason:
            reason = current_text(self.reason) if isinstance(self.reason, Msg) else self.reason
            head = current_text(Msg(N_("{text} ({reason})"), text=head, reason=reason.rstrip(".")))
        lines = [f"- {name}: {'; '.join(texts)}" for name, texts in self.field_problems().items()]
        return head + ":\n" + "\n".join(lines) if lines else head + "."
