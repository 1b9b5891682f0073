"""Listings Items in the sandbox, only as far as glstui uses it: proving which seller a token
belongs to.

Amazon puts the seller id in the path of the Listings Items API
(`GET /listings/2021-08-01/items/{sellerId}`, searchListingsItems) and answers a token of
another seller with 403 Unauthorized. The sandbox does the same, so glstui can check the
`selling_partner_id` of a pasted redirect against the token the code gave. An app without
the Product Listing role gets 403 for its own seller too (`listings_role = False`): glstui must
then say the id is unverified, never guess.
"""

from __future__ import annotations

import re

from glstui.sandbox.amazon.responses import MSG_DENIED, ApiError, Response, json_response
from glstui.sandbox.amazon.state import SimState

LISTINGS_PATH = "/listings/2021-08-01/items/"
_LISTINGS = re.compile(r"/listings/2021-08-01/items/([^/]+)")


class SellersMixin(SimState):
    listings_role = True  # the demo app may call Listings Items (set False: it may not)

    def listings_seller(self, method: str, path: str) -> bool:
        """True when `path` is searchListingsItems (the one Listings call the sandbox has)."""
        return method == "GET" and _LISTINGS.fullmatch(path) is not None

    def _search_listings(
        self, seller: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> Response:
        match = _LISTINGS.fullmatch(path)
        asked = match.group(1) if match else ""
        if not self.listings_role or asked != seller:
            raise ApiError(403, "Unauthorized", MSG_DENIED, "")
        if not query.get("marketplaceIds"):
            raise ApiError(400, "InvalidInput", "Missing required parameter: marketplaceIds.")
        return json_response(200, {"numberOfResults": 0, "items": []})
