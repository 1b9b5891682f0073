"""The SKU weight table (Settings.sku_weights): one SKU, the whole table, or a CSV file.

One table for the warehouse; SKUs not in it weigh Settings.default_weight_kg per item. Every
change is one `with store.write()`, so a CSV import either lands whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from glstui.domain.errors import GlstuiError
from glstui.domain.sku_weights import CsvProblem, parse_csv
from glstui.i18n import N_, _
from glstui.store import Store

CSV_MAX_BYTES = 5 * 1024 * 1024


def problem_text(problem: CsvProblem) -> str:
    text = _(problem.template).format(**dict(problem.params))
    if not problem.line:
        return text
    return _("line {n}: {problem}").format(n=problem.line, problem=text)


def load_weights(store: Store) -> tuple[dict[str, float], float]:
    """(SKU -> kg per item, default kg per item for SKUs not in the table)."""
    with store.read() as view:
        settings = view.settings.get()
    return dict(settings.sku_weights), settings.default_weight_kg


def save_weights(store: Store, weights: dict[str, float]) -> None:
    with store.write() as tx:
        settings = tx.settings.get()
        settings.sku_weights = dict(sorted(weights.items()))
        tx.settings.put(settings)


def set_weight(store: Store, sku: str, weight: float | None) -> None:
    """Set (or with None remove) one SKU's weight."""
    with store.write() as tx:
        settings = tx.settings.get()
        table = dict(settings.sku_weights)
        if weight is None:
            table.pop(sku, None)
        else:
            table[sku] = weight
        settings.sku_weights = dict(sorted(table.items()))
        tx.settings.put(settings)


@dataclass
class CsvImport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[CsvProblem]:
        return [p for p in self.problems if not p.warning]

    @property
    def stored(self) -> int:
        return self.added + self.changed + self.unchanged


class CsvFileError(GlstuiError):
    """The CSV file cannot be read; `user_message` says why (translated when read)."""


def read_csv_file(path: str | Path) -> str:
    p = Path(str(path).strip()).expanduser()
    if not str(path).strip():
        raise CsvFileError(N_("Type the path of the CSV file first."))
    if not p.is_file():
        raise CsvFileError(N_("No file at {path}: check the path."), path=p)
    if p.stat().st_size > CSV_MAX_BYTES:
        raise CsvFileError(N_("The file is larger than 5 MB: is it the right file?"))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise CsvFileError(
            N_("Cannot read {path}: {reason}."), path=p, reason=exc.strerror or exc
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's own save on Windows


def import_weights_csv(store: Store, text: str, *, replace: bool = False) -> CsvImport:
    """Merge (or with replace=True: replace) the table with a CSV's good rows, in one write."""
    parsed, problems = parse_csv(text)
    result = CsvImport(problems=problems)
    if not parsed:
        return result
    with store.write() as tx:
        settings = tx.settings.get()
        table = {} if replace else dict(settings.sku_weights)
        for sku, weight in parsed.items():
            if sku not in table:
                result.added += 1
            elif table[sku] != weight:
                result.changed += 1
            else:
                result.unchanged += 1
            table[sku] = weight
        settings.sku_weights = dict(sorted(table.items()))
        tx.settings.put(settings)
    return result
