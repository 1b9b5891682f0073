"""A broken log directory is named as such, and doctor still runs to say so."""

from pathlib import Path

import pytest

from glstui import cli
from glstui.domain.clock import SystemClock
from glstui.store import Store


@pytest.fixture
def broken_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GLSTUI_HOME", raising=False)
    monkeypatch.setenv("GLSTUI_SECRETS", "file")
    data = tmp_path / "data"
    Store.open(data, SystemClock())  # a real installation (the console ran once)
    (data / "logs").write_text("not a directory")  # mkdir of the log dir fails
    return data


def test_a_command_refuses_naming_the_log_dir_not_the_data_dir(broken_logs, capsys):
    code = cli.main(["push", "--data-dir", str(broken_logs)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"log directory {broken_logs / 'logs'}" in err
    assert "as the data directory" not in err


def test_doctor_still_runs_and_reports_the_log_dir(broken_logs, capsys, monkeypatch):
    from glstui.services import doctor, doctor_live

    # Production endpoints: never call the real Amazon or GLS from a test.
    monkeypatch.setattr(doctor, "check_reachability", lambda *a, **k: [])
    monkeypatch.setattr(doctor_live, "check_token_refresh", lambda *a, **k: [])
    monkeypatch.setattr(doctor_live, "check_gls_login", lambda *a, **k: [])
    code = cli.main(["doctor", "--data-dir", str(broken_logs)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"FAIL  Log directory {broken_logs / 'logs'} is not a directory" in out
    assert f"PASS  Data directory {broken_logs} is writable" in out
