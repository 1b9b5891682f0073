"""Where glstui keeps its files: the operator's choice first, private directories."""

import stat
from pathlib import Path

import pytest

from glstui import config


@pytest.fixture(autouse=True)
def xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.delenv("GLSTUI_HOME", raising=False)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_default_is_the_platform_data_dir(tmp_path):
    path = config.data_dir()
    assert path == tmp_path / "xdg-data" / "glstui"
    assert mode(path) == 0o700


def test_glstui_home_overrides_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("GLSTUI_HOME", str(tmp_path / "home"))
    assert config.data_dir() == tmp_path / "home"


def test_explicit_data_dir_beats_glstui_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLSTUI_HOME", str(tmp_path / "home"))
    assert config.data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert not (tmp_path / "home").exists()


def test_relative_and_home_paths_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert config.data_dir("~/glstui-data") == tmp_path / "glstui-data"
    assert config.data_dir("rel") == tmp_path / "rel"


def test_created_directories_are_private_including_missing_parents(tmp_path):
    data = config.data_dir(tmp_path / "a" / "b" / "data")
    for path in (data, data.parent, config.labels_dir(data), config.log_dir(data)):
        assert mode(path) == 0o700


def test_existing_directory_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    shared.chmod(0o750)
    assert mode(config.data_dir(shared)) == 0o750


def test_logs_of_the_default_data_dir_go_to_the_platform_log_dir(tmp_path):
    assert config.log_dir(config.data_dir()) == tmp_path / "xdg-state" / "glstui" / "log"


def test_logs_of_another_data_dir_stay_inside_it(tmp_path):
    data = config.data_dir(tmp_path / "demo")
    assert config.log_dir(data) == data / "logs"
    assert config.labels_dir(data) == data / "labels"


def test_create_false_only_computes(tmp_path):
    path = config.data_dir(tmp_path / "nothing", create=False)
    assert isinstance(path, Path) and not path.exists()


def test_sandbox_url_from_option_or_environment() -> None:
    assert config.sandbox_url(None, env={}) is None
    assert (
        config.sandbox_url(None, env={config.SANDBOX_ENV: "http://127.0.0.1:8765/"})
        == "http://127.0.0.1:8765"
    )
    assert config.sandbox_url("http://localhost:9000", env={config.SANDBOX_ENV: "http://x:1"}) == (
        "http://localhost:9000"
    )
    for bad in ("127.0.0.1:8765", "ftp://host", "http://host:port"):
        with pytest.raises(ValueError):
            config.sandbox_url(bad, env={})
