"""The command line an operator (or cron) types: versions, help, clear failures."""

import subprocess
import sys

from glstui import __version__


def glstui(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "glstui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_version():
    result = glstui("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"glstui {__version__}"


def test_sandbox_options_reach_the_sandbox_command():
    result = glstui("sandbox", "--help")
    assert result.returncode == 0
    assert "--time-scale" in result.stdout and "--orders" in result.stdout


def test_doctor_on_the_demo_passes():
    result = glstui("doctor", "--demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout


def test_a_data_dir_that_is_a_file_gives_a_clear_message_and_exit_2(tmp_path):
    not_a_dir = tmp_path / "glstui-data"
    not_a_dir.write_text("oops")
    result = glstui("--data-dir", str(not_a_dir), "import")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(not_a_dir) in result.stderr
