"""Client for the GLS Netherlands Label API (api.gls.nl): log in, create and delete labels.

Auth is two-part: the Azure API Management header `Ocp-Apim-Subscription-Key` and the MyGLS
`username`/`password` inside the JSON body of every POST. Field limits are checked here
before the call, so an operator sees "Recipient street: at most 40 characters" instead of a
rejected request; GLS's own 422 `errors` map becomes the same GlsValidationError.

Retries: only where a repeat cannot make a second label. A request that never left
(connection refused) and a 429 from the gateway are retried for every call; timeouts and
5xx are retried for ValidateLogin and Label/Delete only. A Label/Create that timed out or
got a 5xx raises GlsError(retryable=True, outcome_unknown=True): the label may exist.
Waits follow the one RetryPolicy Amazon uses too (full jitter, divided by the time scale), so
many stations retrying after a GLS hiccup do not all knock again at the same instant.

Credentials never appear in exceptions or logs; addresses never appear in logs.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import httpx

from glstui.domain.errors import N_, Msg
from glstui.domain.gls_limits import (
    ADDRESS_LIMITS,
    ADDRESS_REQUIRED,
    EXPRESS,
    LABEL_TYPES,
    REFERENCE_MAX,
    UNIT_ID_MAX,
    UNIT_NO_MAX,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
)
from glstui.domain.retry import RetryPolicy, Sleep
from glstui.gls.errors import GlsAuthError, GlsError, GlsValidationError, failure_advice

log = logging.getLogger("glstui.gls")

GLS_LIVE_URL = "https://api.gls.nl/V1/api/"
GLS_TEST_URL = "https://api.gls.nl/Test/V1/api/"


def environment_of(base_url: str) -> str:
    """ "test" for a base URL of GLS's test environment (its `/Test/` path), else "live"."""
    return "test" if "/test/" in base_url.lower() else "live"


API_VERSION = "1.0"
SHIPPING_SYSTEM = "glstui"

BOOL_SERVICES = (
    "addresseeOnlyService",
    "saturdayService",
    "economyParcel",
    "letterBoxParcel",
    "shopDeliveryService",
    "shopDeliveryPlusService",
    "shopReturnService",
    "ageCheckService",
)
STR_SERVICES = ("expressService", "shopDeliveryParcelShopId", "expressConfirmSMS")


# A person waits at the label screen: three tries within about a second and a half (real time).
GLS_RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0)


@dataclass
class GlsAddress:
    """One address as GLS takes it (deliveryAddress or pickupAddress)."""

    name1: str
    street: str
    zip_code: str
    city: str
    country_code: str
    name2: str = ""
    name3: str = ""
    house_no: str = ""
    house_no_ext: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    addressee_type: str = ""  # delivery only: "b" business, "p" private

    def to_api(self, delivery: bool) -> dict[str, str]:
        body = {
            "name1": self.name1,
            "name2": self.name2,
            "name3": self.name3,
            "street": self.street,
            "houseNo": self.house_no,
            "houseNoExt": self.house_no_ext,
            "zipCode": self.zip_code,
            "city": self.city,
            "countryCode": (self.country_code or "").upper(),
            "contact": self.contact,
            "phone": self.phone,
            "email": self.email,
        }
        if delivery:
            body["addresseeType"] = self.addressee_type
        return {k: v for k, v in body.items() if v}


@dataclass
class LabelRequest:
    """Everything Label/Create needs for one shipment (one or more parcels)."""

    reference: str  # the Amazon order id (GLS: at most 20 characters)
    delivery: GlsAddress
    units: list[tuple[str, float]]  # (unit id, weight in kg) per parcel
    label_type: str = "pdf"
    pickup: GlsAddress | None = None  # the sender; GLS uses the account's address if None
    shipping_date: date | None = None
    services: dict[str, Any] = field(default_factory=dict)
    tracking_link_type: str = "u"
    # GLS e-mails the recipient (delivery.email) about the delivery (notificationEmail)
    notify_recipient: bool = False


@dataclass
class LabelUnit:
    unit_id: str
    unit_no: str  # the parcel number = the tracking number
    tracking_link: str = ""
    label: bytes | None = None  # this parcel's label (pdfA6U, zpl)
    unique_no: str = ""


@dataclass
class LabelResult:
    units: list[LabelUnit]
    labels: bytes | None  # all labels in one file (PDF or ZPL)
    transaction_id: str = ""
    shipment_tracking_link: str = ""
    environment: str = ""  # "test" | "live": the GLS environment that made it

    @property
    def parcel_numbers(self) -> list[str]:
        return [u.unit_no for u in self.units]


TEST_ONLY_SERVICES = ("ageCheckService",)  # in GLS's test spec, not (yet) in production's


def environment_errors(req: LabelRequest, environment: str) -> dict[str, list[str | Msg]]:
    """Services GLS's production spec does not list, refused before a live Label/Create."""
    if environment != "live":
        return {}
    return {
        f"services.{key}": [Msg(N_("is offered by GLS's test environment only, not by GLS live"))]
        for key in TEST_ONLY_SERVICES
        if req.services.get(key)
    }


def validate_request(req: LabelRequest, customer_no: str = "") -> dict[str, list[str | Msg]]:
    """GLS's field rules, checked before the call: field path -> problems (empty if fine)."""
    errors: dict[str, list[str | Msg]] = {}

    def add(path: str, template: str, **params: object) -> None:
        errors.setdefault(path, []).append(Msg(template, **params))

    if not req.reference:
        add("reference", N_("is required (the order id)"))
    elif len(req.reference) > REFERENCE_MAX:
        add(
            "reference",
            N_("at most {max} characters (now {now})"),
            max=REFERENCE_MAX,
            now=len(req.reference),
        )
    if req.label_type not in LABEL_TYPES:
        add("labelType", N_("must be one of {choices}"), choices=", ".join(LABEL_TYPES))
    if req.tracking_link_type not in ("u", "s"):
        add("trackingLinkType", N_("must be u or s"))
    if customer_no and not (7 <= len(customer_no) <= 8):
        add("customerNo", N_("must be 7 or 8 characters"))
    if not req.units:
        add("units", N_("at least one parcel is needed"))
    seen: set[str] = set()
    for i, (unit_id, weight) in enumerate(req.units):
        if not unit_id or len(str(unit_id)) > UNIT_ID_MAX:
            add(f"units[{i}].unitId", N_("is required, at most {max} characters"), max=UNIT_ID_MAX)
        elif unit_id in seen:
            add(f"units[{i}].unitId", N_("is used twice in this shipment"))
        seen.add(unit_id)
        try:
            kg = float(weight)
        except (TypeError, ValueError):
            kg = float("nan")
        if not (WEIGHT_MIN_KG <= kg <= WEIGHT_MAX_KG):
            add(
                f"units[{i}].weight",
                N_("must be between {low} and {high} kg (now {now})"),
                low=WEIGHT_MIN_KG,
                high=WEIGHT_MAX_KG,
                now=weight,
            )
    _check_address(req.delivery, "addresses.deliveryAddress", True, add)
    if req.pickup is not None:
        _check_address(req.pickup, "addresses.pickupAddress", False, add)
    for key, value in req.services.items():
        path = f"services.{key}"
        if key in BOOL_SERVICES:
            if not isinstance(value, bool):
                add(path, N_("must be true or false"))
        elif key == "expressService":
            if value not in EXPRESS:
                add(path, N_("must be one of {choices}"), choices=", ".join(EXPRESS))
        elif key in STR_SERVICES:
            if not isinstance(value, str):
                add(path, N_("must be text"))
        else:
            add(path, N_("is not a GLS service"))
    return errors


def _check_address(addr: GlsAddress, prefix: str, delivery: bool, add) -> None:
    body = addr.to_api(delivery)
    for name in ADDRESS_REQUIRED:
        if not body.get(name):
            add(f"{prefix}.{name}", N_("is required"))
    for name, limit in ADDRESS_LIMITS.items():
        value = body.get(name, "")
        if len(value) > limit:
            add(
                f"{prefix}.{name}",
                N_("at most {max} characters (now {now})"),
                max=limit,
                now=len(value),
            )
    cc = body.get("countryCode", "")
    if cc and not (len(cc) == 2 and cc.isascii() and cc.isalpha()):
        add(f"{prefix}.countryCode", N_("must be a two-letter country code such as NL"))
    if delivery and addr.addressee_type not in ("", "b", "p"):
        add(f"{prefix}.addresseeType", N_("must be b (business) or p (private)"))


def label_body(req: LabelRequest, customer_no: str = "") -> dict[str, Any]:
    """The Label/Create JSON body without the credentials."""
    body: dict[str, Any] = {
        "shippingSystemName": SHIPPING_SYSTEM,
        "shiptype": "p",
        "reference": req.reference,
        "trackingLinkType": req.tracking_link_type,
        "labelType": req.label_type,
        "units": [
            {"unitId": str(unit_id), "weight": round(float(kg), 2)} for unit_id, kg in req.units
        ],
        "addresses": {"deliveryAddress": req.delivery.to_api(True)},
    }
    if customer_no:
        body["customerNo"] = customer_no
    if req.pickup is not None:
        body["addresses"]["pickupAddress"] = req.pickup.to_api(False)
    if req.shipping_date is not None:
        day = req.shipping_date.date() if isinstance(req.shipping_date, datetime) else None
        body["shippingDate"] = (day or req.shipping_date).isoformat()
    services = {k: v for k, v in req.services.items() if v is not None}
    if services:
        body["services"] = services
    if req.notify_recipient and req.delivery.email:
        body["notificationEmail"] = notification_email(req.pickup)
    return body


NOTIFY_SENDER_MAX = 30  # notificationEmail.senderName (GLS's spec)


def notification_email(sender: GlsAddress | None) -> dict[str, Any]:
    """GLS's notificationEmail: send the recipient GLS's delivery e-mails, signed with the
    sender's name and reply address when the settings have them."""
    note: dict[str, Any] = {"sendMail": True}
    if sender is not None and sender.name1:
        note["senderName"] = sender.name1[:NOTIFY_SENDER_MAX]
    if sender is not None and sender.email:
        note["senderReplyAddress"] = sender.email
    return note


def _b64(value: Any) -> bytes | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return None


class GlsClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        subscription_key: str,
        username: str,
        password: str,
        customer_no: str = "",
        *,
        sleep: Sleep = asyncio.sleep,
        time_scale: float = 1.0,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/") + "/"
        self._key = subscription_key
        self._username = username
        self._password = password
        self.customer_no = customer_no
        self._sleep = sleep
        self.retry = retry or replace(GLS_RETRY, time_scale=time_scale)
        self._rng = rng or random.Random()

    def __repr__(self) -> str:  # never the credentials
        return f"GlsClient(base_url={self.base_url!r})"

    @property
    def environment(self) -> str:
        """ "test" or "live": which GLS environment makes this client's labels.

        GLS NL's test environment is the `/Test/` path of the same host (the sandbox answers
        both alike), so the path decides; labels of the test environment are not real parcels.
        """
        return environment_of(self.base_url)

    async def validate_login(self) -> None:
        """Raise GlsAuthError if the user name, password or subscription key is wrong."""
        await self._post("Authentication/ValidateLogin", {}, idempotent=True)

    async def create_label(self, req: LabelRequest) -> LabelResult:
        errors = validate_request(req, self.customer_no) | environment_errors(req, self.environment)
        if errors:
            raise GlsValidationError(errors, reason=Msg(N_("checked before sending")))
        data = await self._post("Label/Create", label_body(req, self.customer_no), idempotent=False)
        units = []
        for raw in data.get("units") or []:
            units.append(
                LabelUnit(
                    unit_id=str(raw.get("unitId") or ""),
                    unit_no=str(raw.get("unitNo") or ""),
                    tracking_link=str(raw.get("unitTrackingLink") or ""),
                    label=_b64(raw.get("label")),
                    unique_no=str(raw.get("uniqueNo") or ""),
                )
            )
        if not units or not all(u.unit_no for u in units):
            raise GlsError(
                N_(
                    "GLS created no parcel number for this label: try again, and "
                    "check in the GLS portal that no label was made twice."
                ),
                log="GLS answered Label/Create without parcel numbers",
                transaction_id=str(data.get("transactionId") or ""),
                outcome_unknown=True,
            )
        result = LabelResult(
            units=units,
            labels=_b64(data.get("labels")),
            transaction_id=str(data.get("transactionId") or ""),
            shipment_tracking_link=str(data.get("shipmentTrackingLink") or ""),
            environment=self.environment,
        )
        log.info(
            "GLS label created: %d parcel(s), transaction %s",
            len(units),
            result.transaction_id or "-",
        )
        return result

    async def delete_label(self, unit_no: str) -> None:
        """Cancel one parcel's label (its unitNo)."""
        if not unit_no or len(unit_no) > UNIT_NO_MAX:
            raise GlsValidationError(
                {"unitNo": [Msg(N_("is required, at most {max} characters"), max=UNIT_NO_MAX)]},
                reason=Msg(N_("checked before sending")),
            )
        await self._post("Label/Delete", {"unitNo": unit_no, "shiptype": "p"}, idempotent=True)
        log.info("GLS label deleted: parcel %s", unit_no)

    # --- transport -------------------------------------------------------------------

    async def _post(self, operation: str, payload: dict[str, Any], *, idempotent: bool) -> dict:
        body = {"username": self._username, "password": self._password, **payload}
        url = self.base_url + operation
        headers = {
            "Ocp-Apim-Subscription-Key": self._key,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        for attempt in range(1, self.retry.max_attempts + 1):
            last = attempt == self.retry.max_attempts
            try:
                resp = await self._http.post(
                    url, params={"api-version": API_VERSION}, json=body, headers=headers
                )
            except httpx.ConnectError:
                if last:
                    raise GlsError(
                        N_("Could not reach GLS: check the internet connection and try again."),
                        log=f"Could not connect to GLS for {operation}",
                        retryable=True,
                    ) from None
                await self._pause(operation, attempt, "connection failed")
                continue
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                kind = (
                    N_("timed out") if isinstance(exc, httpx.TimeoutException) else N_("broke off")
                )
                if idempotent and not last:
                    await self._pause(operation, attempt, kind)
                    continue
                raise GlsError(
                    N_(
                        "GLS did not answer ({kind}). The label may have been made anyway: "
                        "check the GLS portal before creating it again."
                    )
                    if not idempotent
                    else N_("GLS did not answer ({kind}). Try again later."),
                    log=f"GLS {operation} {kind}",
                    kind=Msg(kind),
                    retryable=True,
                    outcome_unknown=not idempotent,
                ) from None
            status = resp.status_code
            again = status == 429 or (idempotent and status in (500, 502, 503, 504))
            if again and not last:
                await self._pause(operation, attempt, f"HTTP {status}")
                continue
            return self._read(operation, resp, idempotent)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _pause(self, operation: str, attempt: int, why: str) -> None:
        delay = self.retry.delay(attempt, self._rng)
        log.warning(
            "GLS %s %s (attempt %d/%d), retrying in %.2fs",
            operation,
            why,
            attempt,
            self.retry.max_attempts,
            delay,
        )
        await self._sleep(delay)

    def _read(self, operation: str, resp: httpx.Response, idempotent: bool) -> dict:
        status = resp.status_code
        try:
            data = resp.json() if resp.content else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("GLS %s: HTTP %d with a body that is not JSON", operation, status)
            if status == 401:
                raise GlsAuthError(status=status)
            raise GlsError(
                N_("GLS gave an unreadable answer (HTTP {status}). Try again later."),
                log=f"GLS {operation}: HTTP {status}, unreadable answer",
                status=status,
                retryable=status >= 500 or status == 429,
                outcome_unknown=not idempotent and status >= 500,
            )
        envelope_status = str(data.get("status") or status)
        transaction = str(data.get("transactionId") or "")
        message = str(data.get("message") or "")
        failed = status >= 400 or data.get("error") is True or envelope_status not in ("200", "")
        if not failed:
            return data
        code = int(envelope_status) if envelope_status.isdigit() else status
        if status >= 400:
            code = status
        # APIM's own 401 ({"statusCode": 401, "message": "Access denied due to ..."}) too.
        log.warning(
            "GLS %s failed: HTTP %d, status %s, transaction %s, fields %s",
            operation,
            status,
            envelope_status,
            transaction or "-",
            ",".join(_errors_map(data)) or "-",
        )
        if code == 401 or code == 403:
            raise GlsAuthError(message, status=code, transaction_id=transaction)
        errors = _errors_map(data)
        if errors:
            raise GlsValidationError(
                errors, reason=message, status=code, transaction_id=transaction
            )
        retryable = code >= 500 or code in (424, 429)
        unknown = not idempotent and code >= 500
        said = message.strip().rstrip(".")
        head = (
            Msg(N_("GLS could not do this (HTTP {code}): {message}."), code=code, message=said)
            if said
            else Msg(N_("GLS could not do this (HTTP {code})."), code=code)
        )
        raise GlsError(
            N_("{head} {advice}"),
            log=f"GLS {operation} failed: HTTP {code}",
            head=head,
            advice=failure_advice(operation, retryable, unknown, transaction),
            status=code,
            transaction_id=transaction,
            retryable=retryable,
            outcome_unknown=unknown,
        )


def _errors_map(data: dict) -> dict[str, list[str]]:
    raw = data.get("errors")
    if not isinstance(raw, dict):
        return {}
    out: dict[str, list[str]] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            out[str(key)] = [str(v) for v in value]
        elif value:
            out[str(key)] = [str(value)]
    return out
