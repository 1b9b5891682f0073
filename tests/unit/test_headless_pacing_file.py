"""The per-seller pacing state `glstui import` leaves for the next run: written like every
private file (glstui.files.atomic_write), never a stray temp file when it cannot be."""

from __future__ import annotations

import stat
from pathlib import Path

from glstui.services.importing import seller_turns


def test_pacing_state_is_private_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "seller-EU.json"
    seller_turns._write_state(path, {"getOrders": (12.5, 3.0)})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert seller_turns._read_state(path) == {"getOrders": (12.5, 3.0)}


def test_a_state_file_that_cannot_be_replaced_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "seller-EU.json"
    path.mkdir()  # the rename over it fails; the import goes on regardless
    seller_turns._write_state(path, {"getOrders": (1.0, 1.0)})
    assert [p.name for p in tmp_path.iterdir()] == ["seller-EU.json"]
