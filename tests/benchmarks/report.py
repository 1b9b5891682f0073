"""One command for every speed figure: run each benchmark script, print one table.

Run: .venv/bin/python tests/benchmarks/report.py [--only fetch,store] [--no-slow]

Each bench_*.py runs in its own subprocess, one at a time (they measure time and memory, so
they must not share the machine with each other). Their "measure | result | target |
PASS/FAIL" lines are collected into one table; bench_stats prints prose, which is read here.
Then the long reliability variants (pytest -m slow tests/reliability) run and add one line.
Exit code 0 when every line passes, 1 otherwise (a benchmark that crashes is a FAIL line).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PY = sys.executable

# (name, script arguments, what it measures) in the order they run
BENCHES = [
    ("fetch", [], "searchOrders vs the rate-limit floor, 1k and 10k orders"),
    ("import", [], "import pipeline with limits off, key-to-render during an import"),
    ("store", [], "store with 100k orders: page commit, open, peak RSS"),
    ("labels", [], "1,000 labels and confirmations vs Amazon's floor"),
    ("stats", [], "statistics over 100k stored orders"),
    ("startup", [], "glstui --demo to the first screen"),
]
VERDICTS = ("PASS", "FAIL")


class Row:
    def __init__(self, bench: str, measure: str, result: str, target: str, verdict: str):
        self.bench, self.measure, self.result = bench, measure, result
        self.target, self.verdict = target, verdict


def parse_table_lines(bench: str, out: str) -> list[Row]:
    """Rows from "measure | result | target | PASS/FAIL" lines; info lines (no verdict) too.

    A line "-- heading: ..." names the group for the indented lines after it (bench_store).
    """
    rows: list[Row] = []
    group = ""
    for raw in out.splitlines():
        if raw.startswith("-- "):
            group = raw[3:].split(":", 1)[0].strip()
            continue
        if raw.count("|") < 2 or raw.startswith("#"):
            continue
        cells = [c.strip() for c in raw.split("|")]
        if cells[0].lower() == "measure":
            continue
        measure, result, target = cells[0], cells[1], cells[2]
        verdict = cells[3] if len(cells) > 3 else ""
        if verdict not in VERDICTS:
            verdict = ""
        if not raw.startswith(" "):
            group = ""
        elif group:
            measure = f"{group}: {measure}"
        rows.append(Row(bench, measure, result, target, verdict))
    return rows


def parse_stats(out: str) -> list[Row]:
    rows = []
    for m in re.finditer(r"^stats\.compute, (.+): ([\d.]+) s$", out, re.M):
        label, seconds = m.group(1), float(m.group(2))
        target = "< 1 s" if label == "fresh process, archive cache present" else ""
        verdict = ("PASS" if seconds < 1.0 else "FAIL") if target else ""
        rows.append(
            Row("stats", f"stats over 100k orders, {label}", f"{seconds:.3f} s", target, verdict)
        )
    if not any(r.verdict for r in rows):
        rows.append(Row("stats", "stats benchmark output", "not understood", "< 1 s", "FAIL"))
    return rows


def run_bench(name: str, args: list[str]) -> tuple[list[Row], float]:
    script = HERE / f"bench_{name}.py"
    started = time.perf_counter()
    proc = subprocess.run(
        [PY, str(script), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    rows = parse_stats(proc.stdout) if name == "stats" else parse_table_lines(name, proc.stdout)
    if proc.returncode != 0 and not any(r.verdict == "FAIL" for r in rows):
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


def render(rows: list[Row]) -> str:
    header = ("measure", "result", "target", "pass/fail")
    table = [header] + [(r.measure, r.result, r.target, r.verdict or "info") for r in rows]
    widths = [min(max(len(row[i]) for row in table), 70) for i in range(4)]
    lines = []
    for n, row in enumerate(table):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names (fetch,import,...)")
    parser.add_argument("--no-slow", action="store_true", help="skip the long reliability run")
    args = parser.parse_args()
    chosen = set(args.only.split(",")) if args.only else None
    rows: list[Row] = []
    for name, bench_args, what in BENCHES:
        if chosen and name not in chosen:
            continue
        print(f"running bench_{name}.py ({what}) ...", file=sys.stderr, flush=True)
        got, elapsed = run_bench(name, bench_args)
        print(f"  done in {elapsed:.0f} s", file=sys.stderr, flush=True)
        rows += got
    if not args.no_slow and not chosen:
        print("running the long reliability variants ...", file=sys.stderr, flush=True)
        rows.append(run_slow_reliability())
    print(render(rows))
    failed = [r for r in rows if r.verdict == "FAIL"]
    passed = sum(r.verdict == "PASS" for r in rows)
    print(f"\n{passed} passed, {len(failed)} failed, {sum(not r.verdict for r in rows)} info")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
