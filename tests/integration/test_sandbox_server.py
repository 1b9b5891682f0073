"""The sandbox itself: one loopback server, deterministic data, simulated time, the request
log, the GLS mount and the `glstui sandbox` command."""

from __future__ import annotations

import io
import threading
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, cli

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def _snapshot(sb: Sandbox) -> list[tuple]:
    return sorted(
        (o.order_id, o.status, o.address.get("addressLine1"), tuple(i.sku for i in o.items))
        for o in sb.orders.values()
    )


def test_same_seed_same_shop():
    a, b, c = (Sandbox(seed=s, orders=50, start=START) for s in (7, 7, 8))
    assert _snapshot(a) == _snapshot(b)
    assert _snapshot(a) != _snapshot(c)


def test_usable_from_sync_code(sandbox):
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    with httpx.Client() as client:
        page = client.get(sandbox.base_url + "/")
        assert page.status_code == 200 and "glstui sandbox" in page.text
        missing = client.get(sandbox.base_url + "/no/such/thing")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NotFound"


def test_start_stop_and_context_manager():
    sb = Sandbox(orders=5, start=START)
    assert not sb.running
    with sb:
        url = sb.base_url
        assert httpx.get(url + "/").status_code == 200
    assert not sb.running
    sb.stop()  # twice is fine
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/", timeout=1)


def test_simulated_clock_runs_faster_and_can_jump(make_sandbox):
    sb = make_sandbox(time_scale=3600.0, orders=10)
    first = sb.clock.now()
    assert first >= START
    sb.clock.advance(86400)
    assert sb.clock.now() - first >= timedelta(days=1)


def test_orders_arrive_and_get_cancelled_as_time_passes(make_sandbox):
    sb = make_sandbox(orders=300, arrivals_per_hour=12)
    before = len(sb.orders)
    sb.clock.advance(24 * 3600)
    after = sb.orders  # reading advances the shop to the simulated now
    assert len(after) >= before + 12 * 24 * 0.6
    assert any(o.status == "CANCELLED" and o.last_updated > START for o in after.values())
    added = sb.add_orders(3, country="DE")
    assert [o.country_code for o in added] == ["DE"] * 3
    assert all(o.status == "UNSHIPPED" and o.order_id in sb.orders for o in added)


async def test_pending_orders_hide_the_address(sandbox, amazon_client, refresh_token):
    (order,) = sandbox.add_orders(1, status="PENDING")
    raw = await amazon_client.get_order(refresh_token, "EU", order.order_id, ("RECIPIENT", "BUYER"))
    address = raw["recipient"]["deliveryAddress"]
    assert set(address) <= {"city", "postalCode", "countryCode", "stateOrRegion"}
    assert "buyerEmail" not in raw.get("buyer", {})


async def test_request_log_has_no_secrets(sandbox, amazon_client, refresh_token):
    await amazon_client.get_order(refresh_token, "EU", next(iter(sandbox.orders)))
    log = sandbox.request_log
    assert [(r.method, r.path, r.status) for r in log] == [
        ("POST", "/auth/o2/token", 200),
        ("GET", f"/orders/2026-01-01/orders/{next(iter(sandbox.orders))}", 200),
    ]
    assert log[0].json == {"grant_type": "refresh_token"}
    text = repr(log)
    for secret in (refresh_token, DEMO_CLIENT_SECRET, "Atza|"):
        assert secret not in text


async def test_gls_is_mounted_under_its_paths(sandbox, http):
    assert sandbox.gls is not None, "the sandbox mounts its GLS half on the same server"
    before = len(sandbox.gls.request_log)
    for path in ("/Test/V1/api/Label/Create", "/V1/api/Label/Create", "/test/v1/api/label/create"):
        r = await http.post(sandbox.base_url + path, json={})
        # GLS's own answer to a request without a subscription key (Amazon would say 404).
        assert r.status_code == 401, r.text
        assert "subscription key" in r.json()["message"]
    assert len(sandbox.gls.request_log) == before + 3
    assert all(r.path.lower().endswith("/label/create") for r in sandbox.requests("/"))


def test_cli_prints_where_and_how_then_stops_on_request():
    stop = threading.Event()
    out = io.StringIO()
    result: list[int] = []

    def run() -> None:
        with redirect_stdout(out):
            result.append(
                cli.run(["--orders", "5", "--time-scale", "10", "--seed", "3"], stop=stop)
            )

    thread = threading.Thread(target=run)
    thread.start()
    for _ in range(100):
        if "Ctrl-C" in out.getvalue():
            break
        threading.Event().wait(0.02)
    text = out.getvalue()
    url = text.split("running on ", 1)[1].split()[0]
    assert httpx.get(url + "/").status_code == 200
    stop.set()
    thread.join(5)
    assert result == [0]
    for value in (DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "10x"):
        assert value in text


def test_cli_refuses_a_bad_time_scale(capsys):
    assert cli.run(["--time-scale", "0"]) == 2
    assert "--time-scale" in capsys.readouterr().out
