"""The one error base of glstui, and the errors of the domain rules.

Every error type of ours derives from `GlstuiError`, so the TUI's one error handler and the
CLI can tell "ours, with a message for the operator" from "a bug" (logged with its traceback).
`user_message` is the English text of what happened and what to do; callers show it through
`glstui.i18n._`, so each message must also be in the Dutch catalog.
"""

from __future__ import annotations


class GlstuiError(Exception):
    """An error an operator can act on: `user_message` says what happened and what to do."""

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(message, *args)
        self.user_message = message


class ValidationError(GlstuiError, ValueError):
    """A value an operator typed breaks a rule; the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
