"""GlsClient against the GLS sandbox (through httpx.MockTransport, no server needed)."""

from __future__ import annotations

import json
import logging
import random
from datetime import date

import httpx
import pytest

import glstui.gls.client as client_mod
from glstui.gls.client import (
    GLS_LIVE_URL,
    GLS_TEST_URL,
    GlsAddress,
    GlsClient,
    LabelRequest,
    label_body,
)
from glstui.gls.errors import GlsAuthError, GlsError, GlsValidationError, field_label
from glstui.gls.labels import check_zpl, inspect_pdf, label_kind
from glstui.sandbox.gls import (
    GLS_DEMO_PASSWORD,
    GLS_DEMO_SUBSCRIPTION_KEY,
    GLS_DEMO_USERNAME,
    GlsSandbox,
)

BASE = "http://gls.test/Test/V1/api/"


def sandbox_transport(sandbox: GlsSandbox) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        query: dict[str, list[str]] = {}
        for k, v in request.url.params.multi_items():
            query.setdefault(k, []).append(v)
        status, headers, body = sandbox.handle(
            request.method, request.url.path, query, dict(request.headers), request.content
        )
        return httpx.Response(status, headers=headers, content=body)

    return httpx.MockTransport(handler)


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sandbox() -> GlsSandbox:
    return GlsSandbox(seed=1)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(transport, sleeps, *, password=GLS_DEMO_PASSWORD, key=GLS_DEMO_SUBSCRIPTION_KEY):
    http = httpx.AsyncClient(transport=transport)
    return GlsClient(
        http,
        BASE,
        subscription_key=key,
        username=GLS_DEMO_USERNAME,
        password=password,
        sleep=sleeps,
    )


@pytest.fixture
def gls(sandbox, sleeps) -> GlsClient:
    return make_client(sandbox_transport(sandbox), sleeps)


def delivery(**over) -> GlsAddress:
    fields = dict(
        name1="Jan de Vries",
        street="Kerkstraat",
        house_no="12",
        house_no_ext="B",
        zip_code="1234AB",
        city="Amsterdam",
        country_code="NL",
        email="buyer@marketplace.amazon.nl",
        phone="+31612345678",
        addressee_type="p",
    )
    fields.update(over)
    return GlsAddress(**fields)


def request(**over) -> LabelRequest:
    fields = dict(
        reference="028-1234567-1234567",
        delivery=delivery(),
        units=[("028-1234567-1234567-1", 1.2)],
        label_type="pdf",
        pickup=GlsAddress(
            name1="Demo Warehouse BV",
            street="Industrieweg",
            house_no="12",
            zip_code="3542AD",
            city="Utrecht",
            country_code="NL",
        ),
        shipping_date=date(2026, 11, 27),
    )
    fields.update(over)
    return LabelRequest(**fields)


# --- login -----------------------------------------------------------------------------


async def test_validate_login_sends_key_header_and_credentials_in_body(gls, sandbox):
    await gls.validate_login()
    (entry,) = sandbox.request_log
    assert entry.method == "POST"
    assert entry.path == "/Test/V1/api/Authentication/ValidateLogin"
    assert entry.status == 200
    assert entry.body == {"username": GLS_DEMO_USERNAME}  # the password is never logged


async def test_api_version_is_sent():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"error": False, "status": "200", "errors": {}})

    gls = make_client(httpx.MockTransport(handler), Sleeps())
    await gls.validate_login()
    (req,) = seen
    assert req.url.params["api-version"] == "1.0"
    assert req.headers["Ocp-Apim-Subscription-Key"] == GLS_DEMO_SUBSCRIPTION_KEY
    assert json.loads(req.content) == {
        "username": GLS_DEMO_USERNAME,
        "password": GLS_DEMO_PASSWORD,
    }


async def test_wrong_password_is_an_auth_error_pointing_at_key_beheer(sandbox, sleeps):
    gls = make_client(sandbox_transport(sandbox), sleeps, password="not-the-password")
    with pytest.raises(GlsAuthError) as info:
        await gls.validate_login()
    assert "Key beheer" in info.value.user_message
    assert "user name, password and subscription key" in info.value.user_message
    assert info.value.status == 401
    assert "not-the-password" not in str(info.value) + info.value.user_message
    assert sleeps == []  # a 401 is not retried


async def test_wrong_or_missing_subscription_key_is_an_auth_error(sandbox, sleeps):
    gls = make_client(sandbox_transport(sandbox), sleeps, key="wrong-key")
    with pytest.raises(GlsAuthError):
        await gls.validate_login()
    gls = make_client(sandbox_transport(sandbox), sleeps, key="")
    with pytest.raises(GlsAuthError):
        await gls.validate_login()
    assert [e.status for e in sandbox.request_log] == [401, 401]


def test_urls_and_repr_hide_credentials(gls):
    assert GLS_LIVE_URL == "https://api.gls.nl/V1/api/"
    assert GLS_TEST_URL == "https://api.gls.nl/Test/V1/api/"
    text = repr(gls)
    assert GLS_DEMO_PASSWORD not in text and GLS_DEMO_SUBSCRIPTION_KEY not in text


async def test_base_url_without_trailing_slash_and_live_path(sandbox, sleeps):
    http = httpx.AsyncClient(transport=sandbox_transport(sandbox))
    gls = GlsClient(
        http, "http://gls.test/V1/api", GLS_DEMO_SUBSCRIPTION_KEY, GLS_DEMO_USERNAME,
        GLS_DEMO_PASSWORD,
    )  # fmt: skip
    await gls.validate_login()
    assert sandbox.request_log[0].path == "/V1/api/Authentication/ValidateLogin"


# --- create ----------------------------------------------------------------------------


async def test_create_pdf_label_for_two_parcels(gls, sandbox):
    result = await gls.create_label(request(units=[("o-1", 1.2), ("o-2", 31.9)]))
    assert [u.unit_id for u in result.units] == ["o-1", "o-2"]
    for unit in result.units:
        assert len(unit.unit_no) == 14 and unit.unit_no.isdigit()
        assert unit.unit_no in unit.tracking_link
        assert sandbox.labels[unit.unit_no]["state"] == "created"
    assert result.parcel_numbers == [u.unit_no for u in result.units]
    assert result.transaction_id
    assert label_kind(result.labels) == "pdf"
    assert inspect_pdf(result.labels, strict=True).pages == 2
    for unit in result.units:
        assert unit.unit_no.encode() in result.labels
    sent = sandbox.request_log[-1].body
    assert sent["reference"] == "028-1234567-1234567"
    assert sent["shippingDate"] == "2026-11-27"
    assert sent["addresses"]["deliveryAddress"]["houseNoExt"] == "B"
    assert sent["addresses"]["pickupAddress"]["name1"] == "Demo Warehouse BV"
    assert "password" not in sent


async def test_pdf_a6u_gives_one_label_per_parcel(gls):
    result = await gls.create_label(request(label_type="pdfA6U", units=[("a", 1), ("b", 2)]))
    for unit in result.units:
        assert inspect_pdf(unit.label, strict=True).pages == 1
        assert unit.unit_no.encode() in unit.label


async def test_zpl_label(gls):
    result = await gls.create_label(request(label_type="zpl", units=[("a", 1), ("b", 2)]))
    assert label_kind(result.labels) == "zpl"
    assert check_zpl(result.labels) == 2
    for unit in result.units:
        text = unit.label.decode()
        assert text.startswith("^XA") and text.rstrip().endswith("^XZ")
        assert f"^FD{unit.unit_no}^FS" in text
        assert "1234AB" in text and "Amsterdam" in text


async def test_services_are_sent(gls, sandbox):
    services = {
        "expressService": "t12",
        "saturdayService": True,
        "addresseeOnlyService": True,
        "shopDeliveryParcelShopId": "2500123456",
    }
    await gls.create_label(request(services=services))
    assert sandbox.request_log[-1].body["services"] == services


def test_label_body_leaves_out_empty_fields():
    body = label_body(request(pickup=None, shipping_date=None, delivery=delivery(email="")))
    assert "pickupAddress" not in body["addresses"]
    assert "shippingDate" not in body and "services" not in body
    assert "email" not in body["addresses"]["deliveryAddress"]
    assert "name2" not in body["addresses"]["deliveryAddress"]
    assert body["shiptype"] == "p" and body["trackingLinkType"] == "u"


# --- field limits ----------------------------------------------------------------------


async def test_field_limits_are_checked_before_the_call(gls, sandbox):
    bad = request(
        reference="X" * 21,
        units=[("a", 0.1), ("b", 32.0)],
        delivery=delivery(
            street="S" * 41,
            house_no="123456",
            house_no_ext="ABCDEF",
            name1="N" * 31,
            name2="N" * 31,
            city="C" * 31,
            zip_code="123456789",
            phone="1" * 26,
            country_code="NLD",
            addressee_type="x",
        ),
        services={"expressService": "t99", "flexService": True},
    )
    with pytest.raises(GlsValidationError) as info:
        await gls.create_label(bad)
    errors = info.value.errors
    d = "addresses.deliveryAddress."
    assert set(errors) == {
        "reference",
        "units[0].weight",
        "units[1].weight",
        *(
            d + f
            for f in (
                "street",
                "houseNo",
                "houseNoExt",
                "name1",
                "name2",
                "city",
                "zipCode",
                "phone",
                "countryCode",
                "addresseeType",
            )
        ),
        "services.expressService",
        "services.flexService",
    }
    assert sandbox.request_log == []  # nothing was sent
    text = info.value.user_message
    assert "Recipient street: at most 40 characters (now 41)" in text
    assert "Recipient house number: at most 5 characters" in text
    assert "Parcel 1 weight: must be between 0.2 and 31.9 kg" in text
    assert "Reference: at most 20 characters" in text


async def test_missing_required_fields(gls):
    with pytest.raises(GlsValidationError) as info:
        await gls.create_label(request(units=[], delivery=delivery(name1="", city="")))
    assert {"units", "addresses.deliveryAddress.name1", "addresses.deliveryAddress.city"} <= set(
        info.value.errors
    )


async def test_gls_422_maps_to_the_same_validation_error(gls, sandbox, monkeypatch):
    monkeypatch.setattr(client_mod, "validate_request", lambda req, customer_no="": {})
    with pytest.raises(GlsValidationError) as info:
        await gls.create_label(request(delivery=delivery(street="S" * 41)))
    assert info.value.status == 422
    assert list(info.value.errors) == ["addresses.deliveryAddress.street"]
    assert "maximum length of 40" in info.value.errors["addresses.deliveryAddress.street"][0]
    assert "Recipient street" in info.value.user_message
    assert info.value.transaction_id
    assert sandbox.request_log[-1].status == 422
    assert sandbox.labels == {}


async def test_envelope_error_inside_http_200_is_still_an_error(sleeps):
    def handler(request):
        return httpx.Response(
            200,
            json={
                "error": True,
                "status": "422",
                "message": "Validation failed",
                "errors": {"Addresses.DeliveryAddress.ZipCode": ["Unknown postcode"]},
                "transactionId": "t-1",
            },
        )

    gls = make_client(httpx.MockTransport(handler), sleeps)
    with pytest.raises(GlsValidationError) as info:
        await gls.create_label(request())
    assert info.value.status == 422
    assert "Recipient postcode: Unknown postcode" in info.value.user_message


def test_field_labels_any_case():
    assert field_label("addresses.deliveryAddress.houseNoExt") == "Recipient house number addition"
    assert field_label("$.Addresses.PickupAddress.Street") == "Sender street"
    assert field_label("units[2].weight") == "Parcel 3 weight"
    assert field_label("reference") == "Reference"
    assert field_label("somethingElse") == "somethingElse"


# --- delete ----------------------------------------------------------------------------


async def test_delete_label_then_again_then_unknown(gls, sandbox):
    result = await gls.create_label(request())
    unit_no = result.units[0].unit_no
    await gls.delete_label(unit_no)
    assert sandbox.labels[unit_no]["state"] == "deleted"
    with pytest.raises(GlsValidationError) as info:
        await gls.delete_label(unit_no)
    assert "already been deleted" in info.value.user_message
    with pytest.raises(GlsError) as info:
        await gls.delete_label("99999999999999")
    assert info.value.status == 400  # GLS lists no 404 for Label/Delete
    assert "not found" in info.value.user_message
    assert not info.value.retryable
    with pytest.raises(GlsValidationError):
        await gls.delete_label("1" * 15)


# --- failures and retries --------------------------------------------------------------


async def test_503_on_login_is_retried(gls, sandbox, sleeps):
    sandbox.fail_next(503, count=2)
    await gls.validate_login()
    assert [e.status for e in sandbox.request_log] == [503, 503, 200]
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


async def test_retries_are_jittered_so_stations_do_not_knock_again_together(sandbox):
    """Full jitter, as for Amazon: two stations hit by the same 503 wait different times."""
    waits = []
    for seed in (1, 2):
        sleeps = Sleeps()
        sandbox.fail_next(503, count=2)
        http = httpx.AsyncClient(transport=sandbox_transport(sandbox))
        gls = GlsClient(
            http, BASE, GLS_DEMO_SUBSCRIPTION_KEY, GLS_DEMO_USERNAME, GLS_DEMO_PASSWORD,
            sleep=sleeps, rng=random.Random(seed),
        )  # fmt: skip
        await gls.validate_login()
        waits.append(list(sleeps))
    assert waits[0] != waits[1]
    assert all(0 <= w <= c for pair in waits for w, c in zip(pair, (0.5, 1.0), strict=True))


async def test_retry_waits_follow_the_time_scale(sandbox):
    """The sandbox clock runs 60x: a GLS retry waits a 60th of the real-time delay."""
    rng_seed = 7
    delays = {}
    for scale in (1.0, 60.0):
        sleeps = Sleeps()
        sandbox.fail_next(503, count=2)
        http = httpx.AsyncClient(transport=sandbox_transport(sandbox))
        gls = GlsClient(
            http, BASE, GLS_DEMO_SUBSCRIPTION_KEY, GLS_DEMO_USERNAME, GLS_DEMO_PASSWORD,
            sleep=sleeps, time_scale=scale, rng=random.Random(rng_seed),
        )  # fmt: skip
        await gls.validate_login()
        delays[scale] = list(sleeps)
    assert delays[1.0][0] > 0
    assert delays[60.0] == pytest.approx([d / 60 for d in delays[1.0]])


async def test_503_on_create_is_not_retried_and_may_have_succeeded(gls, sandbox, sleeps):
    sandbox.fail_next(503)
    with pytest.raises(GlsError) as info:
        await gls.create_label(request())
    assert info.value.retryable and info.value.outcome_unknown
    assert info.value.status == 503
    assert len(sandbox.request_log) == 1 and sleeps == []


async def test_429_on_create_is_retried(gls, sandbox, sleeps):
    sandbox.fail_next(429)
    result = await gls.create_label(request())
    assert len(result.units) == 1
    assert [e.status for e in sandbox.request_log] == [429, 200]


async def test_500_three_times_on_delete_gives_up(gls, sandbox):
    unit_no = (await gls.create_label(request())).units[0].unit_no
    sandbox.fail_next(500, count=3)
    with pytest.raises(GlsError) as info:
        await gls.delete_label(unit_no)
    assert info.value.retryable and not info.value.outcome_unknown
    assert "Try again later" in info.value.user_message


async def test_timeout_on_create_says_the_label_may_exist(sleeps):
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    gls = make_client(httpx.MockTransport(handler), sleeps)
    with pytest.raises(GlsError) as info:
        await gls.create_label(request())
    assert info.value.outcome_unknown and info.value.retryable
    assert "GLS portal" in info.value.user_message
    assert sleeps == []


async def test_timeout_on_login_is_retried_then_succeeds(sandbox, sleeps):
    calls = []
    inner = sandbox_transport(sandbox)

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return inner.handler(request)

    gls = make_client(httpx.MockTransport(handler), sleeps)
    await gls.validate_login()
    assert len(calls) == 2 and len(sleeps) == 1 and 0 <= sleeps[0] <= 0.5


async def test_connection_refused_is_retried_then_reported(sleeps):
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    gls = make_client(httpx.MockTransport(handler), sleeps)
    with pytest.raises(GlsError) as info:
        await gls.create_label(request())
    assert info.value.retryable and not info.value.outcome_unknown
    assert "internet connection" in info.value.user_message
    assert len(sleeps) == 2


async def test_non_json_answer(sleeps):
    gls = make_client(httpx.MockTransport(lambda r: httpx.Response(502, text="<html>")), sleeps)
    with pytest.raises(GlsError) as info:
        await gls.validate_login()
    assert info.value.status == 502 and "unreadable" in info.value.user_message


async def test_answer_without_parcel_numbers_is_an_error(sleeps):
    body = {"error": False, "status": "200", "errors": {}, "units": []}
    gls = make_client(httpx.MockTransport(lambda r: httpx.Response(200, json=body)), sleeps)
    with pytest.raises(GlsError) as info:
        await gls.create_label(request())
    assert info.value.outcome_unknown


async def test_no_credentials_or_addresses_in_logs_or_errors(sandbox, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    texts = []
    gls = make_client(sandbox_transport(sandbox), sleeps)
    await gls.create_label(request())
    sandbox.fail_next(503)
    for attempt in (
        gls.create_label(request()),
        make_client(sandbox_transport(sandbox), sleeps, password="pw-secret-1").validate_login(),
        gls.create_label(request(delivery=delivery(street="Kerkstraat" * 5))),
    ):
        with pytest.raises(GlsError) as info:
            await attempt
        texts += [str(info.value), repr(info.value), info.value.user_message]
    everything = caplog.text + "\n".join(texts)
    for secret in (GLS_DEMO_PASSWORD, GLS_DEMO_SUBSCRIPTION_KEY, "pw-secret-1"):
        assert secret not in everything
    assert "Kerkstraat" not in caplog.text and "Jan de Vries" not in caplog.text
    assert "1234AB" not in caplog.text
