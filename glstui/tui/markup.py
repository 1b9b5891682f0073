"""Put text from operators, Amazon or GLS into Textual markup so it shows exactly as typed.

rich.markup.escape and textual.markup.escape both leave "[/" (and "[" before a backslash)
alone, which Textual's markup parser then rejects with a MarkupError (a filter typed as "[/"
crashed the shop list). Escaping every "[" is always right for Textual markup.
"""

from __future__ import annotations


def literal(text: object) -> str:
    """`text` as Textual markup that renders it literally."""
    return str(text).replace("[", "\\[")
