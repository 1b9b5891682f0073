"""The one error path: a bug in an action, handler or worker is a toast and a logged traceback,
one of our errors is its translated message, and the app keeps running (80x24)."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest
from rich.console import Console

from glstui.domain.errors import GlstuiError
from glstui.services import integrations as svc
from glstui.services import startup
from glstui.tui.app import GlsApp
from glstui.tui.errors import LOGGER_NAME, log_file

BUYER = "Jantje Pietersen Oudegracht 12"


def unexpected(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == LOGGER_NAME and r.getMessage().startswith("Unexpected error")
    ]


def toasts(app: GlsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.fixture
def shops_ctx(ctx: Any, seed_shops: Any) -> Any:
    seed_shops(ctx)
    return ctx


async def test_a_bug_in_an_action_is_a_toast_and_a_traceback_in_the_log(
    shops_ctx: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(store: Any, integration_id: str) -> Any:
        buyer = BUYER  # a local with buyer data: must never reach the log or the screen
        raise AttributeError(f"'NoneType' object has no attribute {len(buyer)}")

    monkeypatch.setattr(svc, "toggle_active", broken)
    app = GlsApp(shops_ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        where = log_file(shops_ctx)
        assert f"Unexpected error: AttributeError. Details are in {where}." in toasts(app)
        await pilot.press("2")  # the app still takes keys
        await pilot.pause()
        assert app.current_mode == "import"
    assert app._exception is None
    [record] = unexpected(caplog)
    assert record.levelno == logging.ERROR
    # the traceback is on the record: as exc_info, or already formatted (and redacted) by
    # the log file's filter when that handler saw the record first
    logged = record.exc_text or "".join(traceback.format_exception(*record.exc_info))
    assert logged.startswith("Traceback") and "AttributeError: 'NoneType'" in logged
    assert BUYER not in caplog.text


async def test_our_error_shows_its_translated_message(
    make_ctx: Any,
    seed_shops: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ctx = make_ctx(lang="nl")
    seed_shops(ctx)

    def refused(store: Any, integration_id: str) -> Any:
        raise GlstuiError("The two passphrases differ. Type the second one again.")

    monkeypatch.setattr(svc, "toggle_tracking", refused)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert "De twee wachtwoordzinnen verschillen. Typ de tweede opnieuw." in toasts(app)
    assert app._exception is None
    assert unexpected(caplog) == []


async def test_a_bug_in_a_worker_is_reported_and_the_app_goes_on(
    shops_ctx: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(ctx: Any, report: Any) -> Any:
        raise KeyError("missing")

    monkeypatch.setattr(startup, "on_start", broken)
    app = GlsApp(shops_ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(t.startswith("Unexpected error: KeyError.") for t in toasts(app))
        await pilot.press("3")
        await pilot.pause()
        assert app.current_mode == "orders"
    assert app._exception is None
    assert len(unexpected(caplog)) == 1


async def test_a_bug_in_a_modal_answer_is_reported(
    shops_ctx: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """d, then Delete in the modal: the answer runs as a queued callback, not an action."""

    def broken(*args: Any) -> Any:
        raise ZeroDivisionError

    monkeypatch.setattr(svc, "delete", broken)
    app = GlsApp(shops_ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        app.screen.action_answer(True)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.pause()
        assert any(t.startswith("Unexpected error: ZeroDivisionError.") for t in toasts(app))
        assert app.current_mode == "integrations"
    assert app._exception is None
    assert len(unexpected(caplog)) == 1


async def test_the_exit_traceback_never_shows_local_variables(shops_ctx: Any) -> None:
    """Textual's own fatal traceback (for errors that end its loop) has show_locals on."""
    app = GlsApp(shops_ctx)
    async with app.run_test(size=(80, 24)):
        try:
            buyer = BUYER
            raise RuntimeError(len(buyer))
        except RuntimeError:
            app._fatal_error()
        console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        for renderable in app._exit_renderables:
            console.print(renderable)
        app._exit_renderables.clear()
    text = console.export_text()
    assert "RuntimeError" in text
    assert BUYER not in text
