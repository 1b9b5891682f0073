"""The sandbox GLS's labels: a small valid PDF (hand-built, no dependency) with the parcel
number as text and as an Interleaved 2 of 5 barcode, or ZPL, as GLS's Label/Create returns."""

from __future__ import annotations

from typing import Any, NamedTuple

A6 = (298, 420)  # points, 105 x 148 mm
A4 = (595, 842)


class LabelInfo(NamedTuple):
    unit_no: str
    req: dict[str, Any]
    delivery: dict[str, Any]
    seq: int
    total: int

    def lines(self) -> list[tuple[str, str]]:
        """(style, text) from top to bottom; style: big | bold | text | small."""
        d = self.delivery
        number = " ".join(x for x in (d.get("houseNo"), d.get("houseNoExt")) if x)
        out = [
            ("bold", f"Parcel {self.unit_no}"),
            ("text", f"Ref: {self.req.get('reference') or '-'}    {self.seq}/{self.total}"),
            ("small", "To:"),
            ("bold", str(d.get("name1", ""))),
        ]
        out += [("text", str(d[k])) for k in ("name2", "name3") if d.get(k)]
        out += [
            ("text", f"{d.get('street', '')} {number}".strip()),
            ("big", f"{d.get('zipCode', '')}  {d.get('city', '')}"),
            ("text", str(d.get("countryCode", ""))),
        ]
        if self.req.get("shippingDate"):
            out.append(("small", f"Shipping date: {self.req['shippingDate']}"))
        return out


_ITF = {
    "0": "nnwwn",
    "1": "wnnnw",
    "2": "nwnnw",
    "3": "wwnnn",
    "4": "nnwnw",
    "5": "wnwnn",
    "6": "nwwnn",
    "7": "nnnww",
    "8": "wnnwn",
    "9": "nwnwn",
}


def itf_modules(digits: str) -> list[tuple[bool, str]]:
    """Interleaved 2 of 5: (is_bar, 'n'|'w') elements, start and stop included."""
    if len(digits) % 2:
        digits = "0" + digits
    elements = [(True, "n"), (False, "n"), (True, "n"), (False, "n")]
    for a, b in zip(digits[::2], digits[1::2], strict=True):
        for bar, space in zip(_ITF[a], _ITF[b], strict=True):
            elements += [(True, bar), (False, space)]
    return [*elements, (True, "w"), (False, "n"), (True, "n")]


def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    out = bytearray()
    for b in raw:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out)


_STYLES = {"big": (b"F2", 18, 24), "bold": (b"F2", 12, 17), "text": (b"F1", 10, 14)}
_STYLES["small"] = (b"F1", 8, 12)


def label_page(info: LabelInfo, x0: float = 0, y0: float = 0) -> bytes:
    """Drawing commands for one A6 label whose lower-left corner is at (x0, y0)."""
    w, h = A6
    ops = [b"q", b"0 0 0 rg 0 0 0 RG 1 w"]
    ops.append(b"%.1f %.1f %.1f %.1f re S" % (x0 + 8, y0 + 8, w - 16, h - 16))

    def text(font: bytes, size: int, x: float, y: float, value: str) -> None:
        ops.append(
            b"BT /%s %d Tf %.1f %.1f Td (%s) Tj ET" % (font, size, x0 + x, y0 + y, _pdf_text(value))
        )

    text(b"F2", 30, 20, h - 50, "GLS")
    text(b"F1", 7, w - 112, h - 28, "SANDBOX - not for shipping")
    ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x0 + 16, y0 + h - 62, x0 + w - 16, y0 + h - 62))
    y = h - 66
    for style, value in info.lines():
        font, size, step = _STYLES[style]
        y -= step
        text(font, size, 20, y, value[:40])
    # barcode of the parcel number
    narrow, wide, bar_h = 1.3, 3.25, 70.0
    modules = itf_modules(info.unit_no)
    total = sum(wide if kind == "w" else narrow for _, kind in modules)
    x = (w - total) / 2
    for is_bar, kind in modules:
        width = wide if kind == "w" else narrow
        if is_bar:
            ops.append(b"%.2f %.2f %.2f %.2f re f" % (x0 + x, y0 + 50, width, bar_h))
        x += width
    text(b"F1", 10, (w - 6 * len(info.unit_no)) / 2, 34, info.unit_no)
    ops.append(b"Q")
    return b"\n".join(ops)


def combined_pdf(pages: list[bytes], label_type: str) -> bytes:
    per_page = {"pdf2A4": 2, "pdf4A4": 4}.get(label_type, 1)
    if per_page == 1:
        return build_pdf(pages, *A6)
    # top row first, then the bottom row
    slots = [(0, A4[1] - A6[1]), (A6[0], A4[1] - A6[1]), (0, 0), (A6[0], 0)][:per_page]
    sheets = []
    for start in range(0, len(pages), per_page):
        parts = []
        for (sx, sy), page in zip(slots, pages[start : start + per_page], strict=False):
            parts.append(b"q 1 0 0 1 %d %d cm\n%s\nQ" % (sx, sy, page))
        sheets.append(b"\n".join(parts))
    return build_pdf(sheets, *A4)


def build_pdf(contents: list[bytes], width: int, height: int, title: str = "GLS label") -> bytes:
    """A minimal PDF 1.4: one page per content stream, Helvetica fonts, exact xref offsets."""
    n_pages = len(contents)
    first_page = 6
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(n_pages)), n_pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (%s) /Producer (glstui sandbox) >>" % _pdf_text(title),
    ]
    for i, content in enumerate(contents):
        page_no = first_page + 2 * i
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
            % (width, height, page_no + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content) + 1, content))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _zpl_text(value: str) -> str:
    return "".join(" " if ch in "^~" or ord(ch) < 32 else ch for ch in value)


def label_zpl(info: LabelInfo) -> str:
    """One 4x6 inch label at 203 dpi, UTF-8 (^CI28), with an Interleaved 2 of 5 barcode."""
    sizes = {"big": 44, "bold": 32, "text": 28, "small": 22}
    out = [
        "^XA",
        "^CI28",
        "^PW812",
        "^LL1218",
        "^FO40,30^A0N,70,70^FDGLS^FS",
        "^FO480,50^A0N,24,24^FDSANDBOX - not for shipping^FS",
        "^FO40,120^GB730,4,4^FS",
    ]
    y = 150
    for style, value in info.lines():
        size = sizes[style]
        out.append(f"^FO40,{y}^A0N,{size},{size}^FD{_zpl_text(value[:40])}^FS")
        y += size + 14
    out += [
        f"^FO80,{max(y + 40, 760)}^BY3^B2N,200,Y,N,N^FD{info.unit_no}^FS",
        "^XZ",
    ]
    return "\n".join(out)
