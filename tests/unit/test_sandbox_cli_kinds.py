"""`glstui sandbox` can serve the real order kinds and a shop without the PII role."""

from __future__ import annotations

import threading

from glstui.sandbox import cli


def test_sandbox_command_switches_on_kinds_and_a_missing_pii_role(capsys, monkeypatch):
    made = []
    real = cli.Sandbox

    def spy(**kw):
        sandbox = real(**kw)
        made.append(sandbox)
        return sandbox

    monkeypatch.setattr(cli, "Sandbox", spy)
    stop = threading.Event()
    stop.set()
    argv = ["--orders", "40", "--kinds-share", "0.5", "--partial-share", "0.2"]
    assert cli.run([*argv, "--without-pii-role"], stop=stop) == 0
    (sandbox,) = made
    assert sandbox.amazon.kinds_share == 0.5 and sandbox.amazon.partial_share == 0.2
    assert sandbox.amazon.default_seller in sandbox.amazon.without_pii_role
    assert "GLS T&T" in capsys.readouterr().out
    assert cli.run(["--kinds-share", "2"], stop=stop) == 2
