"""A local stand-in for the GLS NL Label API, for --demo, tests and benchmarks.

It answers the same paths as api.gls.nl (`/V1/api/...` live, `/Test/V1/api/...` test, case
does not matter, as with Azure API Management), checks the subscription key and the MyGLS
login like GLS does, applies GLS's field limits (glstui.domain.gls_limits, the table the client
checks too) and returns real labels: a small valid PDF (hand-built, no
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
            info = _LabelInfo(unit_no, req, delivery, len(units_out) + 1, len(req["units"]))
            out: dict[str, Any] = {
                "unitId": unit["unitId"],
                "unitNo": unit_no,
                "uniqueNo": unique_no,
                "unitTrackingLink": link,
            }
            if label_type in PDF_TYPES:
                pages.append(_label_page(info))
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
            labels = _b64(_combined_pdf(pages, label_type))
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


# --- labels ------------------------------------------------------------------------

A6 = (298, 420)  # points, 105 x 148 mm
A4 = (595, 842)


class _LabelInfo(NamedTuple):
    unit_no: str
    req: dict[str, Any]
    delivery: dict[str, Any]
    seq: int
    total: int

    def lines(self) -> list[tuple[str, str]]:
        """(style, text) from top to bottom; style: big | bold | text | small."""
        d = self.delivery
        number = " ".join(x for x in (d.get("houseNo"), d.get("houseNoExt")) if x)
        out = [
            ("bold", f"Parcel {self.unit_no}"),
            ("text", f"Ref: {self.req.get('reference') or '-'}    {self.seq}/{self.total}"),
            ("small", "To:"),
            ("bold", str(d.get("name1", ""))),
        ]
        out += [("text", str(d[k])) for k in ("name2", "name3") if d.get(k)]
        out += [
            ("text", f"{d.get('street', '')} {number}".strip()),
            ("big", f"{d.get('zipCode', '')}  {d.get('city', '')}"),
            ("text", str(d.get("countryCode", ""))),
        ]
        if self.req.get("shippingDate"):
            out.append(("small", f"Shipping date: {self.req['shippingDate']}"))
        return out


_ITF = {
    "0": "nnwwn",
    "1": "wnnnw",
    "2": "nwnnw",
    "3": "wwnnn",
    "4": "nnwnw",
    "5": "wnwnn",
    "6": "nwwnn",
    "7": "nnnww",
    "8": "wnnwn",
    "9": "nwnwn",
}


def itf_modules(digits: str) -> list[tuple[bool, str]]:
    """Interleaved 2 of 5: (is_bar, 'n'|'w') elements, start and stop included."""
    if len(digits) % 2:
        digits = "0" + digits
    elements = [(True, "n"), (False, "n"), (True, "n"), (False, "n")]
    for a, b in zip(digits[::2], digits[1::2], strict=True):
        for bar, space in zip(_ITF[a], _ITF[b], strict=True):
            elements += [(True, bar), (False, space)]
    return [*elements, (True, "w"), (False, "n"), (True, "n")]


def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    out = bytearray()
    for b in raw:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out)


_STYLES = {"big": (b"F2", 18, 24), "bold": (b"F2", 12, 17), "text": (b"F1", 10, 14)}
_STYLES["small"] = (b"F1", 8, 12)


def _label_page(info: _LabelInfo, x0: float = 0, y0: float = 0) -> bytes:
    """Drawing commands for one A6 label whose lower-left corner is at (x0, y0)."""
    w, h = A6
    ops = [b"q", b"0 0 0 rg 0 0 0 RG 1 w"]
    ops.append(b"%.1f %.1f %.1f %.1f re S" % (x0 + 8, y0 + 8, w - 16, h - 16))

    def text(font: bytes, size: int, x: float, y: float, value: str) -> None:
        ops.append(
            b"BT /%s %d Tf %.1f %.1f Td (%s) Tj ET" % (font, size, x0 + x, y0 + y, _pdf_text(value))
        )

    text(b"F2", 30, 20, h - 50, "GLS")
    text(b"F1", 7, w - 112, h - 28, "SANDBOX - not for shipping")
    ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x0 + 16, y0 + h - 62, x0 + w - 16, y0 + h - 62))
    y = h - 66
    for style, value in info.lines():
        font, size, step = _STYLES[style]
        y -= step
        text(font, size, 20, y, value[:40])
    # barcode of the parcel number
    narrow, wide, bar_h = 1.3, 3.25, 70.0
    modules = itf_modules(info.unit_no)
    total = sum(wide if kind == "w" else narrow for _, kind in modules)
    x = (w - total) / 2
    for is_bar, kind in modules:
        width = wide if kind == "w" else narrow
        if is_bar:
            ops.append(b"%.2f %.2f %.2f %.2f re f" % (x0 + x, y0 + 50, width, bar_h))
        x += width
    text(b"F1", 10, (w - 6 * len(info.unit_no)) / 2, 34, info.unit_no)
    ops.append(b"Q")
    return b"\n".join(ops)


def _combined_pdf(pages: list[bytes], label_type: str) -> bytes:
    per_page = {"pdf2A4": 2, "pdf4A4": 4}.get(label_type, 1)
    if per_page == 1:
        return build_pdf(pages, *A6)
    # top row first, then the bottom row
    slots = [(0, A4[1] - A6[1]), (A6[0], A4[1] - A6[1]), (0, 0), (A6[0], 0)][:per_page]
    sheets = []
    for start in range(0, len(pages), per_page):
        parts = []
        for (sx, sy), page in zip(slots, pages[start : start + per_page], strict=False):
            parts.append(b"q 1 0 0 1 %d %d cm\n%s\nQ" % (sx, sy, page))
        sheets.append(b"\n".join(parts))
    return build_pdf(sheets, *A4)


def build_pdf(contents: list[bytes], width: int, height: int, title: str = "GLS label") -> bytes:
    """A minimal PDF 1.4: one page per content stream, Helvetica fonts, exact xref offsets."""
    n_pages = len(contents)
    first_page = 6
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(n_pages)), n_pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (%s) /Producer (glstui sandbox) >>" % _pdf_text(title),
    ]
    for i, content in enumerate(contents):
        page_no = first_page + 2 * i
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
            % (width, height, page_no + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content) + 1, content))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _zpl_text(value: str) -> str:
    return "".join(" " if ch in "^~" or ord(ch) < 32 else ch for ch in value)


def label_zpl(info: _LabelInfo) -> str:
    """One 4x6 inch label at 203 dpi, UTF-8 (^CI28), with an Interleaved 2 of 5 barcode."""
    sizes = {"big": 44, "bold": 32, "text": 28, "small": 22}
    out = [
        "^XA",
        "^CI28",
        "^PW812",
        "^LL1218",
        "^FO40,30^A0N,70,70^FDGLS^FS",
        "^FO480,50^A0N,24,24^FDSANDBOX - not for shipping^FS",
        "^FO40,120^GB730,4,4^FS",
    ]
    y = 150
    for style, value in info.lines():
        size = sizes[style]
        out.append(f"^FO40,{y}^A0N,{size},{size}^FD{_zpl_text(value[:40])}^FS")
        y += size + 14
    out += [
        f"^FO80,{max(y + 40, 760)}^BY3^B2N,200,Y,N,N^FD{info.unit_no}^FS",
        "^XZ",
    ]
    return "\n".join(out)
