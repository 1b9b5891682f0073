"""A local stand-in for the GLS NL Label API, for --demo, tests and benchmarks.

It answers the same paths as api.gls.nl (`/V1/api/...` live, `/Test/V1/api/...` test, case
does not matter, as with Azure API Management), checks the subscription key and the MyGLS
login like GLS does, applies GLS's field limits (glstui.domain.gls_limits, the table the client
checks too) and returns real labels (gls_labels.py): a small valid PDF (hand-built, no
dependency) showing the parcel number as text and as an Interleaved 2 of 5 barcode, or ZPL.

It also answers GLS Track & Trace's parcel search (`/tt-test/...`, `/tt/V1/...`) from the
labels it made (glstui.sandbox.gls_tracking), so a lost Label/Create answer can be recovered
as against GLS.

It is not the HTTP server: the sandbox server (glstui.sandbox) hands every request under
those paths to `GlsSandbox.handle`, and tests can call `handle` directly (httpx.MockTransport).
`handle` may block while a slow response is simulated (`slow_next`, `fail_next(delay=...)`),
so the server should call it off its event loop.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from glstui.domain.gls_limits import (
    ADDRESS_LIMITS,
    ADDRESS_REQUIRED,
    EXPRESS,
    LABEL_TYPES,
    PDF_TYPES,
    REFERENCE_MAX,
    UNIT_ID_MAX,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
    ZPL_TYPES,
)
from glstui.sandbox import gls_tracking
from glstui.sandbox.gls_labels import (
    A6,
    LabelInfo,
    build_pdf,
    combined_pdf,
    itf_modules,
    label_page,
    label_zpl,
)

__all__ = ["GlsLoggedRequest", "GlsSandbox", "build_pdf", "itf_modules"]

GLS_DEMO_USERNAME = "demo-gls-user"
GLS_DEMO_PASSWORD = "demo-gls-password"
GLS_DEMO_SUBSCRIPTION_KEY = "demo0000gls0000subscription0key00"

PREFIXES = ("/v1/api/", "/test/v1/api/")
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# GLS's limits: the client's table (a wrong limit there would be wrong here too; the
# sandbox still checks what arrives, so a check the client skips is caught).
_LABEL_TYPES = (*LABEL_TYPES, "none")

_APIM_MISSING_KEY = (
    "Access denied due to missing subscription key. Make sure to include subscription key "
    "when making requests to an API."
)
_APIM_INVALID_KEY = (
    "Access denied due to invalid subscription key. Make sure to provide a valid key for an "
    "active subscription."
)


class GlsLoggedRequest(NamedTuple):
    method: str
    path: str
    body: Any  # the JSON body without the password (None if not JSON)
    status: int


class _Fault(NamedTuple):
    status: int | None  # None: answer normally (after the delay)
    delay: float


class GlsSandbox:
    def __init__(
        self,
        seed: int = 1,
        *,
        username: str = GLS_DEMO_USERNAME,
        password: str = GLS_DEMO_PASSWORD,
        subscription_key: str = GLS_DEMO_SUBSCRIPTION_KEY,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.seed = seed
        self._now = now or (lambda: datetime.now(UTC))
        self.username = username
        self.password = password
        self.subscription_key = subscription_key
        self.request_log: list[GlsLoggedRequest] = []
        self.labels: dict[str, dict[str, Any]] = {}
        self._rng = random.Random(seed)
        self._counter = 0
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()

    # --- faults a test can switch on -------------------------------------------------

    def fail_next(self, status: int, count: int = 1, delay: float = 0.0) -> None:
        """The next `count` GLS requests get `status` (500, 503, 504, 429, ...), after `delay` s."""
        with self._lock:
            self._faults.extend(_Fault(status, delay) for _ in range(count))

    def slow_next(self, seconds: float, count: int = 1) -> None:
        """The next `count` requests are carried out but answered `seconds` late (timeouts)."""
        with self._lock:
            self._faults.extend(_Fault(None, seconds) for _ in range(count))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # --- the entry point -------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, str] | Any,
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes]:
        hdrs = {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}
        tt = gls_tracking.tt_operation(path)
        operation = _operation(path) or (f"tt/{tt}" if tt is not None else None)
        parsed = _parse_json(body)
        with self._lock:
            fault = self._faults.popleft() if operation and self._faults else None
        if fault and fault.delay > 0:
            time.sleep(fault.delay)
        with self._lock:
            status, payload = self._dispatch(method, operation, query, hdrs, parsed, fault)
            logged = {k: v for k, v in parsed.items() if k != "password"} if parsed else None
            if isinstance(parsed, dict) and isinstance(logged, dict):
                self.request_log.append(GlsLoggedRequest(method.upper(), path, logged, status))
            else:
                self.request_log.append(GlsLoggedRequest(method.upper(), path, None, status))
        if payload is None:  # 204 No Content (Track & Trace: nothing found)
            return status, {}, b""
        return status, dict(JSON_HEADERS), json.dumps(payload).encode()

    # --- internals -------------------------------------------------------------------

    def _dispatch(self, method, operation, query, hdrs, parsed, fault):
        if operation is None or method.upper() != "POST":
            return 404, {"statusCode": 404, "message": "Resource not found"}
        key = hdrs.get("ocp-apim-subscription-key")
        if not key:
            return 401, {"statusCode": 401, "message": _APIM_MISSING_KEY}
        if key != self.subscription_key:
            return 401, {"statusCode": 401, "message": _APIM_INVALID_KEY}
        if fault and fault.status is not None:
            return fault.status, self._envelope(fault.status, _REASONS.get(fault.status, "Error"))
        if operation.startswith("tt/"):
            if operation != f"tt/{gls_tracking.SEARCH_OPERATION}":
                return 404, {"statusCode": 404, "message": "Resource not found"}
            return gls_tracking.search(parsed, self.labels, self.username, self.password)
        version = _query_value(query, "api-version")
        if version not in (None, "1.0"):
            return 400, self._envelope(400, f"The HTTP resource does not support version {version}")
        if not isinstance(parsed, dict):
            return 400, self._envelope(400, "The request body is not valid JSON.")
        if parsed.get("username") != self.username or parsed.get("password") != self.password:
            return 401, self._envelope(401, "Invalid username or password.")
        if operation == "authentication/validatelogin":
            return 200, self._envelope(200, "Login is valid.")
        if operation == "label/create":
            return self._create(parsed)
        if operation == "label/delete":
            return self._delete(parsed)
        return 404, {"statusCode": 404, "message": "Resource not found"}

    def _envelope(self, status: int, message: str, errors=None, **extra) -> dict[str, Any]:
        return {
            "error": status != 200,
            "status": str(status),
            "message": message,
            "errors": errors or {},
            "transactionId": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            **extra,
        }

    def _create(self, req: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        errors = _validate_create(req)
        if errors:
            return 422, self._envelope(422, "One or more validation errors occurred.", errors)
        label_type = req.get("labelType") or "pdf"
        delivery = req["addresses"]["deliveryAddress"]
        units_out: list[dict[str, Any]] = []
        pages: list[bytes] = []
        zpls: list[str] = []
        for unit in req["units"]:
            self._counter += 1
            unit_no = f"5657{self.seed % 1000:03d}{self._counter:07d}"
            unique_no = f"{unit_no}{self._counter * 7919 % 1000000:06d}"
            link = (
                f"https://www.gls-info.nl/tracking?parcelNo={unit_no}"
                f"&zipcode={str(delivery.get('zipCode', '')).replace(' ', '')}"
            )
            info = LabelInfo(unit_no, req, delivery, len(units_out) + 1, len(req["units"]))
            out: dict[str, Any] = {
                "unitId": unit["unitId"],
                "unitNo": unit_no,
                "uniqueNo": unique_no,
                "unitTrackingLink": link,
            }
            if label_type in PDF_TYPES:
                pages.append(label_page(info))
                if label_type == "pdfA6U":
                    out["label"] = _b64(build_pdf([pages[-1]], *A6))
            elif label_type in ZPL_TYPES:
                zpls.append(label_zpl(info))
                out["label"] = _b64(zpls[-1].encode())
            units_out.append(out)
            self.labels[unit_no] = {
                "state": "created",
                "unit_id": unit["unitId"],
                "reference": req.get("reference", ""),
                "label_type": label_type,
                "zip_code": delivery.get("zipCode", ""),
                "country_code": delivery.get("countryCode", ""),
                "unique_no": unique_no,
                "job_date": self._now().astimezone(UTC).isoformat(),
            }
        labels = None
        if pages:
            labels = _b64(combined_pdf(pages, label_type))
        elif zpls:
            labels = _b64("\n".join(zpls).encode())
        return 200, self._envelope(
            200,
            "Label created.",
            shipmentTrackingLink=units_out[0]["unitTrackingLink"],
            labels=labels,
            units=units_out,
        )

    def _delete(self, req: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Label/Delete. GLS's spec lists 200, 400, 401 and 424 for it (no 404, no 422), so an
        unknown or already deleted parcel is a 400 Bad Request with the reason on unitNo."""
        unit_no = str(req.get("unitNo") or "")
        if not unit_no or len(unit_no) > 14:
            errors = {"unitNo": ["The field UnitNo must be a string with a maximum length of 14."]}
            return 400, self._envelope(400, "One or more validation errors occurred.", errors)
        label = self.labels.get(unit_no)
        if label is None:
            errors = {"unitNo": [f"Unit {unit_no} not found."]}
            return 400, self._envelope(400, "The label cannot be deleted.", errors)
        if label["state"] == "deleted":
            errors = {"unitNo": [f"Unit {unit_no} has already been deleted."]}
            return 400, self._envelope(400, "The label cannot be deleted.", errors)
        label["state"] = "deleted"
        return 200, self._envelope(200, "Label deleted.")


_REASONS = {
    400: "Bad request",
    424: "Failed dependency",
    429: "Rate limit is exceeded. Try again later.",
    500: "An internal server error occurred.",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def _operation(path: str) -> str | None:
    low = (path or "").split("?", 1)[0].lower()
    for prefix in PREFIXES:
        if low.startswith(prefix):
            return low[len(prefix) :].strip("/")
    return None


def _query_value(query: Mapping[str, Any] | None, name: str) -> str | None:
    for key, value in (query or {}).items():
        if str(key).lower() == name:
            if isinstance(value, list | tuple):
                return str(value[0]) if value else ""
            return str(value)
    return None


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _validate_create(req: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    ref = req.get("reference")
    if ref is not None and (not isinstance(ref, str) or len(ref) > REFERENCE_MAX):
        add(
            "reference",
            f"The field Reference must be a string with a maximum length of {REFERENCE_MAX}.",
        )
    if req.get("labelType", "pdf") not in _LABEL_TYPES:
        add("labelType", f"The value '{req.get('labelType')}' is not a valid label type.")
    units = req.get("units")
    if not isinstance(units, list) or not units:
        add("units", "The Units field is required.")
        units = []
    for i, unit in enumerate(units):
        if not isinstance(unit, dict):
            add(f"units[{i}]", "The unit is not valid.")
            continue
        uid = unit.get("unitId")
        if not isinstance(uid, str) or not uid or len(uid) > UNIT_ID_MAX:
            add(
                f"units[{i}].unitId",
                f"The UnitId field is required (max. {UNIT_ID_MAX} characters).",
            )
        weight = unit.get("weight")
        if not isinstance(weight, int | float) or isinstance(weight, bool):
            add(f"units[{i}].weight", "The Weight field is required.")
        elif not WEIGHT_MIN_KG <= weight <= WEIGHT_MAX_KG:
            add(
                f"units[{i}].weight",
                f"The field Weight must be between {WEIGHT_MIN_KG} and {WEIGHT_MAX_KG}.",
            )
    addresses = req.get("addresses")
    if not isinstance(addresses, dict) or not isinstance(addresses.get("deliveryAddress"), dict):
        add("addresses.deliveryAddress", "The DeliveryAddress field is required.")
    else:
        _validate_address(addresses["deliveryAddress"], "addresses.deliveryAddress", add)
        if addresses.get("pickupAddress") is not None:
            if isinstance(addresses["pickupAddress"], dict):
                _validate_address(addresses["pickupAddress"], "addresses.pickupAddress", add)
            else:
                add("addresses.pickupAddress", "The PickupAddress is not valid.")
        atype = addresses["deliveryAddress"].get("addresseeType")
        if atype not in (None, "", "b", "p"):
            add("addresses.deliveryAddress.addresseeType", "The AddresseeType must be b or p.")
    services = req.get("services") or {}
    if isinstance(services, dict):
        express = services.get("expressService")
        if express is not None and express not in EXPRESS:
            add("services.expressService", f"The value '{express}' is not valid.")
    return errors


def _validate_address(addr: dict[str, Any], prefix: str, add) -> None:
    for name in ADDRESS_REQUIRED:
        if not addr.get(name):
            add(f"{prefix}.{name}", f"The {name[0].upper() + name[1:]} field is required.")
    for name, limit in ADDRESS_LIMITS.items():
        value = addr.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            add(f"{prefix}.{name}", f"The field {name} must be a string.")
        elif len(value) > limit:
            add(
                f"{prefix}.{name}",
                f"The field {name[0].upper() + name[1:]} must be a string with a maximum "
                f"length of {limit}.",
            )
