"""Textual stays in glstui/tui/: the services, store and clients run headless (cron, CLI)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import glstui

PACKAGE = Path(glstui.__file__).parent
IMPORTS_TEXTUAL = re.compile(r"^\s*(from\s+textual[\s.]|import\s+textual\b)", re.MULTILINE)


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


def test_no_module_outside_tui_mentions_a_textual_import() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "tui" not in path.relative_to(PACKAGE).parts[:1]
        and IMPORTS_TEXTUAL.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_domain_imports_nothing_else_of_glstui() -> None:
    pattern = re.compile(r"^\s*(?:from|import)\s+glstui\.(\w+)", re.MULTILINE)
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
        layers = set(pattern.findall(path.read_text(encoding="utf-8")))
        assert layers <= {"domain"}, f"{path.name} imports glstui.{layers - {'domain'}}"
