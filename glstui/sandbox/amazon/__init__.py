"""The Amazon half of the sandbox: Seller Central consent, Login with Amazon, Orders
v2026-01-01 searchOrders/getOrder and Orders v0 confirmShipment, with Amazon's validation,
error bodies, headers and per-operation token buckets (sped up by the time scale).

One module per seam (consent, lwa, orders, shipments, limits, router over a shared state);
this façade keeps `from glstui.sandbox.amazon import AmazonSim, ...` working.
"""

from glstui.sandbox.amazon.lwa import ACCESS_TTL
from glstui.sandbox.amazon.orders import SEARCH_PATH
from glstui.sandbox.amazon.responses import (
    ApiError,
    Response,
    error_list,
    html_response,
    invalid,
    json_response,
)
from glstui.sandbox.amazon.router import AmazonSim
from glstui.sandbox.amazon.shipments import CARRIER_CODES
from glstui.sandbox.amazon.state import (
    CODE_TTL,
    DEMO_APP_ID,
    DEMO_APP_NAME,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELLER_ID,
    DEMO_SELLERS,
    REDIRECT_PATH,
)

__all__ = [
    "ACCESS_TTL",
    "CARRIER_CODES",
    "CODE_TTL",
    "DEMO_APP_ID",
    "DEMO_APP_NAME",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_SELLERS",
    "DEMO_SELLER_ID",
    "REDIRECT_PATH",
    "SEARCH_PATH",
    "AmazonSim",
    "ApiError",
    "Response",
    "error_list",
    "html_response",
    "invalid",
    "json_response",
]
