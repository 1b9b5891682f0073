"""What the app tells the shown screen: Textual messages, handled with ``@on``.

A screen that does not care simply has no handler; the app never probes screens for methods.
"""

from __future__ import annotations

from textual.message import Message


class StoreChanged(Message, bubble=False):
    """The store's files changed (this process or another): reload what is shown."""


class OutboxChanged(Message, bubble=False):
    """Tracking codes were delivered or refused: order states changed."""


class ActivityAdded(Message, bubble=False):
    """A background line (start-up, tracking deliveries) was added to ``app.activity``."""


class OperatorMoved(Message, bubble=False):
    """The operator moved the Orders cursor (details replace the log of the last run)."""
