"""A fault matrix on the sandbox: every outside failure, at every step (import, label, confirm).

Every case has one expected outcome (each fault is deterministic; CASES says why): the
client's retries make it succeed, or it ends in a message an operator can act on. A message
is said through the services' own channel (the shop's import error, the label outcome, the log
lines), without a traceback and without a secret, and it says what to do (in glstui's own
words: advice quoted from GLS or Amazon does not count). Nothing may be half-done: afterwards
the store matches what Amazon answered (its search answers, its order book) and what GLS did
(its request log and its labels), checked once every request glstui sent has been handled.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from test_labels_world import World, make_world

from glstui.domain.order import HELD, LABELLED, NEW
from glstui.domain.shipment import PENDING, SENT
from glstui.sandbox import DEMO_CLIENT_SECRET
from glstui.sandbox.gls import GLS_DEMO_PASSWORD, GLS_DEMO_SUBSCRIPTION_KEY
from glstui.services import labelling, outbox
from glstui.services.events import ERROR, WARNING
from glstui.services.importer import import_shops

SEARCH = "/orders/2026-01-01/orders"
CONFIRM = "/orders/v0/orders"
LWA = "/auth/o2/token"
GLS_CREATE = "label/create"


@dataclass
class Case:
    step: str  # import | label | confirm
    name: str
    arm: Callable[[World], object]
    recovers: bool  # True: the retries make it succeed; False: it ends in a message
    says: str = ""  # words the message must contain when it fails
    never: str = ""  # advice no message may give here


def _amazon(kind: str, count: int | None, path: str) -> Callable[[World], object]:
    return lambda w: w.sandbox.faults.add(kind, count, path)


def _timeout(path: str, count: int | None) -> Callable[[World], object]:
    def arm(w: World) -> None:
        w.ctx.http_timeout = 0.3
        w.sandbox.faults.add("slow", count, path, delay=0.6)

    return arm


def _revoke(w: World) -> None:
    w.sandbox.revoke(w.ctx.refresh_token(w.shop.id))


def _gls(status: int, count: int = 1) -> Callable[[World], object]:
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


PORTAL = "check the GLS portal"  # a create that may have worked: look before labelling again
BLIND = "try again later"  # ... and not "just try again": that can make a second label
CASES = [
    # Import: searchOrders and LWA are reads; the client retries 429, 5xx, timeouts, resets,
    # a truncated body and an expired token within its budget, and then gives up.
    Case("import", "429 x3", _amazon("429", 3, SEARCH), True),
    Case("import", "429 storm", _amazon("429", None, SEARCH), False, "try again"),
    Case("import", "500 x2", _amazon("500", 2, SEARCH), True),
    Case("import", "503 x2", _amazon("503", 2, SEARCH), True),
    Case("import", "503 forever", _amazon("503", None, SEARCH), False, "try again later"),
    Case("import", "timeout once", _timeout(SEARCH, 1), True),
    Case("import", "timeouts forever", _timeout(SEARCH, None), False, "Check the internet"),
    Case("import", "connection reset", _amazon("reset", 1, SEARCH), True),
    Case("import", "malformed JSON", _amazon("malformed_json", 1, SEARCH), True),
    Case("import", "expired access token", _amazon("expired_access_token", 1, SEARCH), True),
    Case("import", "LWA 500", _amazon("500", 1, LWA), True),
    Case("import", "revoked grant", _revoke, False, "re-connect"),
    # Label: Label/Create is never repeated after a 5xx or a timeout (GLS may have made the
    # label: a repeat could make a second one), so those end in "check the GLS portal".
    Case("label", "GLS 422", _gls(422), False, "create the label again"),
    Case("label", "address GLS cannot take", _unlabellable, False, "add the house number"),
    Case("label", "GLS 401", _gls(401), False, "check the GLS user name"),
    Case("label", "GLS wrong password", _gls_bad_password, False, "check the GLS user name"),
    Case("label", "GLS 500", _gls(500), False, PORTAL, BLIND),
    Case("label", "GLS 503 x3", _gls(503, 3), False, PORTAL, BLIND),
    Case("label", "GLS timeout", _gls_timeout, False, PORTAL, BLIND),
    # Confirm: confirmShipment is idempotent per packageReferenceId, so the client repeats it;
    # a storm leaves the codes in the outbox, which tries again on its own.
    Case("confirm", "429 x3", _amazon("429", 3, CONFIRM), True),
    Case("confirm", "429 storm", _amazon("429", None, CONFIRM), False, "will retry"),
    Case("confirm", "500", _amazon("500", 1, CONFIRM), True),
    Case("confirm", "503 x2", _amazon("503", 2, CONFIRM), True),
    Case("confirm", "timeout once", _timeout(CONFIRM, 1), True),
    Case("confirm", "malformed JSON", _amazon("malformed_json", 1, CONFIRM), True),
    Case("confirm", "expired access token", _amazon("expired_access_token", 1, CONFIRM), True),
    Case("confirm", "revoked grant", _revoke, False, "re-connect"),
]

# Sentences the sandbox answers with: advice in them is Amazon's or GLS's, not glstui's.
THEIR_WORDS = (
    "Rate limit is exceeded. Try again later.",
    "We encountered an internal error. Please try again.",
    "Service temporarily unavailable. Please try again.",
)
SAYS_WHAT_TO_DO = re.compile(
    r"\b(check|try again|re-connect|add|correct|create (the label|it) again|contact|will retry)\b",
    re.IGNORECASE,
)
SUMMARIES = ("Import finished:", "Labels:")  # counts; the lines they count say what to do


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


def says_what_to_do(message: str) -> bool:
    ours = message
    for sentence in THEIR_WORDS:
        ours = ours.replace(sentence, "")
    return bool(SAYS_WHAT_TO_DO.search(ours))


def assert_clear(world: World, messages: list[str]) -> None:
    text = "\n".join(messages)
    assert "Traceback" not in text and 'File "' not in text, text
    for secret in secrets_of(world):
        assert secret not in text, f"a secret in a message: {text}"
    for m in messages:
        assert m.strip(), "an empty message"
        assert not m.startswith(("<", "{")), f"raw data, not a message: {m}"
        if not m.startswith(SUMMARIES):
            assert says_what_to_do(m), f"does not say what to do: {m!r}"


def test_the_message_check_rejects_a_text_without_advice() -> None:
    assert not says_what_to_do("GLS could not do this (HTTP 422): Error")
    assert not says_what_to_do("Amazon (503): Service temporarily unavailable. Please try again.")
    assert says_what_to_do("Amazon consent was revoked or expired: re-connect this shop.")


@dataclass
class Wire:
    """What glstui sent (every request) and what Amazon's searchOrders answered: order id ->
    fulfillment status."""

    sent: int = 0
    answered: dict[str, str] = field(default_factory=dict)

    def install(self, world: World) -> None:
        make = world.ctx.http_client

        async def on_request(request: httpx.Request) -> None:
            self.sent += 1

        async def on_response(response: httpx.Response) -> None:
            if response.request.url.path == SEARCH and response.status_code == 200:
                await response.aread()
                try:
                    orders = response.json()["orders"]
                except (ValueError, KeyError, TypeError):
                    return
                for o in orders:
                    self.answered[o["orderId"]] = o["fulfillment"]["fulfillmentStatus"]

        def client() -> httpx.AsyncClient:
            http = make()
            http.event_hooks = {"request": [on_request], "response": [on_response]}
            return http

        world.ctx.http_client = client  # type: ignore[method-assign]

    async def settled(self, world: World) -> None:
        """Wait until the sandbox has handled every request sent (a timed-out one too)."""
        for _ in range(500):
            if len(world.sandbox.requests()) >= self.sent:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{self.sent} sent, {len(world.sandbox.requests())} handled")


def gls_creates(world: World, order_id: str) -> list[int]:
    """The HTTP status of every Label/Create GLS got for this order, in order."""
    return [
        r.status
        for r in world.sandbox.gls.request_log
        if r.path.lower().endswith(GLS_CREATE) and (r.body or {}).get("reference") == order_id
    ]


def gls_parcels(world: World, order_id: str) -> list[str]:
    labels = world.sandbox.gls.labels.items()
    return sorted(n for n, la in labels if la["reference"] == order_id and la["state"] == "created")


def judge_import(world: World, wire: Wire, ok: bool) -> None:
    stored = {o.order_id for o in world.orders().values()}
    # a new order Amazon answers as cancelled is not stored (nothing to ship)
    wanted = {oid for oid, status in wire.answered.items() if status != "CANCELLED"}
    assert stored == wanted, "the store holds other orders than Amazon answered"
    assert bool(stored) == ok, "a failed import stored orders, or a fine one stored none"
    assert world.sandbox.gls.request_log == [], "an import asked GLS"


def judge_label(world: World) -> None:
    assert world.confirm_requests() == [], "labelling without delivery told Amazon"
    shipments = [s for s in world.shipments() if s.deleted_at is None]
    queued = {e.order_key for e in world.outbox() if e.state == PENDING}
    for key in world.keys:
        order = world.order(key)
        answers, made = gls_creates(world, order.order_id), gls_parcels(world, order.order_id)
        mine = [s for s in shipments if s.order_key == key]
        if order.state == LABELLED:
            assert answers == [200] and [sorted(s.parcel_numbers) for s in mine] == [made]
            assert key in queued, "a label whose tracking code will never reach Amazon"
            continue
        assert mine == [] and key not in queued, order.state
        # GLS refused (4xx, or glstui's own check): nothing exists. GLS failed or did not
        # answer in time (5xx, timeout): the label may exist, and the store must say so.
        maybe = bool(made) or any(s >= 500 for s in answers)
        assert (order.label_pending_at is not None) == maybe, (answers, made)
        # held: glstui's own check refused it before asking GLS
        assert order.state == NEW or (order.state == HELD and answers == []), order.state


def judge_confirm(world: World, gls_before: int) -> None:
    assert len(world.sandbox.gls.request_log) == gls_before, "confirming asked GLS"
    for entry in world.outbox():
        assert entry.state in (SENT, PENDING), entry.state
        tracking = entry.payload["packageDetail"]["trackingNumber"]
        packages = world.sandbox.orders[entry.order_id].packages
        at_amazon = [p for p in packages if p["trackingNumber"] == tracking]
        if entry.state == SENT:
            assert [p["packageReferenceId"] for p in at_amazon] == [entry.package_reference_id]
        else:
            assert at_amazon == [], "Amazon has a package the store still wants to send"


@pytest.fixture
async def world(make_sandbox, tmp_path) -> World:
    sandbox = make_sandbox(seed=5, orders=40, time_scale=600.0, arrivals_per_hour=0)
    return make_world(sandbox, tmp_path / "data")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.step}: {c.name}")
async def test_fault(world: World, case: Case) -> None:
    wire = Wire()
    wire.install(world)
    if case.step != "import":
        world.keys = (await world.import_orders())[:3]
        assert len(world.keys) == 3
    if case.step == "confirm":
        labelled = await labelling.create_labels(world.ctx, world.keys, world.report, deliver=False)
        assert labelled.labelled == 3
    gls_before = len(world.sandbox.gls.request_log)
    world.events.clear()
    case.arm(world)

    if case.step == "import":
        run = await import_shops(world.ctx, [world.shop.id], world.report)
        (shop,) = run.shops
        ok = not shop.error
        messages = [shop.error] if shop.error else []
    elif case.step == "label":
        run = await labelling.create_labels(world.ctx, world.keys, world.report, deliver=False)
        ok = run.labelled == 3
        messages = [run.error] if run.error else []
        messages += [o.message for o in run.outcomes if o.status != labelling.DONE]
    else:
        result = await outbox.deliver_pending(world.ctx, world.report)
        ok = result.sent == 3
        messages = []  # an entry's last_error is shown inside "Last try: ... Next try ..."
    messages += world.lines(ERROR) + world.lines(WARNING)
    world.sandbox.faults.clear()
    world.sandbox.gls.clear_faults()
    await wire.settled(world)

    assert ok is case.recovers, messages
    if not ok:
        assert messages, "it failed without saying so"
        assert any(case.says.lower() in m.lower() for m in messages), messages
        assert not (case.never and any(case.never in m.lower() for m in messages)), messages
    assert_clear(world, messages)
    if case.step == "import":
        judge_import(world, wire, ok)
    elif case.step == "label":
        judge_label(world)
    else:
        judge_confirm(world, gls_before)
