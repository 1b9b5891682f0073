"""Errors of the store. Every message names the file and says what the operator can do.

Messages are `N_` templates (or a composed `Msg`) translated when shown: domain/errors.py.
"""

from __future__ import annotations

from pathlib import Path

from glstui.domain.errors import GlstuiError, Msg


class StoreError(GlstuiError):
    """Something is wrong with the data files; the message says what to do."""

    def __init__(self, path: Path | str, template: str | Msg, /, **params: object) -> None:
        super().__init__(template, **params)
        self.path = Path(path)

    @property
    def message(self) -> str:
        """The message in the language in use (the same as `user_message`)."""
        return self.user_message


class StoreCorrupt(StoreError):
    """A data file cannot be parsed. It was left exactly as it was (never overwritten)."""


class StoreRecordDamaged(StoreCorrupt):
    """One record of a data file has the wrong shape (hand-edited or damaged).

    Readers refuse it like an unparsable file, naming the file, the table and the record's
    key, so one bad order never crashes a screen and the file is never rewritten because of it.
    """

    def __init__(self, path: Path | str, message: Msg, table: str, record: str) -> None:
        super().__init__(path, message)
        self.table = table
        self.record = record


class StoreTooNew(StoreError):
    """A data file was written by a newer glstui (higher schema version)."""


class StoreBusy(StoreError):
    """Another glstui process held the lock for too long."""


class StoreWriteError(StoreError):
    """A commit could not be written (disk full, permissions); nothing was changed."""
