"""Where glstui keeps its files, in one place so the TUI, the CLI and the tests agree.

- data dir: an explicit --data-dir, else $GLSTUI_HOME, else platformdirs.user_data_path("glstui")
  (~/.local/share/glstui on Linux).
- log dir: platformdirs.user_log_path("glstui") for the default data dir; for any other data
  dir (--data-dir, GLSTUI_HOME, --demo, tests) <data_dir>/logs, so separate installations
  and throwaway demo dirs never mix their logs and take them along when moved or deleted.
- labels dir: <data_dir>/labels.
- sandbox: an explicit --sandbox URL, else $GLSTUI_SANDBOX_URL, else none (the real Amazon
  and GLS). It points glstui at a running `glstui sandbox` (its first line prints the URL).

Directories glstui creates get mode 0700 (the data is buyer addresses and shipping history).
Existing directories keep the mode an administrator gave them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

APP_NAME = "glstui"
HOME_ENV = "GLSTUI_HOME"
SANDBOX_ENV = "GLSTUI_SANDBOX_URL"
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) with mode 0700; return it."""
    path = Path(path)
    if not path.is_dir():
        missing = [p for p in (path, *path.parents) if not p.exists()]
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        for created in missing:  # mkdir's mode is filtered by the umask; make it exact
            if created.is_dir():
                os.chmod(created, PRIVATE_DIR_MODE)
    return path


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_path(APP_NAME))


def data_dir(
    explicit: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    create: bool = True,
) -> Path:
    """The data dir: `explicit` > $GLSTUI_HOME > the platform's user data dir."""
    env = os.environ if env is None else env
    chosen = explicit or env.get(HOME_ENV) or default_data_dir()
    path = Path(chosen).expanduser().absolute()
    return ensure_private_dir(path) if create else path


def is_default(directory: Path) -> bool:
    return Path(directory).expanduser().absolute() == default_data_dir().absolute()


def log_dir(directory: Path, create: bool = True) -> Path:
    """Logs of the data dir `directory` (see the module docstring for why it depends on it)."""
    if is_default(directory):
        path = Path(platformdirs.user_log_path(APP_NAME))
    else:
        path = Path(directory).expanduser().absolute() / "logs"
    return ensure_private_dir(path) if create else path


def labels_dir(directory: Path, create: bool = True) -> Path:
    path = Path(directory).expanduser().absolute() / "labels"
    return ensure_private_dir(path) if create else path


def sandbox_url(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """The running sandbox to talk to instead of Amazon and GLS: `explicit` > $GLSTUI_SANDBOX_URL.

    Raises ValueError for a value that is not an http(s)://host[:port] URL."""
    env = os.environ if env is None else env
    chosen = (explicit or env.get(SANDBOX_ENV) or "").strip()
    if not chosen:
        return None
    parts = urlsplit(chosen)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(chosen)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(chosen) from None
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
