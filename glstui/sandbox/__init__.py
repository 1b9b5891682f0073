"""Local simulation of Amazon (Seller Central consent, Login with Amazon, Orders API) and GLS
(Label API, mounted from glstui.sandbox.gls) on 127.0.0.1, for --demo, tests and benchmarks.
The only difference from the real services is the base URL."""

from glstui.sandbox.amazon import (
    DEMO_APP_ID,
    DEMO_APP_NAME,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELLER_ID,
    DEMO_SELLERS,
)
from glstui.sandbox.clock import SimClock
from glstui.sandbox.faults import Faults
from glstui.sandbox.server import LoggedRequest, Sandbox

__all__ = [
    "DEMO_APP_ID",
    "DEMO_APP_NAME",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_SELLERS",
    "DEMO_SELLER_ID",
    "Faults",
    "LoggedRequest",
    "Sandbox",
    "SimClock",
]
