"""The headless commands on a data dir that holds no glstui data (a typo in a cron line):
they refuse with exit 2 and create nothing; doctor creates nothing anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from glstui import cli
from glstui.domain.clock import SystemClock
from glstui.services import doctor, doctor_live
from glstui.store import Store


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLSTUI_HOME", raising=False)
    monkeypatch.delenv("GLSTUI_SANDBOX_URL", raising=False)
    monkeypatch.delenv("GLSTUI_KEYRING_PASSPHRASE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setenv("GLSTUI_SECRETS", "file")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production endpoints: never call the real Amazon or GLS from a test."""
    monkeypatch.setattr(doctor, "check_reachability", lambda *a, **k: [])
    monkeypatch.setattr(doctor_live, "check_token_refresh", lambda *a, **k: [])
    monkeypatch.setattr(doctor_live, "check_gls_login", lambda *a, **k: [])


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("command", ["import", "push", "purge"])
def test_a_mistyped_data_dir_is_refused_and_nothing_is_created(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "glstiu"
    code = cli.main([command, "--data-dir", str(typo)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"glstui {command}: There is no glstui data in {typo}" in err
    assert "--data-dir or GLSTUI_HOME" in err and "starting glstui (the console) once" in err
    assert tree(tmp_path) == []


@pytest.mark.parametrize("command", ["import", "push", "purge"])
def test_an_empty_existing_directory_stays_empty(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "srv"
    empty.mkdir()
    assert cli.main([command, "--data-dir", str(empty)]) == 2
    assert "There is no glstui data" in capsys.readouterr().err
    assert tree(empty) == []


def test_doctor_without_glstui_data_says_how_to_set_up_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offline: None
) -> None:
    missing = tmp_path / "new" / "glstui"
    code = cli.main(["doctor", "--data-dir", str(missing)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"FAIL  There is no glstui data in {missing}" in out
    assert "start glstui (the console) once" in out
    assert tree(tmp_path) == []


def test_doctor_on_a_real_data_dir_creates_no_file_and_no_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offline: None
) -> None:
    data = tmp_path / "data"
    Store.open(data, SystemClock())
    before = tree(tmp_path)
    code = cli.main(["doctor", "--data-dir", str(data)])
    out = capsys.readouterr().out
    assert f"PASS  Store file {data / 'glstui.json'} opens" in out
    assert code == 1  # the keys are not set up yet: that is a FAIL, and it says so
    assert "The encrypted secrets file does not exist yet" in out
    assert tree(tmp_path) == before  # no logs/, no glstui.log, no labels/, no secrets.cfg


@pytest.mark.parametrize("command", [[], ["doctor"], ["import"]])
def test_a_data_dir_that_is_a_file_says_so(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "glstui.json"
    a_file.write_text("{}")
    code = cli.main([*command, "--data-dir", str(a_file)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{a_file} is a file, not a directory" in err
    assert tree(tmp_path) == ["glstui.json"]


def test_import_on_a_fresh_install_says_what_to_set_up_not_locked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    Store.open(data, SystemClock())  # the console was started once, nothing set up yet
    code = cli.main(["import", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 2
    assert "No keys are set up yet" in err and "under Keys (Key beheer)" in err
    assert "locked" not in err


@pytest.mark.parametrize("command", ["doctor", "import", "push", "purge"])
def test_every_subcommand_help_says_what_it_does_and_its_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    assert "Exit codes:" in out
    for code in ("0  ", "1  ", "2  "):
        assert code in out.split("Exit codes:")[1]
    if command != "doctor":
        assert "refuses with exit 2 and creates nothing" in " ".join(out.split())


def test_help_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["import", "--help", "--lang", "nl"])
    out = capsys.readouterr().out
    assert "Afsluitcodes:" in out


def test_push_on_a_fresh_install_says_what_to_set_up_not_locked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    Store.open(data, SystemClock())
    code = cli.main(["push", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 2
    assert "glstui push: No keys are set up yet" in err and "locked" not in err


def test_the_console_may_set_up_a_new_installation(tmp_path: Path) -> None:
    """Only the console (no command) starts on an empty data dir: it is the first run."""
    from glstui.cli.datadir import refusal

    new = tmp_path / "glstui"
    assert refusal(new, None) == ""
    assert "There is no glstui data" in refusal(new, "import")


def test_a_store_held_by_another_process_at_start_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import filelock

    from glstui.store import store as store_module

    data = tmp_path / "data"
    Store.open(data, SystemClock())
    real_init = store_module.Store.__init__

    def quick(self: Store, data_dir: Path, clock: SystemClock, lock_timeout: float = 30) -> None:
        real_init(self, data_dir, clock, lock_timeout=0.1)

    monkeypatch.setattr(store_module.Store, "__init__", quick)
    with filelock.FileLock(data / "glstui.lock", thread_local=False):  # another glstui writes
        code = cli.main(["purge", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Another glstui process" in err
