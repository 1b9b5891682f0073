"""`glstui sandbox` can serve the real order kinds and a shop without the PII role."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from glstui.sandbox import cli


@pytest.fixture
def made(monkeypatch):
    """The sandboxes `glstui sandbox` made (it stops at once: its stop event is set)."""
    started = []
    real = cli.Sandbox

    def spy(**kw):
        sandbox = real(**kw)
        started.append(sandbox)
        return sandbox

    monkeypatch.setattr(cli, "Sandbox", spy)
    return started


STOP = threading.Event()
STOP.set()


def test_sandbox_command_switches_on_kinds_and_a_missing_pii_role(capsys, made):
    argv = ["--orders", "40", "--kinds-share", "0.5", "--partial-share", "0.2"]
    assert cli.run([*argv, "--without-pii-role"], stop=STOP) == 0
    (sandbox,) = made
    assert sandbox.amazon.kinds_share == 0.5 and sandbox.amazon.partial_share == 0.2
    assert sandbox.amazon.default_seller in sandbox.amazon.without_pii_role
    assert "GLS T&T" in capsys.readouterr().out
    assert cli.run(["--kinds-share", "2"], stop=STOP) == 2


def test_sandbox_command_drops_confirmations_and_lists_orders_late(made):
    argv = ["--orders", "10", "--drop-confirmations-share", "0.3", "--late-share", "0.25"]
    assert cli.run([*argv, "--late-minutes", "4"], stop=STOP) == 0
    (sandbox,) = made
    assert sandbox.amazon._drop_share == 0.3
    assert (sandbox.amazon._late_share, sandbox.amazon._late_by) == (0.25, timedelta(minutes=4))
    assert cli.run(["--drop-confirmations-share", "1.5"], stop=STOP) == 2
    assert cli.run(["--late-minutes", "-1"], stop=STOP) == 2
