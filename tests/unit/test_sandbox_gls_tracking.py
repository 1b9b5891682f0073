"""The sandbox GLS answers Track & Trace parcel search like GLS NL's published T&T API."""

from __future__ import annotations

import json

import httpx

from glstui.gls.tracking import GlsTracking, tracking_base_url
from glstui.sandbox.gls import (
    GLS_DEMO_PASSWORD,
    GLS_DEMO_SUBSCRIPTION_KEY,
    GLS_DEMO_USERNAME,
    GlsSandbox,
)

KEY = {"Ocp-Apim-Subscription-Key": GLS_DEMO_SUBSCRIPTION_KEY}
LOGIN = {"username": GLS_DEMO_USERNAME, "password": GLS_DEMO_PASSWORD}


def _create(gls: GlsSandbox, reference: str) -> str:
    body = {
        **LOGIN,
        "reference": reference,
        "labelType": "pdf",
        "units": [{"unitId": "A", "weight": 1.0}],
        "addresses": {
            "deliveryAddress": {
                "name1": "Buyer",
                "street": "Kade",
                "houseNo": "3",
                "zipCode": "1011 AB",
                "city": "Amsterdam",
                "countryCode": "NL",
            }
        },
    }
    status, _h, out = gls.handle(
        "POST", "/Test/V1/api/Label/Create", {}, KEY, json.dumps(body).encode()
    )
    assert status == 200
    return json.loads(out)["units"][0]["unitNo"]


def _search(gls: GlsSandbox, path: str, body: dict) -> tuple[int, bytes]:
    status, _h, out = gls.handle("POST", path, {}, KEY, json.dumps(body).encode())
    return status, out


def test_search_finds_the_label_by_reference_on_test_and_live_paths():
    gls = GlsSandbox()
    parcel = _create(gls, "402-1")
    tt_login = {"userName": GLS_DEMO_USERNAME, "password": GLS_DEMO_PASSWORD}
    for path in ("/tt-test/api/parcel/v1/search", "/tt/V1/api/parcel/v1/search"):
        status, out = _search(gls, path, {**tt_login, "customerRef": "402-1"})
        assert status == 200
        (found,) = json.loads(out)["parcels"]
        assert found["parcelNo"] == parcel and found["customerReference"] == "402-1"
        assert set(found) <= {
            "parcelNo",
            "uniqueNo",
            "jobDate",
            "country",
            "zipcode",
            "name",
            "state",
            "subState",
            "customerReference",
            "uri",
            "ndi",
        }  # ParcelInfo has additionalProperties: false
    assert _search(gls, "/tt-test/api/parcel/v1/search", {**tt_login, "customerRef": "402-2"}) == (
        204,
        b"",
    )
    status, out = _search(gls, "/tt-test/api/parcel/v1/search", {**tt_login, "password": "wrong"})
    assert status == 401 and json.loads(out)["status"] == 401
    status, _ = _search(gls, "/tt-test/api/parcel/v1/search", {**tt_login, "reference": "402-1"})
    assert status == 400  # SearchParcelsRequestDto allows no other fields


def test_a_deleted_label_is_not_listed():
    gls = GlsSandbox()
    parcel = _create(gls, "402-1")
    gls.handle(
        "POST",
        "/Test/V1/api/Label/Delete",
        {},
        KEY,
        json.dumps({**LOGIN, "unitNo": parcel}).encode(),
    )
    tt_login = {"userName": GLS_DEMO_USERNAME, "password": GLS_DEMO_PASSWORD}
    status, _ = _search(gls, "/tt-test/api/parcel/v1/search", {**tt_login, "customerRef": "402-1"})
    assert status == 204


async def test_the_client_reads_the_sandbox_answer():
    gls = GlsSandbox()
    parcel = _create(gls, "402-7")

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers, body = gls.handle(
            request.method, request.url.path, {}, dict(request.headers), request.content
        )
        return httpx.Response(status, headers=headers, content=body)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        base = tracking_base_url("http://127.0.0.1:1/Test/V1/api/")
        search = GlsTracking(http, base, GLS_DEMO_SUBSCRIPTION_KEY, *LOGIN.values())
        found = await search.find_by_reference("402-7")
    assert [p.parcel_no for p in found] == [parcel]
