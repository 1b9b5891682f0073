"""Keys end up where the operator was told, open only with the passphrase, never leak."""

import getpass
import stat
from datetime import UTC, datetime

import keyring
import keyring.errors
import pytest

from glstui import logs
from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.secrets import (
    NAMES,
    Secrets,
    SecretsLocked,
    SecretsUnavailable,
    WrongPassphrase,
    refresh_token_name,
)
from glstui.store import Store
from glstui.store.sample import make_order

PASS = "correct horse battery staple"


@pytest.fixture(autouse=True)
def no_prompts(monkeypatch):
    """keyrings.alt must never ask on the terminal (Textual owns it)."""

    def refuse(*_a, **_k):
        raise AssertionError("getpass was called")

    monkeypatch.setattr(getpass, "getpass", refuse)


@pytest.fixture
def no_system_keyring(monkeypatch):
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())


class FakeSystemKeyring:
    """Stands in for Secret Service: a real backend with a high priority."""

    __module__ = "keyring.backends.SecretService"
    priority = 5

    def __init__(self, error=None):
        self.values = {}
        self.error = error

    def get_password(self, service, name):
        if self.error:
            raise self.error
        return self.values.get((service, name))

    def set_password(self, service, name, value):
        if self.error:
            raise self.error
        self.values[(service, name)] = value

    def delete_password(self, service, name):
        if self.error:
            raise self.error
        self.values.pop((service, name), None)


def test_in_memory_round_trip():
    secrets = Secrets.in_memory()
    assert secrets.store_name == "in-memory (demo)"
    assert not secrets.locked
    secrets.set("gls.password", "hunter2-gls")
    assert secrets.get("gls.password") == "hunter2-gls"
    assert secrets.get("gls.username") is None
    secrets.delete("gls.password")
    secrets.delete("gls.password")  # deleting twice is fine
    assert secrets.get("gls.password") is None


def test_without_a_system_keyring_secrets_go_to_an_encrypted_file(tmp_path, no_system_keyring):
    secrets = Secrets.open(tmp_path, env={})
    assert secrets.store_name == f"encrypted file {tmp_path / 'secrets.cfg'}"
    assert secrets.locked and secrets.is_new
    with pytest.raises(SecretsLocked, match="passphrase"):
        secrets.get("gls.password")

    secrets.unlock(PASS)  # the first unlock sets the passphrase
    secrets.set("gls.password", "Gls-Pa55word!")
    secrets.set(refresh_token_name("shop1"), "Atzr|IwEBIrefresh")
    path = tmp_path / "secrets.cfg"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_text()
    assert "Gls-Pa55word!" not in raw and "IwEBIrefresh" not in raw

    later = Secrets.open(tmp_path, env={})  # next start of the app
    assert later.locked and not later.is_new
    later.unlock(PASS)
    assert later.get("gls.password") == "Gls-Pa55word!"
    assert later.get(refresh_token_name("shop1")) == "Atzr|IwEBIrefresh"
    later.delete("gls.password")
    assert (
        Secrets.open(tmp_path, env={"GLSTUI_KEYRING_PASSPHRASE": PASS}).get("gls.password") is None
    )


def test_wrong_passphrase_says_so_and_stays_locked(tmp_path, no_system_keyring):
    first = Secrets.open(tmp_path, env={})
    first.unlock(PASS)
    first.set("gls.password", "Gls-Pa55word!")

    again = Secrets.open(tmp_path, env={})
    with pytest.raises(WrongPassphrase) as info:
        again.unlock("not it")
    message = str(info.value)
    assert "Wrong passphrase" in message and str(tmp_path / "secrets.cfg") in message
    assert "not it" not in message
    assert again.locked
    with pytest.raises(SecretsLocked):
        again.get("gls.password")
    again.unlock(PASS)
    assert again.get("gls.password") == "Gls-Pa55word!"


def test_empty_passphrase_is_refused(tmp_path, no_system_keyring):
    with pytest.raises(WrongPassphrase, match="Type the passphrase"):
        Secrets.open(tmp_path, env={}).unlock("")


def test_headless_passphrase_from_environment(tmp_path, no_system_keyring):
    env = {"GLSTUI_KEYRING_PASSPHRASE": PASS}
    Secrets.open(tmp_path, env=env).set("gls.username", "warehouse")
    secrets = Secrets.open(tmp_path, env=env)
    assert not secrets.locked
    assert secrets.get("gls.username") == "warehouse"


def test_headless_passphrase_from_systemd_credential(tmp_path, no_system_keyring):
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "glstui-passphrase").write_text(PASS + "\n")
    data = tmp_path / "data"
    data.mkdir()
    first = Secrets.open(data, env={})
    first.unlock(PASS)
    first.set("gls.username", "warehouse")
    secrets = Secrets.open(data, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert secrets.get("gls.username") == "warehouse"


def test_wrong_headless_passphrase_is_explained_on_use(tmp_path, no_system_keyring):
    Secrets.open(tmp_path, env={"GLSTUI_KEYRING_PASSPHRASE": PASS}).set("gls.username", "w")
    secrets = Secrets.open(tmp_path, env={"GLSTUI_KEYRING_PASSPHRASE": "typo"})
    assert secrets.locked
    with pytest.raises(SecretsLocked, match=r"\$GLSTUI_KEYRING_PASSPHRASE does not open"):
        secrets.get("gls.username")


@pytest.mark.parametrize(
    "backend",
    [
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        "keyrings.alt.file.PlaintextKeyring",
    ],
)
def test_useless_or_plaintext_backends_are_not_taken_for_a_system_keyring(
    tmp_path, monkeypatch, backend
):
    module, name = backend.rsplit(".", 1)
    cls = getattr(__import__(module, fromlist=[name]), name)
    monkeypatch.setattr(keyring, "get_keyring", lambda: cls())
    assert Secrets.open(tmp_path, env={}).kind == "file"


def test_a_real_system_keyring_is_used_and_named(tmp_path, monkeypatch):
    system = FakeSystemKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: system)
    secrets = Secrets.open(tmp_path, env={})
    assert secrets.store_name == "system keyring (SecretService)"
    assert not secrets.locked
    secrets.set("gls.password", "Gls-Pa55word!")
    assert secrets.get("gls.password") == "Gls-Pa55word!"
    assert not (tmp_path / "secrets.cfg").exists()
    # a non-default data dir keeps its own entries in the shared system keyring
    assert [service for service, _ in system.values] == [f"glstui {tmp_path}"]


def test_file_can_be_forced_over_the_system_keyring(tmp_path, monkeypatch):
    monkeypatch.setattr(keyring, "get_keyring", lambda: FakeSystemKeyring())
    assert Secrets.open(tmp_path, env={"GLSTUI_SECRETS": "file"}).kind == "file"


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (keyring.errors.KeyringLocked("Failed to unlock the collection!"), "Unlock your system"),
        (keyring.errors.InitError("Prompt dismissed"), "GLSTUI_SECRETS=file"),
        (keyring.errors.PasswordSetError("nope"), "Check the system keyring"),
    ],
)
def test_keyring_errors_become_secrets_unavailable_with_advice(
    tmp_path, monkeypatch, error, advice
):
    monkeypatch.setattr(keyring, "get_keyring", lambda: FakeSystemKeyring(error))
    secrets = Secrets.open(tmp_path, env={})
    with pytest.raises(SecretsUnavailable, match=advice) as info:
        secrets.set("gls.password", "Gls-Pa55word!")
    assert "Gls-Pa55word!" not in str(info.value)
    with pytest.raises(SecretsUnavailable, match=advice):
        secrets.get("gls.password")


def test_no_secret_reaches_the_data_dir_files(tmp_path, no_system_keyring):
    """Keys, store and log side by side: grep every file for every secret value."""
    values = {name: f"S3cret-{name}-value" for name in NAMES}
    values[refresh_token_name("shop1")] = "Atzr|IwEBIJf3v9-refresh-token"
    logs.setup_logging(tmp_path / "logs")
    secrets = Secrets.open(tmp_path, env={"GLSTUI_KEYRING_PASSPHRASE": PASS})
    for name, value in values.items():
        secrets.set(name, value)
    store = Store.open(tmp_path, FixedClock(datetime(2026, 11, 27, tzinfo=UTC)))
    with store.write() as tx:
        tx.integrations.put(Integration(shop_name="NL", id="shop1", selling_partner_id="A2X"))
        tx.orders.put(make_order(1, integration_id="shop1"))
    log = logs.logging.getLogger("glstui.test")
    log.info("connected with %s", values["amazon.lwa_client_secret"])  # a careless call
    for handler in log.parent.handlers:
        handler.flush()

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"glstui.json", "secrets.cfg", "glstui.log"}
    for path in files:
        content = path.read_bytes()
        for value in values.values():
            assert value.encode() not in content, f"{value} found in {path.name}"
    logs.shutdown_logging()
