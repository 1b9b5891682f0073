"""glstui's GLS requests and the sandbox's GLS answers, checked against GLS NL's published
OpenAPI (tests/specs/gls, gls_models.py), as test_amazon_schema.py does with Amazon's models.

Every Label/Create, Label/Delete and ValidateLogin the client sends here is checked against the
spec of its environment (the test spec has Services.ageCheckService, production has not), and
every answer against the status codes and schema its path lists: a status GLS does not list
(404 or 422 on Delete) is the sandbox inventing it. Answers of the API gateway itself
(APIM's 401 {"statusCode", "message"} for a missing or wrong subscription key) are no answers
of the Label API and are left out.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest
from gls_models import LIVE, TEST, check_answer, check_request, errors_of, spec_for

from glstui.gls.client import GlsAddress, GlsClient, LabelRequest
from glstui.gls.errors import GlsError, GlsValidationError
from glstui.sandbox.gls import (
    GLS_DEMO_PASSWORD,
    GLS_DEMO_SUBSCRIPTION_KEY,
    GLS_DEMO_USERNAME,
    GlsSandbox,
)

Exchange = tuple[str, dict[str, Any], int, Any]  # path, request body, status, answer body


class Recorder:
    """A transport to the GLS sandbox that keeps every request and answer."""

    def __init__(self, sandbox: GlsSandbox) -> None:
        self.sandbox = sandbox
        self.seen: list[Exchange] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = {k: [v] for k, v in request.url.params.items()}
        status, headers, body = self.sandbox.handle(
            request.method, request.url.path, query, dict(request.headers), request.content
        )
        answer = json.loads(body) if body else None
        self.seen.append((request.url.path, json.loads(request.content), status, answer))
        return httpx.Response(status, headers=headers, content=body)

    def check_all(self) -> None:
        assert self.seen
        for path, body, status, answer in self.seen:
            name = spec_for(path)
            check_request(name, path, body)
            if isinstance(answer, dict) and "statusCode" in answer:
                continue  # the API gateway's own answer (see the module docstring)
            check_answer(name, path, status, answer)


def client(recorder: Recorder, environment: str, password: str = GLS_DEMO_PASSWORD) -> GlsClient:
    base = "http://gls.test/Test/V1/api/" if environment == "test" else "http://gls.test/V1/api/"
    return GlsClient(
        httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        base,
        subscription_key=GLS_DEMO_SUBSCRIPTION_KEY,
        username=GLS_DEMO_USERNAME,
        password=password,
        customer_no="12345678",
    )


def request(**over: Any) -> LabelRequest:
    fields: dict[str, Any] = dict(
        reference="402-1234567-1234567",
        delivery=GlsAddress(
            name1="J. de Vries",
            street="Kerkstraat",
            house_no="12",
            house_no_ext="A",
            zip_code="1017 GC",
            city="Amsterdam",
            country_code="NL",
            phone="+31201234567",
            email="abc123@marketplace.amazon.nl",
            addressee_type="p",
        ),
        units=[("1", 1.5), ("2", 0.8)],
        pickup=GlsAddress(
            name1="Webshop BV",
            street="Industrieweg",
            house_no="7",
            zip_code="3542 AD",
            city="Utrecht",
            country_code="NL",
        ),
        shipping_date=date(2026, 11, 27),
    )
    fields.update(over)
    return LabelRequest(**fields)


@pytest.mark.parametrize("environment", ["test", "live"])
@pytest.mark.parametrize("label_type", ["pdf", "pdfA6U", "zpl"])
async def test_label_create_and_delete_match_gls_spec(environment: str, label_type: str) -> None:
    recorder = Recorder(GlsSandbox(seed=3))
    gls = client(recorder, environment)
    services = {"addresseeOnlyService": True, "expressService": "t12"}
    await gls.validate_login()
    made = await gls.create_label(request(label_type=label_type, services=services))
    await gls.delete_label(made.units[0].unit_no)
    with pytest.raises(GlsError):
        await gls.delete_label(made.units[0].unit_no)  # again: already deleted
    with pytest.raises(GlsError):
        await gls.delete_label("99999999999999")  # a parcel GLS never made
    recorder.check_all()
    deletes = [status for path, _b, status, _a in recorder.seen if path.endswith("Delete")]
    assert deletes[0] == 200 and all(s in (400, 424) for s in deletes[1:])


async def test_glss_own_refusal_of_a_create_matches_the_spec(monkeypatch) -> None:
    recorder = Recorder(GlsSandbox(seed=3))
    gls = client(recorder, "test")
    monkeypatch.setattr("glstui.gls.client.validate_request", lambda req, *a: {})
    with pytest.raises(GlsValidationError):
        await gls.create_label(request(units=[("1", 99.0)]))  # too heavy: GLS's own 422
    assert recorder.seen[-1][2] == 422
    recorder.check_all()


def test_age_check_is_a_service_of_the_test_spec_only() -> None:
    body = {"username": "u", "password": "p", "services": {"ageCheckService": True}}
    assert not errors_of(TEST, "InboundCreateDeliveryRequest", body)
    assert errors_of(LIVE, "InboundCreateDeliveryRequest", body)  # the check has teeth


async def test_the_client_refuses_age_check_on_gls_live() -> None:
    recorder = Recorder(GlsSandbox(seed=3))
    with pytest.raises(GlsValidationError) as info:
        await client(recorder, "live").create_label(request(services={"ageCheckService": True}))
    assert "services.ageCheckService" in info.value.errors
    assert recorder.seen == []  # refused before sending
    made = await client(recorder, "test").create_label(request(services={"ageCheckService": True}))
    assert made.units
    recorder.check_all()


async def test_a_refused_login_matches_the_spec() -> None:
    recorder = Recorder(GlsSandbox(seed=3))
    gls = client(recorder, "live", password="wrong")
    with pytest.raises(GlsError):
        await gls.validate_login()
    with pytest.raises(GlsError):
        await gls.create_label(request())
    assert [status for _p, _b, status, _a in recorder.seen] == [401, 401]
    recorder.check_all()
