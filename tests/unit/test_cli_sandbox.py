"""A second glstui talks to a running `glstui sandbox`: --sandbox URL or $GLSTUI_SANDBOX_URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from glstui import cli
from glstui.domain.clock import SystemClock
from glstui.sandbox import Sandbox
from glstui.services import doctor_live
from glstui.store import Store


class _Usage:
    free = 50 * 2**30


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLSTUI_HOME", raising=False)
    monkeypatch.delenv("GLSTUI_SANDBOX_URL", raising=False)
    monkeypatch.setenv("GLSTUI_SECRETS", "file")
    monkeypatch.setattr(doctor_live.shutil, "disk_usage", lambda _p: _Usage())


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(orders=3) as box:
        yield box


def test_demo_uses_the_running_sandbox_instead_of_its_own(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["doctor", "--demo", "--sandbox", sandbox.base_url, "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"PASS  Amazon login (LWA) {sandbox.base_url}/auth/o2/token answers" in out
    assert f"PASS  GLS label API {sandbox.base_url}/Test/V1/api/ answers" in out
    assert "PASS  GLS accepts the login" in out


def test_the_environment_variable_points_a_data_dir_at_the_sandbox(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    Store.open(data, SystemClock())
    monkeypatch.setenv("GLSTUI_SANDBOX_URL", sandbox.base_url + "/")
    cli.main(["doctor", "--data-dir", str(data), "--lang", "en"])
    out = capsys.readouterr().out
    assert f"PASS  Amazon login (LWA) {sandbox.base_url}/auth/o2/token answers" in out
    assert "api.amazon.com" not in out


def test_a_malformed_sandbox_url_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["push", "--data-dir", str(tmp_path), "--sandbox", "127.0.0.1:8765"])
    assert code == 2
    assert "must be a URL like http://127.0.0.1:8765" in capsys.readouterr().err


def test_the_sandbox_says_how_to_point_glstui_at_it(capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    from glstui.sandbox.cli import run

    stop = threading.Event()
    stop.set()
    assert run(["--orders", "1"], stop=stop) == 0
    out = capsys.readouterr().out
    assert "Point glstui at it: glstui --sandbox http://127.0.0.1:" in out
