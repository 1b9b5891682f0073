"""The demo shows the real order kinds and asks GLS Track & Trace through the context."""

from __future__ import annotations

from glstui.demo import build_demo_context


async def test_demo_has_partly_shipped_orders_and_a_working_gls_label_search():
    ctx = build_demo_context(language="en", orders=120)
    try:
        statuses = [o.status for o in ctx.sandbox.orders.values()]
        assert statuses.count("PARTIALLY_SHIPPED") >= 1
        waiting = [o for o in ctx.sandbox.orders.values() if o.status == "UNSHIPPED"]
        assert any(o.address.get("addressType") == "PICKUP_POINT" for o in waiting)
        assert any({"AMAZON_EASY_SHIP", "FBM_SHIP_PLUS"} & set(o.programs) for o in waiting)
        async with ctx.http_client() as http:
            search = ctx.gls_tracking(http)
            assert search is not None
            assert await search.find_by_reference("402-0000000-0000000") == []
        (asked,) = ctx.sandbox.requests("/tt-test/")
        assert asked.status == 204  # GLS answered "none", not 404
    finally:
        ctx.close()


def test_without_gls_keys_there_is_no_label_search():
    ctx = build_demo_context(language="en", orders=5)
    try:
        ctx.secrets.set("gls.password", "")
        assert ctx.gls_tracking(None) is None
    finally:
        ctx.close()
