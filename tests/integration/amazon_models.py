"""Amazon's own SP-API models (Swagger 2.0) as checks: a body against a definition, a query
against an operation's parameters, and a whole request glstui's Amazon client sent.

Not a test module (it only holds helpers): the conftest of tests/integration and of
tests/reliability make `amazon_requests_match_the_models` automatic, so every request the
client sends during a test there is checked with `check_request`; test_amazon_schema uses the
rest.
The models are the copies in tests/specs/amazon (see its SOURCE); without them the tests fail
rather than skip, so a checkout that lost them (or CI) cannot pass unchecked.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from jsonschema import Draft4Validator, FormatChecker

from glstui.domain.clock import from_iso

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "tests" / "specs" / "amazon"
SHARED = ROOT.parent / "shared" / "specs" / "amazon"  # the project's own copy, next to the repo
V2026 = "orders_2026-01-01.json"
V0 = "ordersV0.json"
MODELS = (V2026, V0)
SP_API = ("/orders/", "/tokens/", "/reports/")  # paths that must be operations of the models
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

formats = FormatChecker()


@formats.checks("date-time")
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


@cache
def spec(name: str) -> dict[str, Any]:
    path = SPECS / name
    if not path.exists():
        pytest.fail(
            f"Amazon's model {name} is missing at {path}: restore tests/specs/amazon "
            f"(copies of ../shared/specs/amazon, see SOURCE there); the schema checks need it."
        )
    text = path.read_text()
    if (SHARED / name).exists():
        assert (SHARED / name).read_text() == text, f"{path} differs from {SHARED / name}"
    return json.loads(text)


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


@cache
def validator(name: str, definition: str, strict: bool = True) -> Draft4Validator:
    """Strict: object definitions take no unknown properties (a misspelt field fails)."""
    defs = spec(name)["definitions"]
    schema = {"definitions": _strict(defs) if strict else copy.deepcopy(defs)}
    schema["$ref"] = f"#/definitions/{definition}"
    return Draft4Validator(schema, format_checker=formats)


def errors_of(name: str, definition: str, instance: Any, strict: bool = True) -> list[str]:
    errors = sorted(validator(name, definition, strict).iter_errors(instance), key=str)
    return [f"{list(e.absolute_path)}: {e.message}" for e in errors[:10]]


def check(name: str, definition: str, instance: Any, strict: bool = True) -> None:
    errors = errors_of(name, definition, instance, strict)
    assert not errors, "\n".join(errors)


def check_query(path: str, method: str, name: str, query: dict[str, str]) -> None:
    """Every query parameter is one the operation defines, with a valid value."""
    params = {p["name"]: p for p in spec(name)["paths"][path][method]["parameters"]}
    for key, value in query.items():
        assert key in params, f"{key} is not a parameter of {path}"
        p = params[key]
        assert p["in"] == "query"
        if p["type"] == "array":
            values = value.split(",")
            assert len(values) <= p.get("maxItems", 10**6)
            if "enum" in p["items"]:
                assert set(values) <= set(p["items"]["enum"]), key
        elif p["type"] == "integer":
            assert value.isdigit()
            assert p.get("minimum", 0) <= int(value) <= p.get("maximum", 10**9), key
        elif p.get("format") == "date-time":
            assert RFC3339.match(value) and from_iso(value)
        elif "enum" in p:
            assert value in p["enum"], key
    for p in params.values():
        if p.get("required") and p["in"] == "query":
            assert p["name"] in query, f"{path} needs {p['name']}"


def operation(path: str, method: str) -> tuple[str, str, dict[str, Any]] | None:
    """(model, path template, operation) that `method path` is, or None if no model has it."""
    for name in MODELS:
        for template, ops in spec(name)["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, path) and method.lower() in ops:
                return name, template, ops[method.lower()]
    return None


def check_request(method: str, url: str, body: bytes) -> None:
    """One request the Amazon client sent: an operation of the models, its query parameters,
    and its JSON body against the operation's body definition."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path.startswith(SP_API):
        return  # Login with Amazon and Seller Central: no SP-API model describes them
    found = operation(path, method)
    assert found, f"{method} {path} is no operation of Amazon's models"
    name, template, op = found
    query = {k: ",".join(v) for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    check_query(template, method.lower(), name, query)
    body_params = [p for p in op.get("parameters", []) if p["in"] == "body"]
    if not body_params:
        assert not body, f"{method} {path} takes no body"
        return
    ref = body_params[0]["schema"]["$ref"].rsplit("/", 1)[-1]
    errors = errors_of(name, ref, json.loads(body))
    assert not errors, f"{method} {path} body is no {ref}:\n" + "\n".join(errors)


@pytest.fixture(autouse=True)
def amazon_requests_match_the_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Record what glstui's Amazon client sends during the test; check it all at the end.

    A request answered 400 is left out: the sandbox refused it as invalid, which is what the
    tests that send one on purpose (test_confirm_shipment_400s) want to see."""
    sent: list[tuple[str, str, bytes]] = []
    send = httpx.AsyncClient.send

    async def recording(
        self: httpx.AsyncClient, request: httpx.Request, **kw: object
    ) -> httpx.Response:
        entry = (request.method, str(request.url), request.content)
        ours = request.headers.get("user-agent", "").startswith("glstui/")
        if ours:
            sent.append(entry)
        response = await send(self, request, **kw)  # type: ignore[arg-type]
        if ours and response.status_code == 400:
            sent.remove(entry)
        return response

    monkeypatch.setattr(httpx.AsyncClient, "send", recording)
    yield
    for method, url, body in sent:
        check_request(method, url, body)
