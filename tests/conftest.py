"""Fixtures every test folder shares: sandboxes on 127.0.0.1 that stop when the test ends.

`make_sandbox(**kw)` starts a Sandbox (simulated clock from SANDBOX_START unless `start` is
given) and stops every one it started at teardown. Helpers shared between folders
(tests/integration's world and Amazon models, tests/tui's browser approval) are importable by
module name: pyproject's `pythonpath` lists their folders, so no test edits sys.path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from glstui.sandbox import Sandbox

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
