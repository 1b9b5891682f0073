"""Client for the GLS Netherlands Label API (api.gls.nl): log in, create and delete labels.

Auth is two-part: the Azure API Management header `Ocp-Apim-Subscription-Key` and the MyGLS
`username`/`password` inside the JSON body of every POST. Field limits are checked (request.py)
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
from dataclasses import dataclass, replace
from typing import Any

import httpx

from glstui.domain.errors import N_, Msg
from glstui.domain.gls_limits import UNIT_NO_MAX, WEIGHT_MAX_KG, WEIGHT_MIN_KG
from glstui.domain.retry import RetryPolicy, Sleep
from glstui.gls.errors import GlsAuthError, GlsError, GlsValidationError, failure_advice
from glstui.gls.request import (
    GlsAddress,
    LabelRequest,
    environment_errors,
    label_body,
    validate_request,
)

# The request side (request.py) stays importable from here, as callers always did.
__all__ = [
    "GLS_LIVE_URL",
    "GLS_TEST_URL",
    "WEIGHT_MAX_KG",
    "WEIGHT_MIN_KG",
    "GlsAddress",
    "GlsClient",
    "LabelRequest",
    "LabelResult",
    "LabelUnit",
    "environment_of",
    "label_body",
    "validate_request",
]

log = logging.getLogger("glstui.gls")

GLS_LIVE_URL = "https://api.gls.nl/V1/api/"
GLS_TEST_URL = "https://api.gls.nl/Test/V1/api/"


def environment_of(base_url: str) -> str:
    """ "test" for a base URL of GLS's test environment (its `/Test/` path), else "live"."""
    return "test" if "/test/" in base_url.lower() else "live"


API_VERSION = "1.0"


# A person waits at the label screen: three tries within about a second and a half (real time).
GLS_RETRY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0)


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
