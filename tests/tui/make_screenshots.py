"""Regenerate screenshots/<screen>.svg and .png from the app itself (not collected by pytest).

    .venv/bin/python tests/tui/make_screenshots.py [--out screenshots] [--only NAME ...]

Same deterministic data as the snapshot tests (fixed clock, four shops, fixed consent
state). PNGs need rsvg-convert (Debian: apt-get install librsvg2-bin); without it only the
SVGs are written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ["GLSTUI_NO_BROWSER"] = "1"

from conftest import APP_ID, FIXED_STATE, NOW, _seed_shops  # noqa: E402

import glstui.amazon.consent as consent  # noqa: E402
from glstui.amazon.endpoints import Endpoints  # noqa: E402
from glstui.domain.clock import FixedClock  # noqa: E402
from glstui.secrets import Secrets  # noqa: E402
from glstui.services.context import AppContext  # noqa: E402
from glstui.store import Store  # noqa: E402
from glstui.tui.app import GlsApp  # noqa: E402

Steps = Callable[[Any], Awaitable[None]]


def press(*keys: str) -> Steps:
    async def run(pilot: Any) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return run


# name: (keys, size, language)
SHOTS: dict[str, tuple[Steps, tuple[int, int], str]] = {
    "integrations": (press("down"), (100, 30), "en"),
    "integrations-80x24": (press("down"), (80, 24), "en"),
    "integrations-nl": (press("down"), (100, 30), "nl"),
    "integration-details": (press("down", "enter"), (100, 30), "en"),
    "integration-details-nl": (press("down", "enter"), (100, 30), "nl"),
    "add-shop": (press("n"), (100, 30), "en"),
    "connect": (press("n", "ctrl+s"), (120, 40), "en"),
    "connect-80x24": (press("n", "ctrl+s"), (80, 24), "en"),
    "delete": (press("down", "d"), (100, 30), "en"),
    "keys": (press("5"), (100, 30), "en"),
    "keys-nl": (press("5"), (100, 30), "nl"),
    "help": (press("question_mark"), (100, 30), "en"),
    "guide": (press("6"), (100, 30), "en"),
    "guide-nl": (press("6"), (100, 30), "nl"),
}


def context(lang: str, data_dir: Path) -> AppContext:
    clock = FixedClock(NOW)
    secrets = Secrets.in_memory()
    secrets.set("amazon.app_id", APP_ID)
    secrets.set("amazon.lwa_client_id", "amzn1.application-oa2-client.demo0000")
    secrets.set("amazon.lwa_client_secret", "amzn1.oa2-cs.v1.demo9999")
    ctx = AppContext(
        data_dir=data_dir,
        store=Store.open(data_dir, clock),
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.production(),
        lang=lang,
    )
    _seed_shops(ctx)
    return ctx


async def shoot(name: str, steps: Steps, size: tuple[int, int], lang: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        app = GlsApp(context(lang, Path(tmp)))
        async with app.run_test(size=size, notifications=True) as pilot:
            await steps(pilot)
            svg = out / f"{name}.svg"
            svg.write_text(app.export_screenshot(title=f"glstui · {name}"), encoding="utf-8")
    return svg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    consent.secrets.token_urlsafe = lambda n=32: FIXED_STATE  # type: ignore[assignment]
    rsvg = shutil.which("rsvg-convert")
    for name, (steps, size, lang) in SHOTS.items():
        if args.only and name not in args.only:
            continue
        svg = asyncio.run(shoot(name, steps, size, lang, args.out))
        line = f"{svg.relative_to(ROOT) if svg.is_relative_to(ROOT) else svg}"
        if rsvg:
            png = svg.with_suffix(".png")
            subprocess.run([rsvg, str(svg), "-o", str(png)], check=True)
            line += " + .png"
        print(line)
    if not rsvg:
        print("rsvg-convert not found: only SVGs written (apt-get install librsvg2-bin)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
