"""A small per-day bar chart for the statistics screen, drawn with block characters.

Textual's Sparkline scales from the smallest to the largest value, so a quiet day looks
empty; an operator reading "how many per day" needs bars that start at zero. When there
are more days than columns, neighbouring days are added up ("per 3 days") rather than
dropped. Colours come from the widget's CSS (theme variables), so every theme works.
"""

from __future__ import annotations

import math
from datetime import date

from rich.text import Text
from textual.widget import Widget

from glstui.i18n import _

BLOCKS = " ▁▂▃▄▅▆▇█"


def group(values: list[int], width: int) -> tuple[list[int], int]:
    """Values added up in groups so they fit `width` columns: (columns, days per column)."""
    if width <= 0 or not values:
        return [], 1
    step = max(1, math.ceil(len(values) / width))
    return [sum(values[i : i + step]) for i in range(0, len(values), step)], step


def bar_rows(columns: list[int], height: int, spacing: int = 0) -> list[str]:
    """`height` lines of block characters, top line first; 0 is no bar, max is full height."""
    top = max(columns, default=0)
    eighths = [0 if top == 0 else math.ceil(v * height * 8 / top) for v in columns]
    rows = []
    for level in reversed(range(height)):
        cells = []
        for e in eighths:
            part = min(8, max(0, e - level * 8))
            cells.append(BLOCKS[part] + " " * spacing)
        rows.append("".join(cells).rstrip() if spacing else "".join(cells))
    return rows


class StatsChart(Widget):
    """Title and total with the tallest bar's value, the bars, and the first and last day."""

    DEFAULT_CSS = """
    StatsChart {
        height: 6;
        width: 1fr;
        padding: 0 1 0 0;
    }
    StatsChart .stats-chart--title {
        text-style: bold;
    }
    """

    def __init__(self, title: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.title = title
        self.values: list[int] = []
        self.first_day: date | None = None
        self.last_day: date | None = None

    def set_data(
        self, title: str, values: list[int], first_day: date | None, last_day: date | None
    ) -> None:
        self.title = title
        self.values = list(values)
        self.first_day, self.last_day = first_day, last_day
        self.refresh()

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        height = max(1, self.content_size.height - 2)
        columns, step = group(self.values, width)
        spacing = 1 if columns and len(columns) * 2 <= width else 0
        total = sum(self.values)
        top = max(columns, default=0)
        text = Text(no_wrap=True, overflow="crop")
        head = f"{self.title} {total}"
        most = f"max {top}"
        text.append(head, style="bold")
        text.append(" " * max(1, width - len(head) - len(most)) + most + "\n", style="dim")
        for line in bar_rows(columns, height, spacing):
            text.append(line + "\n")
        if self.first_day and self.last_day:
            left = f"{self.first_day:%d-%m}"
            right = f"{self.last_day:%d-%m}"
            middle = "" if step == 1 else _("per {n} days").format(n=step)
            room = width - len(left) - len(right)
            if len(middle) + 2 > room:
                middle = ""
            pad = max(1, room - len(middle))
            text.append(
                f"{left}{' ' * (pad // 2)}{middle}{' ' * (pad - pad // 2)}{right}", style="dim"
            )
        return text
