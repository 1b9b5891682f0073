"""Label file paths read back from the store or a receipt are checked before any use.

A `label_path` (or a receipt's `files`) comes from a file on disk that anyone with access to a
shared data dir can edit. Reprint and delete only touch a path that resolves (symlinks
followed, `..` removed) to a file inside the labels dir; anything else is refused as a
damaged record that names the file, and nothing is printed, deleted or recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from glstui.domain.errors import N_, GlstuiError


class DamagedLabelRecord(GlstuiError):
    """A stored label path points outside the labels dir: the record is not trusted."""

    def __init__(self, order_id: str, path: str, labels_dir: Path) -> None:
        super().__init__(
            N_(
                "Order {order}: its label record is damaged: the label file {path} is not inside the labels folder {folder}. Nothing was printed or deleted; create or delete the label again from glstui."  # noqa: E501
            ),
            order=order_id,
            path=path,
            folder=labels_dir,
        )
        self.order_id = order_id
        self.path = path


def inside(labels_dir: Path, path: str | Path) -> bool:
    """True when `path` resolves to a place inside `labels_dir` (itself excluded)."""
    try:
        root = Path(labels_dir).resolve()
        resolved = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):  # symlink loops, NUL bytes
        return False
    return root in resolved.parents


def checked(labels_dir: Path, order_id: str, paths: Iterable[str | Path]) -> list[Path]:
    """The resolved `paths`, or DamagedLabelRecord naming the first one outside the dir."""
    out: list[Path] = []
    for raw in paths:
        if not str(raw) or not Path(raw).is_absolute() or not inside(labels_dir, raw):
            raise DamagedLabelRecord(order_id, str(raw), Path(labels_dir))
        out.append(Path(raw).resolve())
    return out
