"""glstui.files.atomic_write: the private-file writer behind the keys file and the stats cache."""

from __future__ import annotations

import stat

import pytest

from glstui.files import atomic_write


def test_replaces_the_file_readable_by_the_owner_only(tmp_path):
    target = tmp_path / "secrets.cfg"
    target.write_bytes(b"old")
    target.chmod(0o644)
    st = atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert st.st_size == 3 and st.st_ino == target.stat().st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.cfg"]


def test_chunks_and_rendering_function(tmp_path):
    target = tmp_path / "cache.json"
    atomic_write(target, [b"a", b"b"])
    assert target.read_bytes() == b"ab"
    atomic_write(target, lambda: b"rendered")
    assert target.read_bytes() == b"rendered"


@pytest.mark.parametrize("error", [RuntimeError("render broke"), KeyboardInterrupt()])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, error):
    target = tmp_path / "secrets.cfg"
    target.write_bytes(b"old")

    def render() -> bytes:
        raise error

    with pytest.raises(type(error)):
        atomic_write(target, render)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.cfg"]


def test_a_failed_rename_leaves_no_temp_file(tmp_path):
    target = tmp_path / "cache"
    target.mkdir()  # a directory where the file should go: the rename fails
    with pytest.raises(OSError):
        atomic_write(target, b"data")
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]
