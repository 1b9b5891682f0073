"""Print an order's saved label again, or tell where its file is (or why there is none)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from glstui import config
from glstui.i18n import _
from glstui.services import printing
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Reporter, ignore
from glstui.services.labelling import paths as label_paths
from glstui.services.labelling.commit import active_shipment
from glstui.services.labelling.files import label_files
from glstui.store import Store


@dataclass
class ReprintResult:
    files: list[Path] = field(default_factory=list)
    printed: bool = False
    message: str = ""


def labels_dir_of(store: Store, labels_dir: Path | None) -> Path:
    return Path(labels_dir) if labels_dir is not None else config.labels_dir(store.data_dir, False)


async def reprint(
    store: Store,
    order_key: str,
    report: Reporter = ignore,
    *,
    printer: str | None = None,
    labels_dir: Path | None = None,
) -> ReprintResult:
    """Send the order's saved label again to the printer, or tell where the file is.

    Only a file inside the labels dir is printed (see services/labelling/paths.py)."""
    with store.read() as view:
        shipment = active_shipment(view, order_key)
        settings = view.settings.get()
    order_id = order_key.split(":", 1)[-1]
    if shipment is None:
        text = _("Order {order} has no label to print.").format(order=order_id)
        report(LogLine(text, WARNING))
        return ReprintResult(message=text)
    try:
        files = label_paths.checked(
            labels_dir_of(store, labels_dir), order_id, label_files(shipment)
        )
    except label_paths.DamagedLabelRecord as exc:
        report(LogLine(exc.user_message, ERROR))
        return ReprintResult(message=exc.user_message)
    if not files:
        text = _(
            "Order {order}: glstui has no label file of it (GLS's answer was lost, or the file was removed with the buyer's data): print it from the GLS portal, or delete the label and create a new one."  # noqa: E501
        ).format(order=order_id)
        report(LogLine(text, WARNING))
        return ReprintResult(message=text)
    missing = [p for p in files if not p.exists()]
    if missing:
        text = _("The label file of order {order} is missing: {path}").format(
            order=order_id, path=missing[0]
        )
        report(LogLine(text, ERROR))
        return ReprintResult(files=files, message=text)
    target = settings.printer if printer is None else printer
    if not target:
        text = _("No printer is set; the label of order {order} is at {path}").format(
            order=order_id, path=", ".join(str(p) for p in files)
        )
        report(LogLine(text))
        return ReprintResult(files=files, message=text)
    ok = True
    messages = []
    for path in files:
        printed = await printing.print_file(target, path)
        ok = ok and printed.ok
        messages.append(printed.message)
        report(LogLine(printed.message, INFO if printed.ok else WARNING))
    return ReprintResult(files=files, printed=ok, message="; ".join(messages))
