"""The Orders screen: `screen` (keys, help), `view` (list, counts, details), `table` (columns
and cells), `detail` (the details pane's text), `log` (the log pane), `actions` (labels and
tracking)."""

from glstui.tui.screens.orders.screen import OrdersScreen
from glstui.tui.screens.orders.table import OrdersTable

__all__ = ["OrdersScreen", "OrdersTable"]
