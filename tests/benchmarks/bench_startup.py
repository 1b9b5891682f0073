"""Start-up: how long from `glstui --demo` to the first screen on a terminal?

Run: .venv/bin/python tests/benchmarks/bench_startup.py [--quick] [--runs 5]

Spawns `glstui --demo` on a pseudo-terminal (80x24, TERM=xterm-256color), reads what it draws
and stops the clock when the first screen's text is on it; compares the median with the
median of `python -c "import textual.app"` (the floor: any Textual app pays that). Prints
"measure | result | target | PASS/FAIL" lines and exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Text of the first screen (the integrations list: its title and the section bar).
FIRST_SCREEN = re.compile(rb"Integrations")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
TARGET_S = 2.0  # an operator opening glstui over SSH should not wait longer than this
TARGET_OVER_IMPORT_S = 1.5  # glstui's own start-up on top of importing Textual


def glstui_command() -> list[str]:
    script = BIN / "glstui"
    if script.exists():
        return [str(script), "--demo"]
    return [sys.executable, "-m", "glstui", "--demo"]


def time_first_screen(timeout: float = 30.0) -> float:
    """Seconds from spawn until the first screen's text has been written to the terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.setdefault("LANG", "en_US.UTF-8")
    env.pop("TEXTUAL", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        glstui_command(),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            seen += chunk
            if FIRST_SCREEN.search(ANSI.sub(b"", seen)):
                return time.perf_counter() - started
        tail = ANSI.sub(b"", seen)[-400:].decode(errors="replace")
        raise RuntimeError(f"the first screen never appeared; the terminal showed: {tail!r}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        os.close(master)


def time_import() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import textual.app"], check=True)
    return time.perf_counter() - started


def line(measure: str, result: str, target: str, ok: bool | None) -> bool:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"{measure} | {result} | {target} | {verdict}".rstrip(" |"), flush=True)
    return ok is not False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run (a smoke run)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    if not args.quick:
        time_import()  # warm the file cache for both
        time_first_screen()
    bare = statistics.median(time_import() for _ in range(args.runs))
    runs = [time_first_screen() for _ in range(args.runs)]
    first = statistics.median(runs)
    ok = True
    line('python -c "import textual.app" (median)', f"{bare:.2f} s", "floor", None)
    ok &= line(
        f"glstui --demo to first screen (median of {args.runs})",
        f"{first:.2f} s (max {max(runs):.2f} s)",
        f"< {TARGET_S:g} s",
        first < TARGET_S,
    )
    ok &= line(
        "  start-up on top of importing Textual",
        f"{first - bare:.2f} s ({first / bare:.1f}x)",
        f"< {TARGET_OVER_IMPORT_S:g} s",
        first - bare < TARGET_OVER_IMPORT_S,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
