"""GLS NL's published Label API schemas (OpenAPI 3.0, tests/specs/gls, see SOURCE there) as
checks: a request body against its schema, an answer against the status codes and schema
its path lists. Not a test module; test_gls_schema.py uses it.

OpenAPI 3.0 is read as JSON Schema draft 4 with `nullable: true` made `null` allowed. The
schemas are GLS's own with `additionalProperties: false`, so a misspelt field fails.
The files are required: without them the tests fail rather than skip.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

SPECS = Path(__file__).resolve().parents[2] / "tests" / "specs" / "gls"
LIVE = "gls-netherlands-label-api.json"
TEST = "gls-netherlands-label-api-test.json"
# .NET binds "date-time" to DateTime, which reads a date alone too ("2026-11-27").
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")

formats = FormatChecker()


@formats.checks("date-time")
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(DATE_TIME.match(value))


@formats.checks("uuid")
def _uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@cache
def spec(name: str) -> dict[str, Any]:
    path = SPECS / name
    if not path.exists():
        pytest.fail(f"GLS's schema {name} is missing at {path}: restore tests/specs/gls.")
    return json.loads(path.read_text())


def _draft4(node: Any) -> Any:
    """OpenAPI 3.0 `nullable` as JSON Schema: the type also allows null."""
    if isinstance(node, dict):
        out = {k: _draft4(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable"):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            elif "$ref" in out:
                out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
        return out
    if isinstance(node, list):
        return [_draft4(v) for v in node]
    return node


@cache
def validator(name: str, schema: str) -> Draft4Validator:
    doc = {"components": {"schemas": _draft4(copy.deepcopy(spec(name)["components"]["schemas"]))}}
    if name == LIVE:  # published without properties: see SOURCE (the test spec's is used)
        doc["components"]["schemas"]["ApiUnit"] = _draft4(
            spec(TEST)["components"]["schemas"]["ApiUnit"]
        )
    doc["$ref"] = f"#/components/schemas/{schema}"
    return Draft4Validator(doc, format_checker=formats)


def errors_of(name: str, schema: str, instance: Any) -> list[str]:
    errors = sorted(validator(name, schema).iter_errors(instance), key=str)
    return [f"{list(e.absolute_path)}: {e.message}" for e in errors[:10]]


def _operation(name: str, path: str) -> dict[str, Any]:
    """The operation of a sandbox or client path such as /Test/V1/api/Label/Create."""
    tail = "/api/" + path.split("/api/", 1)[1]
    for template, ops in spec(name)["paths"].items():
        if template.lower() == tail.lower():
            return ops["post"]
    raise AssertionError(f"{path} is no path of GLS's {name}")


def check_request(name: str, path: str, body: dict[str, Any]) -> None:
    ref = _operation(name, path)["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = ref.rsplit("/", 1)[1]
    errors = errors_of(name, schema, body)
    assert not errors, f"POST {path} body is no {schema}:\n" + "\n".join(errors)


def check_answer(name: str, path: str, status: int, body: Any) -> None:
    responses = _operation(name, path)["responses"]
    assert str(status) in responses, (
        f"GLS's {name} lists no {status} for {path} (it lists {', '.join(responses)})"
    )
    ref = responses[str(status)]["content"]["application/json"]["schema"]["$ref"]
    schema = ref.rsplit("/", 1)[1]
    errors = errors_of(name, schema, body)
    assert not errors, f"{status} answer of {path} is no {schema}:\n" + "\n".join(errors)


def spec_for(path: str) -> str:
    """The spec of the environment a path belongs to (GLS's test environment: /Test/)."""
    return TEST if "/test/" in path.lower() else LIVE
