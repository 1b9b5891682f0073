"""The buyer's e-mail (Amazon's relay address, in the BUYER data) goes to GLS only when the
settings ask for GLS's delivery notifications, and it is never written to a log."""

from __future__ import annotations

import logging

import pytest
from gls_models import TEST, check_request
from test_labels_world import SENDER, make_world

from glstui.domain.settings import Settings
from glstui.services import labelling, outbox


@pytest.fixture
def small_sandbox(make_sandbox):
    return make_sandbox(seed=5, orders=40, time_scale=60.0, arrivals_per_hour=0)


async def _label_one(sandbox, path, settings):
    world = make_world(sandbox, path, settings=settings)
    before = len(sandbox.requests("/orders/2026-01-01/orders", "GET"))
    key = (await world.import_orders())[0]
    relay = sandbox.orders[world.order(key).order_id].buyer["buyerEmail"]
    assert relay.endswith(".amazon.nl") or "@marketplace.amazon." in relay
    searches = sandbox.requests("/orders/2026-01-01/orders", "GET")[before:]
    asked = {r.query.get("includedData", "") for r in searches}
    if settings.gls_buyer_notifications:  # the import asks Amazon for the BUYER data set
        assert all("BUYER" in a for a in asked) and world.order(key).recipient.email == relay
    else:  # and only then: glstui fetches no buyer e-mail it would not use
        assert asked and not any("BUYER" in a for a in asked)
        world.set_recipient(key, email=relay)  # even when glstui has one, GLS gets none
    run = await labelling.create_labels(world.ctx, [key], world.report)
    assert run.labelled == 1
    [create] = [r for r in sandbox.gls.request_log if r.path.endswith("Label/Create")]
    return world, relay, create.body


async def test_the_buyer_email_goes_to_gls_only_when_notifications_are_on(
    small_sandbox, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    _world, relay, body = await _label_one(small_sandbox, tmp_path / "off", Settings(sender=SENDER))
    assert "email" not in body["addresses"]["deliveryAddress"]  # default: GLS gets none
    assert "notificationEmail" not in body

    small_sandbox.gls.request_log.clear()
    on = Settings(sender=SENDER, gls_buyer_notifications=True)
    world, relay, body = await _label_one(small_sandbox, tmp_path / "on", on)
    assert body["addresses"]["deliveryAddress"]["email"] == relay
    assert body["notificationEmail"]["sendMail"] is True
    check_request(TEST, "/Test/V1/api/Label/Create", {**body, "password": "x"})
    await outbox.deliver_pending(world.ctx, world.report)

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GLS label created" in logged  # the logs were caught
    assert relay not in logged
    assert all(relay not in line for line in world.lines())
