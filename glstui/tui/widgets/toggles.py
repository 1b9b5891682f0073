"""Checkboxes, radio buttons and tick lists whose state reads without colour.

Textual draws the same "X" / "●" for on and off and tells them apart by colour only, which
the terminal's own ANSI palette (or a monochrome SSH client) may not show: these draw
[x] / [ ] and (•) / ( ) instead.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, OptionList, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist


class TickBox(Checkbox):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--label")
        return Content.assemble(("[x] " if self.value else "[ ] ", style))


class TickRadio(RadioButton):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--label")
        return Content.assemble(("(•) " if self.value else "( ) ", style))


class TickList(SelectionList[str]):
    """A SelectionList drawing [x] / [ ] before each option."""

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        base = segments[0].style if segments else self.rich_style
        mark = "[x] " if selection.value in self._selected else "[ ] "
        return Strip([Segment(mark, base), *segments])
