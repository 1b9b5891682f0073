"""Error messages an operator reads are catalog templates, shown in the language in use.

The AST check keeps new untranslated messages out: every GlstuiError (and Msg) gets its text as
an `N_("...")` template with keyword params, never as an f-string, a `+` sum, a `.format()`
result, an unmarked literal or an `_()` call (translated too early and Dutch in the logs).
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path

import pytest

import glstui
from glstui import i18n
from glstui.amazon.errors import AmazonApiError, GrantRevoked, MissingCode
from glstui.domain.errors import N_, Msg
from glstui.domain.integration import Integration
from glstui.gls.errors import GlsValidationError
from glstui.services.connect import SellerAlreadyConnected
from glstui.store.errors import StoreCorrupt

PACKAGE = Path(glstui.__file__).parent
ROOT = "GlstuiError"
# How an error's __init__ may call the parameter that carries its text (ours: `template`).
MESSAGE_PARAMS = ("template", "user_message", "message", "reason", "text")


def _trees() -> dict[Path, ast.Module]:
    return {
        p: ast.parse(p.read_text(encoding="utf-8"), filename=str(p))
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _template_index(classes: dict[str, ast.ClassDef]) -> dict[str, int | None]:
    """Per error class: the position of its text parameter (None: it takes no text)."""
    index: dict[str, int | None] = {ROOT: 0}

    def resolve(name: str) -> int | None:
        if name in index:
            return index[name]
        cls = classes[name]
        init = next(
            (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
        )
        if init is None:
            base = next(_name(b) for b in cls.bases if _name(b) in classes or _name(b) == ROOT)
            index[name] = resolve(base)
        else:
            names = [a.arg for a in [*init.args.posonlyargs, *init.args.args][1:]]
            text = [n for n in names if n in MESSAGE_PARAMS]
            index[name] = names.index(text[0]) if text else None
        return index[name]

    for name in classes:
        resolve(name)
    return index


def _error_classes(trees: dict[Path, ast.Module]) -> dict[str, ast.ClassDef]:
    defs = {n.name: n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)}
    ours: dict[str, ast.ClassDef] = {}
    grew = True
    while grew:
        grew = False
        for name, cls in defs.items():
            if name not in ours and any(_name(b) in {ROOT, *ours} for b in cls.bases):
                ours[name] = cls
                grew = True
    return ours


def _problem(arg: ast.expr) -> str | None:
    """Why `arg` is no translatable template, or None when it is fine."""
    if isinstance(arg, ast.JoinedStr):
        return "an f-string"
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
        return "a literal not marked with N_()"
    if isinstance(arg, ast.BinOp):
        return "a text built with + or %"
    if isinstance(arg, ast.Call):
        func = _name(arg.func)
        if func == "format":
            return "a .format() result (pass the values as keyword params)"
        if func in {"_", "gettext"}:
            return "an _() call (use N_: it is translated when shown)"
        if func == "str":
            return "str(...) of something (pass the error's .msg or a Msg)"
        if func == "N_" and not (
            arg.args
            and isinstance(arg.args[0], ast.Constant)
            and isinstance(arg.args[0].value, str)
        ):
            return "N_() of something that is not a literal"
    if isinstance(arg, ast.IfExp):
        return _problem(arg.body) or _problem(arg.orelse)
    if isinstance(arg, ast.BoolOp):
        return next((p for p in map(_problem, arg.values) if p), None)
    return None


def untranslatable_messages() -> list[str]:
    trees = _trees()
    classes = _error_classes(trees)
    index = _template_index(classes)
    found: list[str] = []
    for path, tree in trees.items():
        for cls_node in [None, *[n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]]:
            body = cls_node.body if cls_node else tree.body
            for node in (n for stmt in body for n in ast.walk(stmt)):
                if not isinstance(node, ast.Call):
                    continue
                name = _name(node.func)
                if name == "__init__" and cls_node is not None and cls_node.name in classes:
                    base = next(_name(b) for b in cls_node.bases if _name(b) in {ROOT, *classes})
                    position = index[base]
                elif (name in index and cls_node is None) or name in index:
                    position = index[name]
                elif name == "Msg":
                    position = 0
                else:
                    continue
                args: list[ast.expr] = []
                if position is not None and len(node.args) > position:
                    args.append(node.args[position])
                args += [k.value for k in node.keywords if k.arg in MESSAGE_PARAMS]
                for arg in args:
                    why = _problem(arg)
                    if why:
                        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                        found.append(f"{where}: {name}() gets {why}")
    return sorted(set(found))


def test_every_error_message_is_a_marked_template() -> None:
    found = untranslatable_messages()
    assert not found, "Messages the catalog cannot translate:\n" + "\n".join(found)


def test_the_check_finds_an_fstring_and_an_unmarked_literal(tmp_path: Path) -> None:
    """The AST check itself: an f-string or a plain literal given to an error is reported."""
    bad = "class Oops(GlstuiError):\n    pass\n\n\ndef f(x):\n    raise Oops(f'bad {x}')\n"
    bad += "\n\ndef g():\n    raise Oops('also bad')\n\n\ndef h():\n    raise Oops(N_('fine'))\n"
    tree = ast.parse(bad)
    classes = _error_classes({tmp_path: tree})
    index = _template_index(classes)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) == "Oops"]
    problems = [_problem(c.args[index["Oops"] or 0]) for c in calls]
    assert sorted(p or "ok" for p in problems) == sorted(
        ["an f-string", "a literal not marked with N_()", "ok"]
    )


@pytest.fixture
def dutch():
    i18n.set_language("nl")
    yield
    i18n.set_language("en")


def test_message_follows_the_language_switch_and_str_stays_english() -> None:
    err = SellerAlreadyConnected(_shop("Bol [bold]x"))
    english = (
        "This Amazon seller account is already connected as shop 'Bol [bold]x'. "
        "To renew its grant, select that shop in Integrations and press c (Connect)."
    )
    assert err.user_message == english
    i18n.set_language("nl")
    try:
        assert err.user_message == (
            "Dit Amazon-verkopersaccount is al gekoppeld als shop 'Bol [bold]x'. Kies die "
            "shop in Integraties en druk op c (Koppelen) om de koppeling te vernieuwen."
        )
        assert str(err) == english  # logs stay English
    finally:
        i18n.set_language("en")
    assert err.user_message == english


def test_revoked_grant_in_dutch(dutch: None) -> None:
    assert GrantRevoked().user_message == (
        "Amazon accepteert de autorisatie van deze shop niet meer: de verkoper heeft die "
        "ingetrokken of hij is verlopen (na 365 dagen). Koppel deze shop opnieuw om glstui "
        "weer toegang te geven."
    )


def test_composed_amazon_error_in_dutch_keeps_amazon_words(dutch: None) -> None:
    err = AmazonApiError(429, "QuotaExceeded", "You exceeded your quota.", "rid-1", "getOrders")
    assert err.user_message == (
        "Amazon heeft het getOrders-verzoek geweigerd: You exceeded your quota. Amazon "
        "beperkt het aantal verzoeken; wacht een paar minuten en probeer het dan opnieuw "
        "(request id rid-1)"
    )
    assert str(err).startswith("Amazon rejected the getOrders request: You exceeded")


def test_consent_hint_in_dutch(dutch: None) -> None:
    text = MissingCode(
        N_(
            "This is the consent link itself: open it in a browser, click Confirm, then "
            "paste the address of the page Amazon sends you to."
        )
    ).user_message
    assert text.startswith("De geplakte tekst bevat geen autorisatiecode (spapi_oauth_code).")
    assert "Dit is de toestemmingslink zelf" in text


def test_gls_field_problems_in_dutch(dutch: None) -> None:
    err = GlsValidationError(
        {
            "addresses.deliveryAddress.zipCode": [Msg(N_("is required"))],
            "units[0].weight": ["Weight too high"],  # GLS's own words stay as they are
        },
        reason=Msg(N_("checked before sending")),
    )
    assert err.user_message == (
        "GLS kan dit label niet maken (gecontroleerd vóór verzenden):\n"
        "- Postcode ontvanger: is verplicht\n"
        "- Pakket 1 gewicht: Weight too high"
    )
    assert err.field_problems() == {  # the label run's log lines, one per field
        "Postcode ontvanger": ["is verplicht"],
        "Pakket 1 gewicht": ["Weight too high"],
    }
    assert "zipCode" in str(err)


def test_store_damage_error_in_dutch(tmp_path: Path, dutch: None) -> None:
    from glstui.domain.clock import SystemClock
    from glstui.store import Store

    data = tmp_path / "glstui.json"
    data.write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreCorrupt) as caught:
        Store.open(tmp_path, SystemClock())
    text = caught.value.user_message
    assert text.startswith(f"Het glstui-opslagbestand {data} kan niet worden gelezen (")
    assert "Het is niet aangeraakt." in text
    assert str(caught.value).startswith(f"The glstui data file {data} cannot be read")


def glstui_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "glstui", *args], capture_output=True, text=True, timeout=60
    )


def test_cli_prints_a_store_damage_in_dutch_and_english(tmp_path: Path) -> None:
    (tmp_path / "glstui.json").write_text("{broken", encoding="utf-8")
    nl = glstui_cli("--data-dir", str(tmp_path), "--lang", "nl", "import")
    en = glstui_cli("--data-dir", str(tmp_path), "--lang", "en", "import")
    assert (nl.returncode, en.returncode) == (2, 2)
    assert nl.stderr.startswith(f"glstui: Het glstui-opslagbestand {tmp_path / 'glstui.json'} ")
    assert "kan niet worden gelezen" in nl.stderr and "Traceback" not in nl.stderr
    assert en.stderr.startswith(f"glstui: The glstui data file {tmp_path / 'glstui.json'} ")


def test_cli_data_dir_that_is_a_file_in_dutch(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "glstui-data"
    not_a_dir.write_text("oops")
    result = glstui_cli("--data-dir", str(not_a_dir), "--lang", "nl", "doctor")
    assert result.returncode == 2
    assert f"Kan {not_a_dir} niet als datamap gebruiken" in result.stderr


def test_import_without_app_keys_speaks_dutch_and_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glstui.cli.imports import run_import
    from glstui.domain.integration import CONNECTED, Integration
    from glstui.services.context import build_context

    monkeypatch.setenv("GLSTUI_SECRETS", "file")
    monkeypatch.setenv("GLSTUI_KEYRING_PASSPHRASE", "a long passphrase 42")
    texts = {}
    for lang in ("nl", "en"):
        try:
            with build_context(data_dir=tmp_path / lang, lang=lang) as ctx:
                with ctx.store.write() as tx:
                    tx.integrations.put(
                        Integration(
                            shop_name="Bol", status=CONNECTED, marketplace_ids=["A1805IZSGTT6HS"]
                        )
                    )
                err = io.StringIO()
                assert run_import(ctx, [], out=io.StringIO(), err=err) == 2
                texts[lang] = err.getvalue()
        finally:
            i18n.set_language("en")
    assert texts["en"].startswith("glstui import: The Amazon app credentials are not set")
    assert texts["nl"].startswith("glstui import: De Amazon-appgegevens zijn niet ingesteld")


def _shop(name: str) -> Integration:
    return Integration(id="s1", shop_name=name, region="EU")


def test_wrong_unattended_passphrase_is_reported_in_the_language_in_use(tmp_path: Path) -> None:
    """The reason is kept untranslated, so switching to Dutch later still shows Dutch."""
    from glstui.secrets import Secrets

    path = tmp_path / "secrets.cfg"
    first = Secrets.encrypted_file(path, env={})
    first.unlock("the right passphrase 1")
    first.set("gls.username", "depot")
    second = Secrets.encrypted_file(path, env={"GLSTUI_KEYRING_PASSPHRASE": "a wrong one 22"})
    assert second.unlock_error.startswith("The passphrase from $GLSTUI_KEYRING_PASSPHRASE")
    i18n.set_language("nl")
    try:
        assert second.unlock_error == (
            f"De wachtwoordzin uit $GLSTUI_KEYRING_PASSPHRASE opent {path} niet: verbeter hem, "
            "of ontgrendel met de juiste wachtwoordzin."
        )
    finally:
        i18n.set_language("en")


def test_cli_help_follows_lang() -> None:
    nl = glstui_cli("--lang", "nl", "--help")
    en = glstui_cli("--lang=en", "--help")
    assert "importeer de orders van de actieve shops" in nl.stdout
    assert "import orders of the active shops" in en.stdout


def test_key_store_is_named_in_the_sentence_language() -> None:
    from glstui.secrets import Secrets

    system = Secrets(object(), "system keyring (SecretService)", "system")
    assert str(system.store_words) == "the system keyring (SecretService)"
    i18n.set_language("nl")
    try:
        assert system.store_words.render(i18n._) == "de systeem-keyring (SecretService)"
    finally:
        i18n.set_language("en")
