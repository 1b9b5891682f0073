"""Services never print: they return results and report events; glstui/cli/ prints them and
chooses the exit codes (so the TUI, cron and tests all get the same use case, no stray text
on a terminal the TUI owns)."""

from __future__ import annotations

import ast
from pathlib import Path

import glstui

SERVICES = Path(glstui.__file__).parent / "services"


def writes_to_a_terminal(source: str) -> list[int]:
    """The lines that call print() or touch sys.stdout / sys.stderr."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "print":
                lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr"):
            if isinstance(node.value, ast.Name) and node.value.id == "sys":
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "sys"
            and any(alias.name in ("stdout", "stderr") for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_the_checker_sees_a_print_and_sys_stdout() -> None:
    assert writes_to_a_terminal("import sys\nprint('x')\nsys.stdout.write('y')\n") == [2, 3]
    assert writes_to_a_terminal("def f(printer):\n    printer('x')\n") == []


def test_no_service_prints() -> None:
    found = {
        str(path.relative_to(SERVICES)): lines
        for path in sorted(SERVICES.rglob("*.py"))
        if (lines := writes_to_a_terminal(path.read_text(encoding="utf-8")))
    }
    assert found == {}
