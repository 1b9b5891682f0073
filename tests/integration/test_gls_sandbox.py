"""GlsClient against the real loopback sandbox server: labels made, saved, rendered, deleted."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import date

import httpx
import pytest

import glstui.gls.client as client_mod
from glstui.domain.address import split_street
from glstui.gls.client import GlsAddress, GlsClient, LabelRequest
from glstui.gls.errors import GlsAuthError, GlsError, GlsValidationError
from glstui.gls.labels import check_zpl, inspect_pdf, suffix_for
from glstui.sandbox.gls import GLS_DEMO_PASSWORD, GLS_DEMO_SUBSCRIPTION_KEY, GLS_DEMO_USERNAME


async def no_sleep(_seconds: float) -> None:
    return None


def gls_client(sandbox, http, *, key=GLS_DEMO_SUBSCRIPTION_KEY, live=False) -> GlsClient:
    base = f"{sandbox.base_url}/{'' if live else 'Test/'}V1/api/"
    return GlsClient(
        http, base, key, GLS_DEMO_USERNAME, GLS_DEMO_PASSWORD, sleep=no_sleep
    )  # fmt: skip


def order_request(label_type="pdf", units=(("028-1234567-1234567-1", 1.5),)) -> LabelRequest:
    split = split_street(["Professor Pieter Willemsstraat 23 B 03", "1e etage"], "NL")
    return LabelRequest(
        reference="028-1234567-1234567",
        delivery=GlsAddress(
            name1="Jan de Vries",
            name2=", ".join(split.extra),
            street=split.street,
            house_no=split.house_no,
            house_no_ext=split.house_no_ext,
            zip_code="1234AB",
            city="Amsterdam",
            country_code="NL",
            addressee_type="p",
        ),
        units=list(units),
        label_type=label_type,
        shipping_date=date(2026, 11, 27),
    )


async def test_login_create_save_render_delete(sandbox, http, tmp_path):
    gls = gls_client(sandbox, http)
    await gls.validate_login()
    result = await gls.create_label(order_request(units=[("p-1", 1.0), ("p-2", 2.5)]))
    assert len(result.units) == 2
    path = tmp_path / f"028-1234567-1234567{suffix_for(result.labels)}"
    path.write_bytes(result.labels)
    assert path.suffix == ".pdf"
    assert inspect_pdf(path.read_bytes(), strict=True).pages == 2
    if shutil.which("pdftoppm"):
        done = subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")],
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert len(list(tmp_path.glob("page*.png"))) == 2

    labels = sandbox.gls.labels
    assert {u.unit_no for u in result.units} <= set(labels)
    await gls.delete_label(result.units[0].unit_no)
    assert labels[result.units[0].unit_no]["state"] == "deleted"
    assert labels[result.units[1].unit_no]["state"] == "created"

    paths = [e.path for e in sandbox.gls.request_log]
    assert paths == [
        "/Test/V1/api/Authentication/ValidateLogin",
        "/Test/V1/api/Label/Create",
        "/Test/V1/api/Label/Delete",
    ]
    assert all("password" not in (e.body or {}) for e in sandbox.gls.request_log)
    sent = sandbox.gls.request_log[1].body["addresses"]["deliveryAddress"]
    assert (sent["street"], sent["houseNo"], sent["houseNoExt"], sent["name2"]) == (
        "Professor Pieter Willemsstraat",
        "23",
        "B 03",
        "1e etage",
    )


async def test_zpl_over_http_on_the_live_path(sandbox, http):
    gls = gls_client(sandbox, http, live=True)
    result = await gls.create_label(order_request("zpl"))
    assert check_zpl(result.labels) == 1
    assert result.units[0].unit_no in result.units[0].label.decode()
    assert sandbox.gls.request_log[-1].path == "/V1/api/Label/Create"


async def test_wrong_subscription_key_over_http(sandbox, http):
    with pytest.raises(GlsAuthError) as info:
        await gls_client(sandbox, http, key="wrong").validate_login()
    assert "Key beheer" in info.value.user_message


async def test_gls_422_over_http(sandbox, http, monkeypatch):
    monkeypatch.setattr(client_mod, "validate_request", lambda req, customer_no="": {})
    req = order_request()
    req.delivery.house_no = "123456"
    with pytest.raises(GlsValidationError) as info:
        await gls_client(sandbox, http).create_label(req)
    assert list(info.value.errors) == ["addresses.deliveryAddress.houseNo"]
    assert "Recipient house number" in info.value.user_message


async def test_503_on_login_is_retried_over_http(sandbox, http):
    sandbox.gls.fail_next(503, count=2)
    await gls_client(sandbox, http).validate_login()
    assert [e.status for e in sandbox.gls.request_log] == [503, 503, 200]


async def test_slow_create_times_out_but_the_label_exists(sandbox):
    """A timeout after Label/Create was sent: the client says the label may exist; it does."""
    sandbox.gls.slow_next(1.5)
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as http:
        with pytest.raises(GlsError) as info:
            await gls_client(sandbox, http).create_label(order_request())
    assert info.value.outcome_unknown
    for _ in range(100):  # the server finishes the slow request in its own thread
        if sandbox.gls.labels:
            break
        await asyncio.sleep(0.05)
    assert len(sandbox.gls.labels) == 1
