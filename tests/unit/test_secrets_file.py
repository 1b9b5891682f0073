"""secrets.cfg is read, never trusted: a broken file is named as broken, never re-keyed."""

import keyring
import pytest

from glstui.secrets import (
    Secrets,
    SecretsFileDamaged,
    SecretsLocked,
    WeakPassphrase,
    WrongPassphrase,
)

PASS = "correct horse battery staple"


@pytest.fixture(autouse=True)
def no_system_keyring(monkeypatch):
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())


BROKEN = {
    "empty": (b"", "is empty"),
    "binary garbage": (b"\x00\xff\xfe garbage \x81", "not a text file"),
    "text garbage": (b"this is not a secrets file\n", "not in the secrets file format"),
    "foreign ini": (b"[other]\nkey = value\n", "no passphrase check entry"),
    "garbled check": (
        b"[keyring_2Dsetting]\npassword_20reference = bm90IGpzb24=\n",
        "passphrase check entry is garbled",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_is_named_as_broken_and_never_rekeyed(tmp_path, case):
    raw, what = BROKEN[case]
    path = tmp_path / "secrets.cfg"
    path.write_bytes(raw)
    secrets = Secrets.open(tmp_path, env={})
    assert not secrets.is_new
    with pytest.raises(SecretsFileDamaged) as info:
        secrets.unlock(PASS)
    assert what in str(info.value) and str(path) in str(info.value)
    assert "Wrong passphrase" not in str(info.value)
    assert secrets.locked
    assert path.read_bytes() == raw


def test_an_empty_file_is_not_rekeyed_with_the_environment_passphrase(tmp_path):
    path = tmp_path / "secrets.cfg"
    path.write_bytes(b"")
    secrets = Secrets.open(tmp_path, env={"GLSTUI_KEYRING_PASSPHRASE": PASS})
    assert secrets.locked
    with pytest.raises(SecretsLocked, match="is empty"):
        secrets.get("gls.username")
    assert path.read_bytes() == b""


def test_a_good_file_with_the_wrong_passphrase_still_says_wrong_passphrase(tmp_path):
    first = Secrets.open(tmp_path, env={})
    first.unlock(PASS)
    first.set("gls.username", "warehouse")
    with pytest.raises(WrongPassphrase):
        Secrets.open(tmp_path, env={}).unlock("another passphrase 2")


@pytest.mark.parametrize("weak", ["1", "short 1", "aaaaaaaaaaaa", "0123456789", "ALLCAPSONLY"])
def test_a_new_file_needs_a_real_passphrase(tmp_path, weak):
    secrets = Secrets.open(tmp_path, env={})
    with pytest.raises(WeakPassphrase, match="too easy to guess"):
        secrets.unlock(weak)
    assert secrets.locked
    assert not (tmp_path / "secrets.cfg").exists()
    secrets.unlock("correct horse")  # ten or more, two kinds (letters and a space)
    assert not secrets.locked


def test_a_weak_environment_passphrase_is_explained_on_use(tmp_path):
    secrets = Secrets.open(tmp_path, env={"GLSTUI_KEYRING_PASSPHRASE": "test"})
    with pytest.raises(SecretsLocked, match="GLSTUI_KEYRING_PASSPHRASE: That passphrase is too"):
        secrets.get("gls.username")
    assert not (tmp_path / "secrets.cfg").exists()
