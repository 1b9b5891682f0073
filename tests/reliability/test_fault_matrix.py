"""A fault matrix on the sandbox: every outside failure, at every step (import, label, confirm).

Each case must end in a successful retry, or in a message an operator can act on: said
through the services' own channel (the shop's import error, the label outcome, the log
lines), without a traceback and without a secret. Nothing may be half-done: what the store
says afterwards matches what Amazon and GLS saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from test_labels_world import World, make_world

from glstui.domain.order import LABELLED, NEW
from glstui.domain.shipment import PENDING, SENT
from glstui.sandbox import DEMO_CLIENT_SECRET
from glstui.sandbox.gls import GLS_DEMO_PASSWORD, GLS_DEMO_SUBSCRIPTION_KEY
from glstui.services import labelling, outbox
from glstui.services.events import ERROR, WARNING
from glstui.services.importer import import_shops

SEARCH = "/orders/2026-01-01/orders"
CONFIRM = "/orders/v0/orders"
LWA = "/auth/o2/token"


@dataclass
class Case:
    step: str  # import | label | confirm
    name: str
    arm: Callable[[World], Any]
    recovers: bool | None  # True: must succeed; False: must end in a message; None: either
    says: str = ""  # a word the message must contain (when there is one)


def _amazon(kind: str, count: int | None, path: str, **kw: Any) -> Callable[[World], Any]:
    return lambda w: w.sandbox.faults.add(kind, count, path, **kw)


def _timeout(path: str, count: int | None) -> Callable[[World], Any]:
    def arm(w: World) -> None:
        w.ctx.http_timeout = 0.3
        w.sandbox.faults.add("slow", count, path, delay=0.6)

    return arm


def _revoke(w: World) -> None:
    w.sandbox.revoke(w.ctx.refresh_token(w.shop.id))


def _gls(status: int, count: int = 1) -> Callable[[World], Any]:
    return lambda w: w.sandbox.gls.fail_next(status, count)


def _gls_timeout(w: World) -> None:
    w.ctx.http_timeout = 0.3
    w.sandbox.gls.slow_next(0.6, count=5)


def _gls_bad_password(w: World) -> None:
    w.ctx.secrets.set("gls.password", "not-the-password")


def _unlabellable(w: World) -> None:
    # The address GLS refuses (422 with field errors): no house number anywhere.
    for key in w.keys[:3]:
        w.set_recipient(key, address_lines=["Postbus"])


CASES = [
    Case("import", "429 x3", _amazon("429", 3, SEARCH), True),
    Case("import", "429 storm", _amazon("429", None, SEARCH), False),
    Case("import", "500 x2", _amazon("500", 2, SEARCH), True),
    Case("import", "503 x2", _amazon("503", 2, SEARCH), True),
    Case("import", "503 forever", _amazon("503", None, SEARCH), False),
    Case("import", "timeout once", _timeout(SEARCH, 1), True),
    Case("import", "timeouts forever", _timeout(SEARCH, None), False),
    Case("import", "connection reset", _amazon("reset", 1, SEARCH), True),
    Case("import", "malformed JSON", _amazon("malformed_json", 1, SEARCH), None),
    Case("import", "expired access token", _amazon("expired_access_token", 1, SEARCH), True),
    Case("import", "LWA 500", _amazon("500", 1, LWA), None),
    Case("import", "revoked grant", _revoke, False, "re-connect"),
    Case("label", "GLS 422", _gls(422), False),
    Case("label", "address GLS cannot take", _unlabellable, False),
    Case("label", "GLS 401", _gls(401), False),
    Case("label", "GLS wrong password", _gls_bad_password, False),
    Case("label", "GLS 500", _gls(500), None),
    Case("label", "GLS 503 x3", _gls(503, 3), None),
    Case("label", "GLS timeout", _gls_timeout, None),
    Case("confirm", "429 x3", _amazon("429", 3, CONFIRM), None),
    Case("confirm", "429 storm", _amazon("429", None, CONFIRM), False),
    Case("confirm", "500", _amazon("500", 1, CONFIRM), None),
    Case("confirm", "503 x2", _amazon("503", 2, CONFIRM), None),
    Case("confirm", "timeout once", _timeout(CONFIRM, 1), None),
    Case("confirm", "malformed JSON", _amazon("malformed_json", 1, CONFIRM), None),
    Case("confirm", "expired access token", _amazon("expired_access_token", 1, CONFIRM), True),
    Case("confirm", "revoked grant", _revoke, False, "re-connect"),
]


def secrets_of(world: World) -> list[str]:
    values = [
        DEMO_CLIENT_SECRET,
        GLS_DEMO_PASSWORD,
        GLS_DEMO_SUBSCRIPTION_KEY,
        world.ctx.refresh_token(world.shop.id) or "",
        "Atza|",
        "Atzr|",
    ]
    return [v for v in values if v]


def assert_clear(world: World, messages: list[str]) -> None:
    text = "\n".join(messages)
    assert "Traceback" not in text and 'File "' not in text, text
    for secret in secrets_of(world):
        assert secret not in text, f"a secret in a message: {text}"
    for m in messages:
        assert m.strip(), "an empty message"
        assert not m.startswith(("<", "{")), f"raw data, not a message: {m}"


@pytest.fixture
async def world(make_sandbox, tmp_path) -> World:
    w = make_world(make_sandbox(seed=5, orders=40, time_scale=600.0), tmp_path / "data")
    return w


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.step}: {c.name}")
async def test_fault(world: World, case: Case) -> None:
    if case.step != "import":
        world.keys = (await world.import_orders())[:3]
        assert len(world.keys) == 3
    if case.step == "confirm":
        labelled = await labelling.create_labels(world.ctx, world.keys, world.report, deliver=False)
        assert labelled.labelled == 3
    world.events.clear()
    case.arm(world)

    if case.step == "import":
        run = await import_shops(world.ctx, [world.shop.id], world.report)
        (shop,) = run.shops
        ok = not shop.error
        messages = [shop.error] if shop.error else []
        if ok:
            assert world.orders(), "the import said fine but stored nothing"
    elif case.step == "label":
        run = await labelling.create_labels(world.ctx, world.keys, world.report, deliver=False)
        ok = run.labelled == 3
        messages = [run.error] if run.error else []
        messages += [o.message for o in run.outcomes if o.status != labelling.DONE]
        for o in run.outcomes:  # what the store says is what GLS made
            state = world.order(o.order_key).state
            assert state in ((LABELLED,) if o.status == labelling.DONE else (NEW, "held")), o
    else:
        result = await outbox.deliver_pending(world.ctx, world.report)
        ok = result.sent == 3
        messages = []
        states = {e.state for e in world.outbox()}
        assert states <= {SENT, PENDING, "failed"}
        assert len(world.confirm_204s()) == result.sent or not ok
    messages += world.lines(ERROR) + world.lines(WARNING)
    world.sandbox.faults.clear()

    if case.recovers is True:
        assert ok, messages
    elif case.recovers is False:
        assert not ok
    if not ok:
        assert messages, "it failed without saying so"
        if case.says:
            assert any(case.says in m for m in messages), messages
    assert_clear(world, messages)
