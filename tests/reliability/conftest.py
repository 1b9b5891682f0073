"""The reliability suite: tests that attack glstui (kills, races, faults, bad input, leaks).

Reuses the integration tests' helpers (importable by name, see tests/conftest.py:
test_labels_world, test_outbox_faults, test_import_headless); `make_sandbox` comes from
tests/conftest.py. As in tests/integration, every request glstui's Amazon client sends in a
test must match Amazon's models (amazon_models.py, checked at teardown).
"""

from __future__ import annotations

from amazon_models import amazon_requests_match_the_models  # noqa: F401 (autouse)
