"""Send a saved label file to a CUPS printer (`lp -d PRINTER FILE`) or a raw ZPL printer.

A printer is either a CUPS queue name that `lpstat -e` lists, or `host:port` (a thermal
printer's raw port, 9100 by convention) that takes ZPL as is: the file's bytes are written to
that socket, no driver involved. Printing is best effort by design: the label file is saved
(0600) before anything is printed, so a missing `lp`, an unknown printer or a jammed queue is
a warning the operator can fix and then reprint; it never loses a label or undoes the shipment.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from glstui.i18n import _

LP_TIMEOUT_S = 30.0
LPSTAT_TIMEOUT_S = 5.0
RAW_TIMEOUT_S = 10.0
RAW_PRINTER = re.compile(
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(?P<port>[0-9]{1,5})"
)


def raw_address(printer: str) -> tuple[str, int] | None:
    """(host, port) when `printer` is a raw ZPL printer's `host:port`, else None."""
    match = RAW_PRINTER.fullmatch(printer.strip())
    if match is None:
        return None
    port = int(match["port"])
    return (match["host"], port) if 0 < port < 65536 else None


def known_printers(lpstat: str = "lpstat") -> list[str] | None:
    """The CUPS queues `lpstat -e` lists; None when lpstat is missing or does not answer."""
    executable = shutil.which(lpstat)
    if executable is None:
        return None
    try:
        done = subprocess.run(
            [executable, "-e"],
            capture_output=True,
            timeout=LPSTAT_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return [] if b"No destinations" in done.stderr + done.stdout else None
    return [line.split()[0] for line in done.stdout.decode(errors="replace").splitlines() if line]


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    message: str  # operator's words: the job id from lp, or what went wrong


async def print_file(printer: str, path: Path, *, lp: str = "lp") -> PrintResult:
    """Queue `path` on CUPS printer `printer` (or write it to a raw `host:port`); never raises."""
    if not printer:
        return PrintResult(False, _("No printer is set; the label is at {path}").format(path=path))
    address = raw_address(printer)
    if address is not None:
        return await _print_raw(address, printer, path)
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


async def _print_raw(address: tuple[str, int], printer: str, path: Path) -> PrintResult:
    """Write the file to a raw printer port (ZPL thermal printers listen on 9100)."""
    try:
        data = path.read_bytes()
        reader, writer = await asyncio.wait_for(asyncio.open_connection(*address), RAW_TIMEOUT_S)
        del reader
        writer.write(data)
        await asyncio.wait_for(writer.drain(), RAW_TIMEOUT_S)
        writer.close()
        await asyncio.wait_for(writer.wait_closed(), RAW_TIMEOUT_S)
    except TimeoutError:
        return PrintResult(
            False,
            _("Printer '{printer}' did not answer; the label is at {path}").format(
                printer=printer, path=path
            ),
        )
    except OSError as exc:
        return PrintResult(
            False,
            _("Printing on '{printer}' failed ({detail}); the label is at {path}").format(
                printer=printer, detail=exc.strerror or exc, path=path
            ),
        )
    return PrintResult(True, _("Sent to printer '{printer}'.").format(printer=printer))


# A test label, so a printer can be checked before the first order: ZPL for thermal
# printers, a one-page PDF (A6, the GLS label size) otherwise.
TEST_ZPL = (
    "^XA^CI28^PW812^LL1218"
    "^FO60,80^A0N,70,70^FDglstui^FS"
    "^FO60,180^A0N,45,45^FD{title}^FS"
    "^FO60,260^A0N,35,35^FD{sender}^FS"
    "^FO60,340^GB690,0,4^FS"
    "^FO60,380^BY3^BCN,160,Y,N,N^FD00000000000^FS"
    "^XZ"
)


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def test_label(label_format: str, title: str, sender: str) -> bytes:
    """The bytes of a test label in `label_format` (zpl, or a PDF for pdf / pdfA6U)."""
    if label_format == "zpl":
        clean = {k: v.replace("^", " ").replace("~", " ") for k, v in (("t", title), ("s", sender))}
        return TEST_ZPL.format(title=clean["t"], sender=clean["s"]).encode("utf-8")
    lines = [("glstui", 24, 370), (title, 14, 330), (sender, 11, 300)]
    content = "".join(
        f"BT /F1 {size} Tf 30 {y} Td ({_pdf_text(line)}) Tj ET\n" for line, size, y in lines
    ).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
