"""Where the keys live: the system keyring if there is one, else an encrypted file.

- A real system keyring (Secret Service, macOS Keychain, Windows Credential Locker, KWallet)
  is used when keyring finds one; keyring's fail/null backends and the keyrings.alt file
  backends do not count. Set GLSTUI_SECRETS=file to use the encrypted file anyway.
- Otherwise (a headless server over SSH) the secrets go to <data_dir>/secrets.cfg, a
  keyrings.alt EncryptedKeyring (AES-256-CFB; the key is derived per value from the
  passphrase with PBKDF2-HMAC-SHA256, 100,000 rounds, instead of keyrings.alt's 1,000 SHA-1
  rounds). It stays locked until `unlock(passphrase)`; the first unlock of a new file sets the
  passphrase. glstui sets the key itself, so keyrings.alt never prompts through getpass (which
  would fight Textual for the terminal).
- Unattended runs take the passphrase from $GLSTUI_KEYRING_PASSPHRASE or from the systemd
  credential file $CREDENTIALS_DIRECTORY/glstui-passphrase.
- `Secrets.in_memory()` for tests and --demo.
- A secrets.cfg that exists is never re-keyed: an empty, truncated, foreign or garbled file
  is refused (SecretsFileDamaged) saying what is wrong with it, so "wrong passphrase" only
  ever means the passphrase.
- A new file's passphrase must be at least 10 characters and mix at least two of lowercase,
  uppercase, digits and other characters (spaces count): "correct horse" passes, "1",
  "aaaaaaaaaa" and "0123456789" do not (secrets_check.py). It guards every key.

Secret values never appear in exception messages; each value read or written is registered
with glstui.logs so the log filter scrubs it should it ever reach a log line.
"""

from __future__ import annotations

import configparser
import contextlib
import io
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import filelock
import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from glstui import config
from glstui.domain.errors import N_, GlstuiError, Msg, current_text
from glstui.files import atomic_write
from glstui.logs import register_sensitive
from glstui.secrets_check import REFERENCE as _REFERENCE
from glstui.secrets_check import file_problem, passphrase_problem

SERVICE = "glstui"
SECRETS_FILE = "secrets.cfg"
PASSPHRASE_ENV = "GLSTUI_KEYRING_PASSPHRASE"
CREDENTIAL_NAME = "glstui-passphrase"
BACKEND_ENV = "GLSTUI_SECRETS"  # auto (default) | file
KDF_ROUNDS = 100_000

# The one list of key names (Keys screen, AppContext, diagnostics scrubbing, doctor).
AMAZON_APP_NAMES = ("amazon.app_id", "amazon.lwa_client_id", "amazon.lwa_client_secret")
GLS_LOGIN_NAMES = ("gls.subscription_key", "gls.username", "gls.password")
GLS_NAMES = (*GLS_LOGIN_NAMES, "gls.customer_no")
NAMES = (*AMAZON_APP_NAMES, *GLS_NAMES)


def refresh_token_name(integration_id: str) -> str:
    """The key of one shop's Amazon refresh token."""
    return f"amazon.refresh_token.{integration_id}"


class SecretsError(GlstuiError):
    """Base of the secrets errors; the message says what to do, never a secret value."""


class SecretsUnavailable(SecretsError):
    """The key store cannot be used right now."""


class SecretsLocked(SecretsUnavailable):
    """The encrypted file is locked: unlock it with its passphrase first."""


class SecretsFileDamaged(SecretsUnavailable):
    """secrets.cfg exists but is not a usable secrets file; it is left untouched."""


class WrongPassphrase(SecretsError):
    """The passphrase does not open the encrypted secrets file."""


class WeakPassphrase(SecretsError):
    """A new secrets file's passphrase is too easy to guess (see the module docstring)."""


# --- backends -------------------------------------------------------------------------------
class _MemoryBackend:
    def __init__(self) -> None:
        self._values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, name: str) -> str | None:
        return self._values.get((service, name))

    def set_password(self, service: str, name: str, value: str) -> None:
        self._values[(service, name)] = value

    def delete_password(self, service: str, name: str) -> None:
        self._values.pop((service, name), None)


def _file_keyring_class() -> type:
    from Cryptodome.Hash import SHA256
    from keyrings.alt.file import EncryptedKeyring

    class FileKeyring(EncryptedKeyring):
        """EncryptedKeyring at our path, a stronger KDF, atomic 0600 writes, never getpass."""

        scheme = f"[PBKDF2-SHA256-{KDF_ROUNDS}] AES256.CFB"

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.file_path = str(path)
            self._file_lock = filelock.FileLock(
                str(path) + ".lock", mode=0o600, thread_local=False, timeout=30
            )

        def _create_cipher(self, password: str, salt: bytes, IV: bytes) -> Any:
            key = self.KDF.PBKDF2(
                password, salt, dkLen=self.block_size, count=KDF_ROUNDS, hmac_hash_module=SHA256
            )
            return self.AES.new(key[: self.block_size], self.AES.MODE_CFB, IV)

        def _get_new_password(self) -> str:
            raise SecretsLocked(N_("the encrypted secrets file is locked"))

        def _unlock(self) -> None:
            raise SecretsLocked(N_("the encrypted secrets file is locked"))

        def _read(self) -> configparser.RawConfigParser:
            parser = configparser.RawConfigParser()
            if os.path.exists(self.file_path):
                parser.read(self.file_path, encoding="utf-8")
            return parser

        def _save(self, parser: configparser.RawConfigParser) -> None:
            text = io.StringIO()
            parser.write(text)
            atomic_write(Path(self.file_path), text.getvalue().encode("utf-8"))

        def _write_config_value(self, service: str, key: str, value: str) -> None:
            from keyrings.alt.escape import escape

            with self._file_lock:
                parser = self._read()
                section = escape(service)
                if not parser.has_section(section):
                    parser.add_section(section)
                parser.set(section, escape(key), value)
                self._save(parser)

        def delete_password(self, service: str, username: str) -> None:
            from keyrings.alt.escape import escape

            with self._file_lock:
                parser = self._read()
                if parser.has_section(escape(service)) and parser.remove_option(
                    escape(service), escape(username)
                ):
                    self._save(parser)

    return FileKeyring


def _is_real_system_backend(backend: KeyringBackend) -> bool:
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")):
        return False
    if module.startswith("keyring.backends.chainer"):
        return False
    try:
        return float(backend.priority) >= 1
    except Exception:
        return False


def system_backend() -> KeyringBackend | None:
    """The system keyring if a real one is available, else None."""
    try:
        chosen = keyring.get_keyring()
    except Exception:
        return None
    candidates = getattr(chosen, "backends", None) or [chosen]
    return next((b for b in candidates if _is_real_system_backend(b)), None)


def _headless_passphrase(env: Mapping[str, str]) -> tuple[str | None, str | Msg]:
    value = env.get(PASSPHRASE_ENV)
    if value:
        return value, f"${PASSPHRASE_ENV}"
    creds = env.get("CREDENTIALS_DIRECTORY")
    if creds:
        path = Path(creds) / CREDENTIAL_NAME
        with contextlib.suppress(OSError):
            text = path.read_text(encoding="utf-8").rstrip("\r\n")
            if text:
                return text, Msg(N_("the credential file {path}"), path=path)
    return None, ""


class Secrets:
    """get/set/delete named secrets in one key store; see the module docstring."""

    def __init__(
        self,
        backend: Any,
        store_name: str,
        kind: str,
        service: str = SERVICE,
        path: Path | None = None,
    ) -> None:
        self._backend = backend
        self.store_name = store_name
        self.kind = kind  # "system" | "file" | "memory"
        self.service = service
        self.path = path
        self.unlock_problem: Msg | None = None
        self._unlocked = kind != "file"
        self._cache: dict[str, str | None] = {}
        self._cache_sig: tuple[int, int, int] | None = None
        self._mutex = threading.RLock()

    @property
    def store_words(self) -> Msg:
        """Where the keys are, in a sentence of the operator's language (store_name is English)."""
        if self.kind == "file":
            return Msg(N_("the encrypted file {path}"), path=self.path)
        if self.kind == "system":
            backend = self.store_name.removeprefix("system keyring (").removesuffix(")")
            return Msg(N_("the system keyring ({name})"), name=backend)
        return Msg(N_("the key store in memory (demo)"))

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def in_memory(cls) -> Secrets:
        return cls(_MemoryBackend(), "in-memory (demo)", "memory")

    @classmethod
    def encrypted_file(cls, path: Path, env: Mapping[str, str] | None = None) -> Secrets:
        """The encrypted file at `path`, unlocked when a headless passphrase is set."""
        env = os.environ if env is None else env
        path = Path(path)
        try:
            backend = _file_keyring_class()(path)
        except (ImportError, RuntimeError) as exc:
            raise SecretsUnavailable(
                N_(
                    "The encrypted secrets file needs the pycryptodomex package: install it "
                    "(pip install pycryptodomex) or use a system keyring. ({error})"
                ),
                error=type(exc).__name__,
            ) from None
        secrets = cls(backend, f"encrypted file {path}", "file", path=path)
        passphrase, source = _headless_passphrase(env)
        if passphrase:
            try:
                secrets.unlock(passphrase)
            except WrongPassphrase:
                secrets.unlock_problem = Msg(
                    N_(
                        "The passphrase from {source} does not open {path}: correct it, "
                        "or unlock with the right passphrase."
                    ),
                    source=source,
                    path=path,
                )
            except WeakPassphrase as exc:
                secrets.unlock_problem = Msg(
                    N_("The passphrase from {source}: {problem}"),
                    source=source,
                    problem=exc.msg,
                )
            except SecretsUnavailable as exc:
                secrets.unlock_problem = exc.msg
        return secrets

    @classmethod
    def open(cls, data_dir: Path, env: Mapping[str, str] | None = None) -> Secrets:
        """The system keyring if a real one is available, else <data_dir>/secrets.cfg."""
        env = os.environ if env is None else env
        data_dir = Path(data_dir)
        if env.get(BACKEND_ENV, "auto").lower() != "file":
            backend = system_backend()
            if backend is not None:
                service = SERVICE if config.is_default(data_dir) else f"{SERVICE} {data_dir}"
                label = type(backend).__module__.rsplit(".", 1)[-1]
                return cls(backend, f"system keyring ({label})", "system", service=service)
        return cls.encrypted_file(data_dir / SECRETS_FILE, env)

    # --- locking --------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return not self._unlocked

    @property
    def is_new(self) -> bool:
        """True for an encrypted file that does not exist yet: unlock() sets its passphrase."""
        return self.kind == "file" and not self._exists()

    def _exists(self) -> bool:
        return self.path is not None and os.path.lexists(self.path)

    @property
    def unlock_error(self) -> str:
        """Why the passphrase given for unattended runs did not unlock ("" if none), as read now."""
        return current_text(self.unlock_problem) if self.unlock_problem else ""

    def _damaged(self, problem: Msg) -> SecretsFileDamaged:
        return SecretsFileDamaged(
            N_(
                "The encrypted secrets file {path} {problem}. It was left untouched. Move "
                "it aside (for example rename it to {file}.broken) and enter the keys "
                "again under Keys, or put back your own backup copy of it."
            ),
            path=self.path,
            problem=problem,
            file=SECRETS_FILE,
        )

    def unlock(self, passphrase: str) -> None:
        """Open the encrypted file (or create it with this passphrase when it is new)."""
        if self.kind != "file":
            return
        if not passphrase:
            raise WrongPassphrase(N_("Type the passphrase of the encrypted secrets file."))
        with self._mutex:
            new = not self._exists()
            if new:
                weak = passphrase_problem(passphrase)
                if weak:
                    raise WeakPassphrase(
                        N_(
                            "That passphrase is too easy to guess: {problem}. It protects every "
                            "key in the file and cannot be recovered."
                        ),
                        problem=weak,
                    )
            else:
                assert self.path is not None
                problem = file_problem(self.path)
                if problem:
                    raise self._damaged(problem)
            backend = self._backend
            backend.keyring_key = passphrase
            try:
                if new:
                    backend.set_password(*_REFERENCE)
                    backend._write_config_value("keyring-setting", "scheme", backend.scheme)
                    backend._write_config_value("keyring-setting", "version", backend.version)
                    ok = True
                else:
                    try:
                        ok = backend.get_password(*_REFERENCE[:2]) == _REFERENCE[2]
                    except (AssertionError, ValueError, UnicodeDecodeError, KeyError):
                        ok = False
            except (configparser.Error, UnicodeDecodeError):
                del backend.keyring_key
                raise SecretsUnavailable(
                    N_(
                        "The encrypted secrets file {path} is damaged. Move it aside and "
                        "enter the keys again."
                    ),
                    path=self.path,
                ) from None
            except OSError as exc:
                del backend.keyring_key
                raise SecretsUnavailable(
                    N_(
                        "Cannot write {path}: {error}. Check the permissions of the data directory."
                    ),
                    path=self.path,
                    error=exc.strerror,
                ) from None
            if not ok:
                del backend.keyring_key
                raise WrongPassphrase(
                    N_(
                        "Wrong passphrase for {path}: type it again. If it is lost, move "
                        "the file aside and enter the keys again (they cannot be recovered)."
                    ),
                    path=self.path,
                )
            self._unlocked = True
            self.unlock_problem = None
            self._cache.clear()

    def lock(self) -> None:
        """Forget the passphrase and the decrypted values (encrypted file only)."""
        if self.kind != "file":
            return
        with self._mutex:
            with contextlib.suppress(AttributeError):
                del self._backend.keyring_key
            self._unlocked = False
            self._cache.clear()

    # --- values ---------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._unlocked:
            return
        raise SecretsLocked(
            self.unlock_problem
            or Msg(
                N_(
                    "The secrets in {path} are locked: unlock them with their passphrase "
                    "(in the app, or set {env} for unattended runs)."
                ),
                path=self.path,
                env=PASSPHRASE_ENV,
            )
        )

    def _unavailable(self, action: Msg, exc: BaseException) -> SecretsUnavailable:
        if isinstance(exc, keyring.errors.KeyringLocked):
            todo = Msg(
                N_("Unlock your system keyring (log in to the desktop session) and try again")
            )
        elif isinstance(exc, keyring.errors.InitError | keyring.errors.NoKeyringError):
            todo = Msg(
                N_(
                    "The system keyring is not running. Start it, or set GLSTUI_SECRETS=file to "
                    "keep the keys in an encrypted file in the data directory"
                )
            )
        else:
            todo = Msg(N_("Check {store} and try again"), store=self.store_words)
        return SecretsUnavailable(
            N_("Could not {action} in {store} ({error}). {todo}."),
            action=action,
            store=self.store_words,
            error=type(exc).__name__,
            todo=todo,
        )

    def _file_sig(self) -> tuple[int, int, int] | None:
        if self.path is None:
            return None
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def get(self, name: str) -> str | None:
        with self._mutex:
            self._check_open()
            if self.kind == "file":  # decrypting costs a key derivation: cache per file version
                sig = self._file_sig()
                if sig != self._cache_sig:
                    self._cache, self._cache_sig = {}, sig
                if name in self._cache:
                    return self._cache[name]
            try:
                value = self._backend.get_password(self.service, name)
            except SecretsLocked:
                raise self._locked_error() from None
            except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
                raise self._unavailable(Msg(N_("read {name}"), name=name), exc) from None
            except (AssertionError, ValueError, UnicodeDecodeError):
                raise SecretsUnavailable(
                    N_(
                        "The value of {name} in {store} cannot be decrypted (it was "
                        "written with another passphrase or damaged). Enter it again under Keys."
                    ),
                    name=name,
                    store=self.store_words,
                ) from None
            register_sensitive(value)
            if self.kind == "file":
                self._cache[name] = value
            return value

    def _locked_error(self) -> SecretsLocked:
        self._unlocked = False
        try:
            self._check_open()
        except SecretsLocked as exc:
            return exc
        return SecretsLocked(N_("the encrypted secrets file is locked"))  # pragma: no cover

    def set(self, name: str, value: str) -> None:
        if not name:
            raise ValueError("secret name is empty")
        with self._mutex:
            self._check_open()
            register_sensitive(value)
            try:
                self._backend.set_password(self.service, name, value)
            except SecretsLocked:
                raise self._locked_error() from None
            except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
                raise self._unavailable(Msg(N_("save {name}"), name=name), exc) from None
            self._cache.clear()

    def delete(self, name: str) -> None:
        """Remove the secret; removing one that is not there is not an error."""
        with self._mutex:
            self._check_open()
            try:
                self._backend.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                pass
            except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
                raise self._unavailable(Msg(N_("remove {name}"), name=name), exc) from None
            self._cache.clear()

    def __repr__(self) -> str:
        return f"Secrets({self.store_name!r}, locked={self.locked})"
