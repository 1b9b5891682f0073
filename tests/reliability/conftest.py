"""The reliability suite: tests that attack glstui (kills, races, faults, bad input, leaks).

Reuses the integration tests' helpers (tests/integration is put on sys.path: test_labels_world,
test_outbox_faults, test_import_headless). `rounds(default, slow)` gives how often a randomised
attack repeats: a few times in the normal run, many times under `pytest -m slow` (the long
variants the benchmark report runs). As in tests/integration, every request glstui's Amazon
client sends in a test must match Amazon's models (amazon_models.py, checked at teardown).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INTEGRATION = HERE.parent / "integration"
if str(INTEGRATION) not in sys.path:
    sys.path.insert(0, str(INTEGRATION))

from amazon_models import amazon_requests_match_the_models  # noqa: E402, F401 (autouse)

from glstui.sandbox import Sandbox  # noqa: E402

SANDBOX_START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def make(**kw: object) -> Sandbox:
        kw.setdefault("start", SANDBOX_START)
        sb = Sandbox(**kw).start()  # type: ignore[arg-type]
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()
