"""The layers hold: textual stays in glstui/tui/, domain imports nothing of ours, services
never import the tui or the sandbox (so they run headless: cron, CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import glstui

PACKAGE = Path(glstui.__file__).parent


def non_tui_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[:2] == ["glstui", "tui"] or parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_no_module_outside_tui_imports_textual_at_import_time() -> None:
    modules = non_tui_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'textual' in sys.modules:\n"
        "        print(name); sys.exit(1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"textual imported by {done.stdout.strip()}: {done.stderr[-2000:]}"


def test_layer_contracts_hold() -> None:
    """pyproject.toml's import-linter contracts (relative and function-level imports count)."""
    root = PACKAGE.parent
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.exists(), "import-linter is missing: pip install -e '.[test]'"
    done = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
