"""No full garbage collection while an import runs: the operator's key presses wait for one.

Why: the store keeps its documents in memory (100k orders stored: about 11k hot ones, millions
of small objects), and each full (generation 2) collection walks all of them while holding the
interpreter: measured in tests/benchmarks/bench_import.py, 10 full collections of 100-260 ms
each during a 10k-order import, which were the key presses answered late (p95 262 ms) and a
quarter of the import's time. An import allocates fast and keeps what it allocates (the new
orders), so it triggers them again and again.

While any import runs, generation 2 is not collected automatically (young generations still
are, so short-lived cycles still go); afterwards the thresholds are as before and the next
full collection comes as Python schedules it. Nested or overlapping runs (threads) keep the
pause until the last one ends.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

NEVER = 1 << 30  # a generation-2 threshold no import reaches

_lock = threading.Lock()
_runs = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def full_collections_paused() -> Iterator[None]:
    """Within the block (and any other such block still open), no full collection runs."""
    global _runs, _saved
    with _lock:
        if _runs == 0:
            young, middle, old = gc.get_threshold()
            _saved = (young, middle, old)
            gc.set_threshold(young, middle, NEVER)
        _runs += 1
    try:
        yield
    finally:
        with _lock:
            _runs -= 1
            if _runs == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
