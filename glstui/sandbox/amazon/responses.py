"""What every sandbox Amazon endpoint answers with: the response, Amazon's error body and
messages, and the small parsers of query strings and forms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

MSG_DENIED = "Access to requested resource is denied."
MSG_QUOTA = "You exceeded your quota for the requested resource."
MSG_INVALID = "The input you have submitted is not valid."
DETAIL_EXPIRED = "The access token you provided has expired."
DETAIL_INVALID_TOKEN = "The access token you provided is revoked, malformed or invalid."


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    log_body: Any = None  # what the request log keeps of the request body (no secrets)


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode(), dict(headers or {}))


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    h = {"Referrer-Policy": "no-referrer", **(headers or {})}
    return Response(status, html.encode(), h, "text/html; charset=utf-8")


def error_list(code: str, message: str, details: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "details": details}]}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def invalid(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


def first_values(query: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in query.items() if v}


def parse_form(body: bytes) -> dict[str, str]:
    return first_values(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))


def split_csv(values: list[str]) -> list[str]:
    """Amazon takes arrays comma-separated; repeated keys are accepted too."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]
