"""The sandbox's GLS NL Track & Trace `parcel/v1/search`, answered from the labels it made.

Shape per GLS NL's published T&T OpenAPI (api-evangelist/gls-group,
openapi/_original/gls-track-and-trace-api[-test]-openapi.yml): POST
`{tt-test | tt/V1}/api/parcel/v1/search` with a SearchParcelsRequestDto (`userName`,
`password` required, min. 3 characters, no other fields than the DTO's); 200 with
`{"parcels": [ParcelInfo]}`, 204 when nothing matches, 401 with ProblemDetails. GLS does not
document whether T&T takes the Label API's login and subscription key; the sandbox takes the
same ones, as glstui sends them. A deleted label is not listed (glstui must never adopt it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

TT_PREFIXES = ("/tt-test/", "/tt/v1/")  # test, live (GLS's APIM ignores case)
SEARCH_OPERATION = "api/parcel/v1/search"

_SEARCH_FIELDS = {
    "userName",
    "password",
    "customerRef",
    "from",
    "to",
    "since",
    "state",
    "country",
    "name",
    "zipCode",
    "ndi",
}
_STATE_CREATED = "PREADVICE"  # label printed, parcel not yet scanned by GLS


def tt_operation(path: str) -> str | None:
    """`api/parcel/v1/search` for a T&T path (either environment), else None."""
    low = (path or "").split("?", 1)[0].lower()
    for prefix in TT_PREFIXES:
        if low.startswith(prefix):
            return low[len(prefix) :].strip("/")
    return None


def problem(status: int, title: str, detail: str = "") -> dict[str, Any]:
    """ASP.NET ProblemDetails, as GLS's T&T API answers errors."""
    return {"type": "about:blank", "title": title, "status": status, "detail": detail or None}


def search(
    req: Any, labels: dict[str, dict[str, Any]], username: str, password: str
) -> tuple[int, dict[str, Any] | None]:
    """(status, body) for a search request; body None means 204 No Content."""
    if not isinstance(req, dict):
        return 400, problem(400, "The request body is not valid JSON.")
    unknown = sorted(set(req) - _SEARCH_FIELDS)
    if unknown:
        return 400, problem(400, "One or more validation errors occurred.", f"Unknown: {unknown}")
    for field in ("userName", "password"):
        value = req.get(field)
        if not isinstance(value, str) or len(value) < 3:
            detail = f"The field {field} must be a string with a minimum length of 3."
            return 400, problem(400, "One or more validation errors occurred.", detail)
    if req["userName"] != username or req["password"] != password:
        return 401, problem(401, "Unauthorized", "Invalid username or password.")
    since = _when(req.get("since"))
    if req.get("since") is not None and since is None:
        return 400, problem(400, "One or more validation errors occurred.", "since: not a date")
    ref = req.get("customerRef")
    found = []
    for parcel_no, label in labels.items():
        if label["state"] != "created":
            continue
        if ref is not None and label["reference"] != ref:
            continue
        made = _when(label.get("job_date"))
        if since is not None and made is not None and made < since:
            continue
        found.append(_parcel_info(parcel_no, label))
    if not found:
        return 204, None
    return 200, {"parcels": found}


def _parcel_info(parcel_no: str, label: dict[str, Any]) -> dict[str, Any]:
    zip_code = str(label.get("zip_code", "")).replace(" ", "")
    return {
        "parcelNo": parcel_no,
        "uniqueNo": label.get("unique_no"),
        "jobDate": label.get("job_date"),
        "country": label.get("country_code"),
        "zipcode": zip_code,
        "name": None,
        "state": _STATE_CREATED,
        "subState": None,
        "customerReference": label["reference"],
        "uri": f"https://www.gls-info.nl/tracking?parcelNo={parcel_no}&zipcode={zip_code}",
        "ndi": [],
    }


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else None
