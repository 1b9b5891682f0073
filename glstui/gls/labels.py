"""Recognise and sanity-check the label files GLS returns before they are saved or printed.

A label that is saved but cannot be printed is found out at the packing table, too late;
these checks are cheap (no PDF library) and accept what real GLS PDFs contain (xref
streams, trailing whitespace after %%EOF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from glstui.domain.errors import N_, GlstuiError

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_OBJ_AT = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")


class LabelFileError(GlstuiError, ValueError):
    """The label data is not a usable PDF or ZPL file."""


@dataclass
class PdfInfo:
    version: str
    pages: int | None  # None when the page objects are compressed (object streams)


def label_kind(data: bytes | None) -> str | None:
    """'pdf', 'zpl' or None, from the content (not from what was asked for)."""
    if not data:
        return None
    head = data.lstrip()[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.upper().startswith((b"^XA", b"~")) or b"^XA" in data[:512].upper():
        return "zpl"
    return None


def suffix_for(data: bytes | None) -> str:
    """File name suffix for the label data: '.pdf' or '.zpl' (ZPL is plain text)."""
    return ".zpl" if label_kind(data) == "zpl" else ".pdf"


def inspect_pdf(data: bytes, *, strict: bool = False) -> PdfInfo:
    """Check the PDF's skeleton; `strict` also checks every classic xref offset.

    Raises LabelFileError naming what is wrong.
    """
    if not data.startswith(b"%PDF-"):
        raise LabelFileError(N_("not a PDF (no %PDF- header)"))
    version = data[5:8].decode("ascii", "replace")
    tail = data[-2048:].rstrip()
    m = _STARTXREF.search(tail)
    if not m:
        raise LabelFileError(N_("the PDF is cut off (no startxref / %%EOF at the end)"))
    xref_at = int(m[1])
    if xref_at >= len(data):
        raise LabelFileError(N_("the PDF's startxref points past the end of the file"))
    at = data[xref_at : xref_at + 32]
    if at.startswith(b"xref"):
        if strict:
            _check_xref_table(data, xref_at)
    elif not _OBJ_AT.match(at):
        raise LabelFileError(N_("the PDF's startxref does not point at a cross-reference"))
    pages = len(_PAGE.findall(data))
    return PdfInfo(version=version, pages=pages or None)


def _check_xref_table(data: bytes, xref_at: int) -> None:
    lines = data[xref_at:].split(b"\n")
    header = lines[1].split()
    if len(header) != 2:
        raise LabelFileError(N_("the PDF's xref table has no subsection header"))
    first, count = int(header[0]), int(header[1])
    for i, entry in enumerate(lines[2 : 2 + count]):
        parts = entry.split()
        if len(parts) != 3 or parts[2] not in (b"n", b"f"):
            raise LabelFileError(N_("xref entry {n} is malformed"), n=first + i)
        if parts[2] == b"n":
            offset = int(parts[0])
            m = _OBJ_AT.match(data, offset)
            if not m or int(m[1]) != first + i:
                raise LabelFileError(N_("xref offset of object {n} is wrong"), n=first + i)


def check_zpl(data: bytes) -> int:
    """Number of labels (^XA ... ^XZ blocks); raises LabelFileError if unbalanced or empty."""
    text = data.upper()
    starts, ends = text.count(b"^XA"), text.count(b"^XZ")
    if not starts or starts != ends:
        raise LabelFileError(N_("the ZPL has no complete ^XA ... ^XZ label"))
    return starts
