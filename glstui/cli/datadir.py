"""Which data dir a command runs on, checked before anything is created in it.

A fresh installation is set up by starting the console once (`glstui`, or `glstui --data-dir
DIR`): it creates the data dir (mode 0700) and the store file glstui.json, and its Keys screen
sets up the key store. The headless commands never do: `import`, `push` and `purge` on a
directory without glstui.json stop with exit 2, so a typo in a cron line (--data-dir
/srv/glstiu) is noticed at once instead of silently importing into a new, empty store.
`doctor` creates nothing at all (no directory, no store, no log file) and says what is missing.
"""

from __future__ import annotations

from pathlib import Path

from glstui import config
from glstui.i18n import _
from glstui.store.store import HOT_FILE

NEEDS_DATA = ("import", "push", "purge")


def holds_glstui_data(directory: Path) -> bool:
    """True when `directory` has a glstui store (the console made it on its first start)."""
    return (directory / HOT_FILE).is_file()


def not_a_directory(directory: Path) -> str:
    """Why `directory` cannot be the data dir at all ("" when it can)."""
    if directory.exists() and not directory.is_dir():
        return _(
            "{path} is a file, not a directory. --data-dir (or GLSTUI_HOME) must name the "
            "directory glstui keeps its store, labels and logs in."
        ).format(path=directory)
    return ""


def no_data(directory: Path, command: str) -> str:
    """Why `command` refuses to run on `directory` ("" when it may)."""
    if command not in NEEDS_DATA or holds_glstui_data(directory):
        return ""
    return _(
        "There is no glstui data in {path} (no {file}), so 'glstui {command}' has nothing to "
        "work on and created nothing. Check --data-dir or GLSTUI_HOME for a typo; a new "
        "installation is set up by starting glstui (the console) once with this data directory."
    ).format(path=directory, file=HOT_FILE, command=command)


def refusal(explicit: Path | None, command: str | None) -> str:
    """Why the command cannot run on the chosen data dir ("" when it can)."""
    directory = config.data_dir(explicit, create=False)
    return not_a_directory(directory) or no_data(directory, command or "")
