"""Every benchmark script still runs: tiny inputs (--quick), its rows printed, an honest exit.

The figures of a quick run mean nothing (tiny sizes on a shared machine), so no test looks at
a number: each asserts that the script printed each of its rows with a PASS or FAIL verdict
(or none, for an info row), that its exit code is the one those verdicts call for (1 when a
row says FAIL, else 0) and that it did not crash. The scripts are started all at once when
the first of these tests runs and each test waits for its own, so the whole file costs about
the slowest script, not their sum.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tests" / "benchmarks"
sys.path.insert(0, str(BENCH))

from report import END_MARK, START_MARK, main, parse_table_lines  # noqa: E402

# script -> the start of each row it must print
ROWS = {
    "fetch": [
        "2,100 orders: API calls",
        "2,100 orders: pacing overhead, time / floor incl. round trips",
        "2,100 orders: 429 responses",
    ],
    "import": [
        "orders imported (3 shops",
        "import pipeline in the TUI",
        "key presses while importing",
        "key to screen before the import",
        "key to screen p50 (pty, frame showing the key)",
        "key to screen p95 (pty, frame showing the key)",
    ],
    "shops": [
        "import 3 shops x 300 orders at once",
        "confirm 3 shops x 12 labels (mixed)",
    ],
    "store": [
        "store 1,000 orders in pages of 100",
        "  commit one page of 100 new orders (",
        "  peak memory, open + 2 commits (",
        "  peak memory, statistics 7/30/90 days (",
        "  peak memory, read archive month ",
    ],
    "stats": [
        "stats over 1k orders",
    ],
    "labels": ["label 12 orders", "confirm 12 parcels", "429 from Amazon's bucket"],
    "startup": ["glstui --demo to first screen (median of 1)"],
}
# bench_stats with a target no run can meet (< 0 s): it must say FAIL and exit 1
EXTRA = {"stats": ["--target-s", "0"]}
TIMEOUT_S = 240


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Every script started at once; the ones still running at the end are stopped."""
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(BENCH / f"bench_{name}.py"), "--quick", *EXTRA.get(name, [])],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ROWS
    }
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


_done: dict[str, tuple[int, str, str]] = {}


def finished(runs: dict[str, subprocess.Popen[str]], name: str) -> tuple[int, str, str]:
    if name not in _done:
        out, err = runs[name].communicate(timeout=TIMEOUT_S)
        _done[name] = (runs[name].returncode, out, err)
    return _done[name]


@pytest.mark.parametrize("name", list(ROWS))
def test_benchmark_prints_its_rows_and_exits_as_they_say(
    runs: dict[str, subprocess.Popen[str]], name: str
) -> None:
    code, out, err = finished(runs, name)
    assert "Traceback" not in err, err[-2000:]
    rows = parse_table_lines(name, out)
    for start in ROWS[name]:
        assert any(line.startswith(start) for line in out.splitlines()), (start, out)
    verdicts = [r.verdict for r in rows]
    assert "PASS" in verdicts or "FAIL" in verdicts, out
    assert code == (1 if "FAIL" in verdicts else 0), (code, out, err[-2000:])


def test_bench_stats_runs_fresh_processes_and_exits_1_on_a_missed_target(
    runs: dict[str, subprocess.Popen[str]],
) -> None:
    code, out, _err = finished(runs, "stats")
    fresh = [ln for ln in out.splitlines() if ", fresh process, " in ln]
    assert len(fresh) == 3, out  # no cache, first run, cache present
    cached = next(ln for ln in fresh if "archive cache present" in ln)
    assert cached.endswith("| < 0 s | FAIL"), cached
    assert code == 1


def test_report_writes_one_table_between_the_readme_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{START_MARK}\nold figures\n{END_MARK}\nafter\n")
    code = main(["--quick", "--only", "startup", "--markdown", str(readme)])
    text = readme.read_text()
    assert "old figures" not in text
    assert text.startswith(f"# x\n\nbefore\n{START_MARK}\n") and text.endswith(
        f"{END_MARK}\nafter\n"
    )
    table = text[text.index(START_MARK) : text.index(END_MARK)]
    rows = [ln for ln in table.splitlines() if ln.startswith("| glstui --demo")]
    assert len(rows) == 1, table
    assert " cores, " in rows[0] and "Figures of one `report.py --quick" in table
    assert code == (1 if "| FAIL |" in table else 0)
