"""README's two commands are the ones a new user and CI actually run."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```(?:sh|bash)\n(.+?)\n```", text)


def test_ci_runs_exactly_the_readme_test_command():
    test_commands = [c for c in _commands() if "pytest" in c]
    assert test_commands, "README.md must give the command that installs and runs the tests"
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_commands[0] in ci_lines


def test_readme_demo_command_installs_and_starts_the_sandbox():
    demo = [c for c in _commands() if "--demo" in c]
    assert demo, "README.md must give the command that installs and starts glstui --demo"
    assert "pip install" in demo[0]
    assert demo[0].rstrip().endswith("glstui --demo")


def test_top_level_holds_only_the_agreed_entries():
    allowed = {"glstui", "tests", "screenshots", "pyproject.toml", "README.md"}
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    entries = {path.split("/")[0] for path in tracked if not path.startswith(".")}
    assert entries <= allowed, f"unexpected top-level entries: {sorted(entries - allowed)}"
