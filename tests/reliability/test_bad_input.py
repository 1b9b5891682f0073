"""Bad input from operators and from disk, driven by hypothesis: nothing crashes, every
refusal is a typed error with a message, nothing on disk is overwritten.

Covered here: pasted consent URLs, rule definitions, SKU weight CSV files, shop names
(service and the TUI's two forms, Rich markup shown literally), corrupt and hand-edited store
files, and the CLI on such a data dir. Address lines have their own hypothesis tests
(tests/unit/test_address.py).
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glstui.amazon.consent import ConsentError, ConsentGrant, parse_pasted, start_consent
from glstui.amazon.endpoints import Endpoints
from glstui.domain.clock import FixedClock
from glstui.domain.errors import ValidationError
from glstui.domain.integration import clean_shop_name
from glstui.domain.order import Order, order_key
from glstui.domain.rules import Rule, RuleError, validate_rule
from glstui.domain.sku_weights import parse_csv
from glstui.store import Store, StoreCorrupt
from glstui.store.errors import StoreError, StoreRecordDamaged
from glstui.store.sample import make_order

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6789-abcd-ef0123456789"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)

# --- pasted consent URLs ---------------------------------------------------------------------

_request = start_consent(Endpoints.production(), APP_ID, "A1805IZSGTT6HS", FixedClock(NOW))
url_parts = st.sampled_from(
    [
        "https://",
        "?",
        "&",
        "=",
        "#",
        "spapi_oauth_code",
        "state",
        _request.state,
        "selling_partner_id",
        "MD1000",
        "Atzr|",
        "application_id",
        "%",
        "%zz",
        " ",
        "\n",
        "\x00",
    ]
)
pastes = st.text() | st.lists(url_parts | st.text(max_size=8), max_size=14).map("".join)


@FAST
@given(pastes)
def test_any_paste_gives_a_grant_or_a_consent_error_with_a_message(text: str) -> None:
    try:
        grant = parse_pasted(text, _request, FixedClock(NOW))
    except ConsentError as err:
        assert str(err).strip()
        assert getattr(err, "user_message", str(err)).strip()
    else:
        assert isinstance(grant, ConsentGrant) and grant.code


# --- rule definitions ------------------------------------------------------------------------

rule_fields = st.sampled_from(
    [
        "countries",
        "postcodes",
        "marketplaces",
        "skus",
        "service_levels",
        "items_min",
        "items_max",
        "total_min",
        "total_max",
        "weight_min",
        "weight_max",
        "prime",
        "business",
        "product",
        "parcels",
        "weight_kg",
        "saturday",
        "parcelshop",
        "hold",
        "skip",
        "other",
    ]
)
rule_parts = st.dictionaries(rule_fields, json_values | st.lists(st.text(max_size=6)), max_size=6)
rules = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": json_values,
            "enabled": json_values,
            "conditions": rule_parts | json_values,
            "actions": rule_parts | json_values,
        },
    )
    | json_values
)


@FAST
@given(rules)
def test_any_stored_rule_reads_or_raises_a_rule_error(data: object) -> None:
    try:
        rule = Rule.from_dict(data)  # type: ignore[arg-type]
    except RuleError as err:
        assert str(err).strip()
        return
    try:
        validate_rule(rule)
    except ValidationError as err:
        assert str(err).strip()


# --- SKU weight CSV files --------------------------------------------------------------------

csv_cells = st.sampled_from(
    [
        "sku",
        "SKU-1",
        "weight",
        "1,5",
        "1.5",
        "-2",
        "abc",
        "",
        "kg",
        '"',
        ";",
        ",",
        "\t",
        "\ufeff",
        "# c",
        "1e999",
        "nan",
    ]
)
csv_texts = st.text() | st.lists(
    st.lists(csv_cells | st.text(max_size=5), max_size=4).map(",".join), max_size=8
).map("\n".join)


@FAST
@given(csv_texts)
def test_any_weight_file_parses_into_weights_and_problems(text: str) -> None:
    weights, problems = parse_csv(text)
    assert all(isinstance(k, str) and isinstance(v, float) for k, v in weights.items())
    assert all(p for p in problems)


# --- shop names ------------------------------------------------------------------------------

NASTY_NAMES = [
    "",
    "   ",
    "x" * 10_000,
    "\x00\x07\x1b[31mred",
    "[bold]Shop[/]",
    "[/]",
    "[link=https://evil.example]click[/link]",
    "Shop\r\nTwo",
    "\u202eevil",
    "🙂" * 50,
]


@FAST
@given(st.text() | st.sampled_from(NASTY_NAMES))
def test_any_shop_name_is_cleaned_or_refused_with_a_message(raw: str) -> None:
    try:
        name = clean_shop_name(raw, ["Taken"])
    except ValidationError as err:
        assert str(err).strip()
        return
    assert name.strip() == name and name
    assert not any(ord(c) < 32 for c in name), repr(name)


def _visible_text(svg: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


TUI_NAMES = {
    "markup": "[bold]Shop[/]",
    "closing tag": "[/]",
    "escape+markup": "\x1b[31m[red]x",
    "10k chars": "y" * 10_000,
    "empty": "",
}


def _ctx(tmp_path: Path):
    from glstui.secrets import Secrets
    from glstui.services.context import AppContext

    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    secrets = Secrets.in_memory()
    secrets.set("amazon.app_id", APP_ID)
    clock = FixedClock(NOW)
    return AppContext(tmp_path, Store.open(tmp_path, clock), secrets, clock, Endpoints.production())


async def _back_to_list(pilot) -> None:
    from glstui.tui.screens.integrations import IntegrationsScreen

    for _ in range(5):
        if isinstance(pilot.app.screen, IntegrationsScreen):
            return
        await pilot.press("escape")
        await pilot.pause()
        if pilot.app.screen.__class__.__name__ == "ConfirmModal":
            await pilot.press("y")
            await pilot.pause()
    assert isinstance(pilot.app.screen, IntegrationsScreen)


@pytest.mark.parametrize("name", list(TUI_NAMES.values()), ids=list(TUI_NAMES))
async def test_add_shop_form_takes_any_name_and_lists_it_literally(tmp_path, name) -> None:
    from textual.widgets import Input, Static

    from glstui.services import integrations as svc
    from glstui.tui.app import GlsApp
    from glstui.tui.screens.connect import AddShopScreen

    ctx = _ctx(tmp_path)
    app = GlsApp(ctx)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, AddShopScreen)
        app.screen.query_one("#shop_name", Input).value = name
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        if isinstance(app.screen, AddShopScreen):  # refused: said under the field
            assert str(app.screen.query_one("#error", Static).render()).strip()
            assert svc.list_integrations(ctx.store) == []
        await _back_to_list(pilot)
        shops = svc.list_integrations(ctx.store)
        shown = _visible_text(app.export_screenshot())
        for shop in shops:
            if "[" in shop.shop_name:
                assert shop.shop_name in shown  # shown as typed, not as markup
        assert "Traceback" not in shown


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(TUI_NAMES["markup"], id="markup"),
        pytest.param(TUI_NAMES["closing tag"], id="closing tag"),
        pytest.param(TUI_NAMES["10k chars"], id="10k chars"),
        pytest.param("Winkel\x07 NL\x00", id="control chars"),
        pytest.param("", id="empty"),
    ],
)
async def test_details_form_takes_any_name_and_shows_it_literally(tmp_path, name) -> None:
    from textual.widgets import Input, Static

    from glstui.services import integrations as svc
    from glstui.tui.app import GlsApp
    from glstui.tui.screens.details import DetailsScreen

    ctx = _ctx(tmp_path)
    shop = svc.add(ctx.store, ctx.clock, "Plain shop", "EU", ["A1805IZSGTT6HS"])
    app = GlsApp(ctx)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        app.screen.query_one("#shop_name", Input).value = name
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#name-error", Static).render())
        saved = svc.get(ctx.store, shop.id).shop_name
        if error.strip():
            assert saved == "Plain shop"
        else:
            assert saved == clean_shop_name(name, [])
            title = str(app.screen.query_one("#title", Static).render())
            assert saved[:40] in title  # the title shows the name as typed
        await _back_to_list(pilot)
        assert "Traceback" not in _visible_text(app.export_screenshot())


# --- corrupt and hand-edited store files -----------------------------------------------------


def _good_store(directory: Path) -> bytes:
    store = Store.open(directory, FixedClock(NOW))
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(5))
    return (directory / "glstui.json").read_bytes()


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory) -> bytes:
    return _good_store(tmp_path_factory.mktemp("good"))


def _read_orders(directory: Path) -> dict[str, Order]:
    """What a fresh process reads: every record of every table; the orders by key."""
    with Store.open(directory, FixedClock(NOW), archive=False).read() as view:
        view.integrations.all()
        view.shipments.all()
        view.outbox.all()
        return {o.key: o for o in view.orders.all()}


def _open_or_refuse(directory: Path) -> bool:
    """True: opened, and every record of it read; False: refused with StoreCorrupt, by the
    open (the file left exactly as it was) or by a read (a record that does not decode:
    StoreRecordDamaged). An open may write the file (a damaged "meta" reads as an old file to
    migrate), but then the bytes it had are kept in glstui.json.bak."""
    path = directory / "glstui.json"
    before = path.read_bytes()
    try:
        Store.open(directory, FixedClock(NOW))
    except StoreCorrupt as err:
        assert str(path) in err.message and "untouched" in err.message
        assert path.read_bytes() == before
        return False
    try:
        _read_orders(directory)
        opened = True
    except StoreRecordDamaged as err:
        assert str(path) in err.message and "untouched" in err.message
        opened = False
    backup = directory / "glstui.json.bak"
    assert path.read_bytes() == before or backup.read_bytes() == before
    return opened


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_truncated_or_flipped_store_opens_or_is_refused_untouched(
    tmp_path_factory, good_bytes: bytes, data
) -> None:
    directory = tmp_path_factory.mktemp("bad")
    raw = bytearray(good_bytes)
    if data.draw(st.booleans(), "truncate"):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1), "at")]
    else:
        for _ in range(data.draw(st.integers(1, 5), "flips")):
            i = data.draw(st.integers(0, len(raw) - 1), "where")
            raw[i] ^= data.draw(st.integers(1, 255), "bits")
    (directory / "glstui.json").write_bytes(bytes(raw))
    _open_or_refuse(directory)


def _shapes() -> list[tuple[str, object]]:
    order = json.loads(json.dumps(make_order(0), default=str))  # placeholder, replaced below
    del order
    return [
        ("order without order_id", lambda o: o.pop("order_id")),
        ("items is a number", lambda o: o.__setitem__("items", 5)),
        ("created_at is garbage", lambda o: o.__setitem__("created_at", "yesterday")),
        ("recipient is a list", lambda o: o.__setitem__("recipient", [1, 2])),
        ("item without quantity", lambda o: o["items"][0].pop("quantity")),
        ("state is a number", lambda o: o.__setitem__("state", 7)),
    ]


SHAPES = _shapes()
HAND_EDITS = [
    ("orders is a list", lambda d: d.__setitem__("orders", [])),
    ("a table of strings", lambda d: d.__setitem__("runs", {"1": "x"})),
    ("top level is a list", None),
    ("schema from the future", lambda d: d["meta"]["1"].__setitem__("schema_version", 999)),
]


@pytest.mark.parametrize("what,edit", HAND_EDITS, ids=[h[0] for h in HAND_EDITS])
def test_hand_edited_store_is_refused_untouched(tmp_path, good_bytes, what, edit) -> None:
    data = json.loads(good_bytes)
    if edit is None:
        data = [data]
    else:
        edit(data)
    (tmp_path / "glstui.json").write_text(json.dumps(data))
    before = (tmp_path / "glstui.json").read_bytes()
    with pytest.raises(StoreError) as err:
        Store.open(tmp_path, FixedClock(NOW))
    assert str(tmp_path / "glstui.json") in err.value.message
    assert (tmp_path / "glstui.json").read_bytes() == before


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "GLSTUI_KEYRING_PASSPHRASE": "bad-input-test-2026",
        "PYTHONPATH": str(ROOT),
        "HOME": str(data_dir.parent),
    }
    return subprocess.run(
        [sys.executable, "-m", "glstui", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("command", [["doctor"], ["push"], []], ids=["doctor", "push", "tui"])
def test_cli_on_a_corrupt_store_says_so_without_a_traceback(tmp_path, good_bytes, command):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / "glstui.json"
    path.write_bytes(good_bytes[: len(good_bytes) // 2])
    done = _cli(data_dir, *command)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert "cannot be read" in done.stderr and str(path) in done.stderr
    assert path.read_bytes() == good_bytes[: len(good_bytes) // 2]


@pytest.mark.parametrize("what,edit", SHAPES, ids=[s[0] for s in SHAPES])
def test_wrongly_shaped_order_gives_a_clear_message(tmp_path, good_bytes, what, edit) -> None:
    data = json.loads(good_bytes)
    edit(next(iter(data["orders"].values())))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "glstui.json").write_text(json.dumps(data))
    before = (data_dir / "glstui.json").read_bytes()
    # doctor decodes every record (push and the other small commands read no order at all)
    done = _cli(data_dir, "doctor")
    said = done.stderr + done.stdout
    assert "Traceback" not in said, said[-600:]
    assert done.returncode != 0 and str(data_dir / "glstui.json") in said
    assert (data_dir / "glstui.json").read_bytes() == before


def test_random_hand_edits_of_orders_open_or_are_refused(tmp_path, good_bytes) -> None:
    """Values of random types in random order fields: the store opens and reads, or it says
    which record of which file it cannot read (StoreRecordDamaged) and still reads the other
    orders; either way the other orders read back exactly as they were stored, and neither
    opening nor reading rewrites the file."""
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "glstui.json").write_bytes(good_bytes)
    originals = _read_orders(tmp_path / "good")
    assert len(originals) == 5
    rng = random.Random(5)
    outcomes = Counter()
    for n in range(20):
        data = json.loads(good_bytes)
        doc_id = rng.choice(sorted(data["orders"]))
        order = data["orders"][doc_id]
        edited = order_key(order["integration_id"], order["order_id"])
        field = rng.choice(sorted(order))
        order[field] = rng.choice([None, 5, "x", [], {}, [{"a": 1}], True, -1.5])
        untouched = {k: o for k, o in originals.items() if k != edited}
        directory = tmp_path / f"d{n}"
        directory.mkdir()
        path = directory / "glstui.json"
        path.write_text(json.dumps(data))
        before = path.read_bytes()
        try:
            orders = _read_orders(directory)
        except StoreRecordDamaged as err:
            assert err.table == "orders" and str(path) in err.message, err.message
            with Store.open(directory, FixedClock(NOW), archive=False).read() as view:
                orders = {k: view.orders.get(k) for k in untouched}
            outcomes["refused one record"] += 1
        except StoreError as err:  # the whole file refused (a key field edited, say)
            assert str(path) in err.message, err.message
            orders = None
            outcomes["refused the file"] += 1
        else:
            outcomes["read"] += 1
        if orders is not None:
            assert {k: orders.get(k) for k in untouched} == untouched, field
        assert path.read_bytes() == before
    assert outcomes["refused one record"] and outcomes["read"], outcomes
