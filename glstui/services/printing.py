"""Send a saved label file to a CUPS printer with `lp -d PRINTER FILE`.

Printing is best effort by design: the label file is saved (0600) before anything is printed,
so a missing `lp`, an unknown printer or a jammed queue is a warning the operator can fix and
then reprint; it never loses a label or undoes the shipment.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

from glstui.i18n import _

LP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    message: str  # operator's words: the job id from lp, or what went wrong


async def print_file(printer: str, path: Path, *, lp: str = "lp") -> PrintResult:
    """Queue `path` on CUPS printer `printer`; never raises."""
    if not printer:
        return PrintResult(False, _("No printer is set; the label is at {path}").format(path=path))
    executable = shutil.which(lp)
    if executable is None:
        return PrintResult(
            False,
            _("'{lp}' not found (install CUPS); the label is at {path}").format(lp=lp, path=path),
        )
    try:
        proc = await asyncio.create_subprocess_exec(
            executable,
            "-d",
            printer,
            "--",
            str(path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        return PrintResult(
            False,
            _("Could not start '{lp}': {error}; the label is at {path}").format(
                lp=lp, error=exc.strerror or exc, path=path
            ),
        )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), LP_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return PrintResult(
            False,
            _("Printer '{printer}' did not answer; the label is at {path}").format(
                printer=printer, path=path
            ),
        )
    if proc.returncode != 0:
        detail = (err or out).decode(errors="replace").strip().splitlines()
        return PrintResult(
            False,
            _("Printing on '{printer}' failed ({detail}); the label is at {path}").format(
                printer=printer, detail=detail[-1] if detail else proc.returncode, path=path
            ),
        )
    job = out.decode(errors="replace").strip()
    return PrintResult(True, job or _("Sent to printer '{printer}'.").format(printer=printer))
