"""Errors of the domain rules."""


class ValidationError(ValueError):
    """A value an operator typed breaks a rule; the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
