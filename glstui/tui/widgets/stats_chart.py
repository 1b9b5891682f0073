"""A small per-day bar chart for the statistics screen, drawn with block characters.

Textual's Sparkline scales from the smallest to the largest value, so a quiet day looks
empty; an operator reading "how many per day" needs bars that start at zero. The bars
share the whole width (a week gets wide bars), so the first and last date sit under the
first and last bar. When there are more days than columns, neighbouring days are added up
("per 3 days") rather than dropped; the screen gives its charts one `step` so the charts
side by side and the heading above them speak of the same days per bar. Colours come from
the widget's CSS (theme variables), so every theme works.
"""

from __future__ import annotations

import math
from datetime import date

from rich.text import Text
from textual.widget import Widget

from glstui.i18n import _, date_text

BLOCKS = " ▁▂▃▄▅▆▇█"


def days_per_bar(count: int, width: int) -> int:
    """How many days one bar must add up so `count` days fit `width` columns."""
    return max(1, math.ceil(count / width)) if width > 0 else 1


def group(values: list[int], width: int, step: int = 1) -> tuple[list[int], int]:
    """Values added up in groups so they fit `width` columns: (columns, days per column).
    `step` asks for at least that many days per column (charts shown side by side)."""
    if width <= 0 or not values:
        return [], 1
    step = max(step, days_per_bar(len(values), width))
    return [sum(values[i : i + step]) for i in range(0, len(values), step)], step


def bar_widths(count: int, width: int) -> tuple[list[int], int]:
    """How wide each of `count` bars is, and the gap between them, so together they fill
    `width` columns exactly: (widths, gap). Leftover columns go to bars spread evenly."""
    if count <= 0 or width <= 0:
        return [], 0
    gap = 1 if width >= 2 * count - 1 else 0
    room = max(count, width - gap * (count - 1))
    base, extra = divmod(room, count)
    widths = [base + (i + 1) * extra // count - i * extra // count for i in range(count)]
    return widths, gap


def bar_rows(
    columns: list[int], height: int, widths: list[int] | None = None, gap: int = 0
) -> list[str]:
    """`height` lines of block characters, top line first; 0 is no bar, max is full height.
    Bar i is widths[i] characters wide (1 without widths), bars `gap` spaces apart."""
    top = max(columns, default=0)
    eighths = [0 if top == 0 else math.ceil(v * height * 8 / top) for v in columns]
    sizes = widths if widths is not None else [1] * len(columns)
    rows = []
    for level in reversed(range(height)):
        parts = zip(eighths, sizes, strict=True)
        cells = [BLOCKS[min(8, max(0, e - level * 8))] * w for e, w in parts]
        rows.append((" " * gap).join(cells))
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
        self.step = 1

    def days_per_bar(self, count: int) -> int:
        """Days per bar this chart needs to show `count` days at its current width."""
        return days_per_bar(count, max(1, self.content_size.width))

    def set_data(
        self,
        title: str,
        values: list[int],
        first_day: date | None,
        last_day: date | None,
        step: int = 1,
    ) -> None:
        self.title = title
        self.values = list(values)
        self.first_day, self.last_day = first_day, last_day
        self.step = step
        self.refresh()

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        height = max(1, self.content_size.height - 2)
        columns, step = group(self.values, width, self.step)
        widths, gap = bar_widths(len(columns), width)
        total = sum(self.values)
        top = max(columns, default=0)
        text = Text(no_wrap=True, overflow="crop")
        head = f"{self.title} {total}"
        most = f"max {top}"
        text.append(head, style="bold")
        text.append(" " * max(1, width - len(head) - len(most)) + most + "\n", style="dim")
        for line in bar_rows(columns, height, widths, gap):
            text.append(line + "\n")
        if self.first_day and self.last_day:
            left = date_text(self.first_day, year=False)
            right = date_text(self.last_day, year=False)
            middle = "" if step == 1 else _("per {n} days").format(n=step)
            room = width - len(left) - len(right)
            if len(middle) + 2 > room:
                middle = ""
            pad = max(1, room - len(middle))
            text.append(
                f"{left}{' ' * (pad // 2)}{middle}{' ' * (pad - pad // 2)}{right}", style="dim"
            )
        return text
