"""One command for every speed figure: run each benchmark script, print one table.

Run: .venv/bin/python tests/benchmarks/report.py [--quick] [--only fetch,store] [--no-slow]
                                                 [--markdown [README.md]]

Each bench_*.py runs in its own subprocess, one at a time (they measure time and memory, so
they must not share the machine with each other). Their "measure | result | target |
PASS/FAIL" lines are collected into one table; then the long reliability variants (pytest -m
slow tests/reliability) add one line. Every row names the machine (os.cpu_count() cores) and
the date of the run. `--quick` passes --quick to every script (tiny sizes: the machinery, not
the figures) and skips the long reliability run. `--markdown` also writes the table between
the `<!-- bench:start -->` and `<!-- bench:end -->` comments of README.md, so README shows the
figures of exactly this run. Exit code 0 when every line passes, 1 otherwise (a benchmark that
crashes is a FAIL line).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PY = sys.executable
START_MARK, END_MARK = "<!-- bench:start -->", "<!-- bench:end -->"

# (name, what it measures) in the order they run
BENCHES = [
    ("fetch", "searchOrders pacing overhead against the client's own limits, 10k orders"),
    ("import", "key to screen in a pty while importing 10k orders of 5 shops, 100k stored"),
    ("shops", "S = 1, 5, 20 shops at once: import and confirm vs each seller's floor"),
    ("store", "store with 100k orders: page commit, open, peak memory (VmHWM)"),
    ("labels", "1,000 labels and confirmations vs Amazon's floor"),
    ("stats", "statistics over 100k stored orders, fresh processes"),
    ("startup", "glstui --demo to the first screen"),
]
VERDICTS = ("PASS", "FAIL")


class Row:
    def __init__(self, bench: str, measure: str, result: str, target: str, verdict: str):
        self.bench, self.measure, self.result = bench, measure, result
        self.target, self.verdict = target, verdict


def parse_table_lines(bench: str, out: str) -> list[Row]:
    """Rows from "measure | result | target | PASS/FAIL" lines; info lines (no verdict) too.

    A line "-- heading: ..." names the group for the indented lines after it (bench_store).
    Lines starting with "#" are comments of the script, not rows.
    """
    rows: list[Row] = []
    group = ""
    for raw in out.splitlines():
        if raw.startswith("-- "):
            group = raw[3:].split(":", 1)[0].strip()
            continue
        if raw.count("|") < 1 or raw.startswith("#"):
            continue
        cells = [c.strip() for c in raw.split("|")]
        if cells[0].lower() == "measure":
            continue
        cells += [""] * (4 - len(cells))
        measure, result, target = cells[0], cells[1], cells[2]
        verdict = cells[3] if cells[3] in VERDICTS else ""
        if not raw.startswith(" "):
            group = ""
        elif group:
            measure = f"{group}: {measure}"
        rows.append(Row(bench, measure, result, target, verdict))
    return rows


def run_bench(name: str, quick: bool) -> tuple[list[Row], float]:
    script = HERE / f"bench_{name}.py"
    started = time.perf_counter()
    proc = subprocess.run(
        [PY, str(script), *(["--quick"] if quick else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    rows = parse_table_lines(name, proc.stdout)
    if not rows or (proc.returncode != 0 and not any(r.verdict == "FAIL" for r in rows)):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1][:80]
        rows.append(
            Row(name, f"bench_{name}.py", f"exit {proc.returncode}: {tail}", "exit 0", "FAIL")
        )
    return rows, elapsed


def run_slow_reliability() -> Row:
    started = time.perf_counter()
    proc = subprocess.run(
        [PY, "-m", "pytest", "-q", "-m", "slow", "tests/reliability"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    summary = next(
        (ln.strip("= ") for ln in reversed(proc.stdout.splitlines()) if " in " in ln), ""
    )
    summary = re.sub(r"\s+in [\d.]+s.*$", "", summary) or f"exit {proc.returncode}"
    ok = proc.returncode == 0
    return Row(
        "reliability",
        "reliability suite, long variants (pytest -m slow)",
        f"{summary} in {elapsed:.0f} s",
        "all pass",
        "PASS" if ok else "FAIL",
    )


def machine(day: str) -> str:
    return f"{os.cpu_count()} cores, {day}"


def render(rows: list[Row], day: str) -> str:
    header = ("measure", "result", "target", "pass/fail", "machine")
    table = [header] + [
        (r.measure, r.result, r.target, r.verdict or "info", machine(day)) for r in rows
    ]
    widths = [min(max(len(row[i]) for row in table), 70) for i in range(len(header))]
    lines = []
    for n, row in enumerate(table):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: list[Row], day: str, quick: bool, seconds: float, load: str) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|") or " "

    mode = "report.py --quick (tiny sizes)" if quick else "report.py"
    out = [
        f"Figures of one `{mode}` run on {day} ({os.cpu_count()} cores, {seconds:.0f} s; "
        f"load average {load}), written by `report.py --markdown`; not edited by hand.",
        "",
        "| measure | result | target | pass/fail | machine |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [
        f"| {cell(r.measure)} | {cell(r.result)} | {cell(r.target)} | "
        f"{r.verdict or 'info'} | {machine(day)} |"
        for r in rows
    ]
    return "\n".join(out)


def write_markdown(path: Path, table: str) -> None:
    text = path.read_text()
    start, end = text.find(START_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: no {START_MARK} ... {END_MARK} markers to write between")
    text = text[: start + len(START_MARK)] + "\n" + table + "\n" + text[end:]
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, no long reliability")
    parser.add_argument("--only", help="comma-separated benchmark names (fetch,import,...)")
    parser.add_argument("--no-slow", action="store_true", help="skip the long reliability run")
    parser.add_argument(
        "--markdown",
        nargs="?",
        const=str(ROOT / "README.md"),
        metavar="FILE",
        help="write the table between the bench markers of FILE (default README.md)",
    )
    args = parser.parse_args(argv)
    chosen = set(args.only.split(",")) if args.only else None
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]  # other work on the machine slows every figure
    rows: list[Row] = []
    for name, what in BENCHES:
        if chosen and name not in chosen:
            continue
        print(f"running bench_{name}.py ({what}) ...", file=sys.stderr, flush=True)
        got, elapsed = run_bench(name, args.quick)
        print(f"  done in {elapsed:.0f} s", file=sys.stderr, flush=True)
        rows += got
    if not (args.no_slow or args.quick or chosen):
        print("running the long reliability variants ...", file=sys.stderr, flush=True)
        rows.append(run_slow_reliability())
    seconds = time.perf_counter() - started
    print(render(rows, day))
    failed = [r for r in rows if r.verdict == "FAIL"]
    passed = sum(r.verdict == "PASS" for r in rows)
    print(
        f"\n{passed} passed, {len(failed)} failed, {sum(not r.verdict for r in rows)} info; "
        f"{seconds:.0f} s"
    )
    if args.markdown:
        load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
        write_markdown(Path(args.markdown), markdown(rows, day, args.quick, seconds, load))
        print(f"wrote the table into {args.markdown}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
