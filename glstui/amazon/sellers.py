"""Which seller a refresh token belongs to, asked of Amazon instead of read from pasted text.

The redirect address Amazon sends the operator to carries `selling_partner_id`, but glstui
only sees what the operator pastes, and that can be edited or come from someone else. The
Listings Items API has the seller id in its path and answers 403 for a token of another
seller, so one searchListingsItems call proves the id. Without the Product Listing role it
is 403 for the right seller too: then the id stays unproven, and glstui says so.
"""

from __future__ import annotations

import logging
import re
from enum import Enum

from glstui.amazon.client import SpApiClient
from glstui.amazon.errors import AmazonError

log = logging.getLogger("glstui.amazon")

OPERATION = "searchListingsItems"
_SELLER_SHAPE = re.compile(r"^A[0-9A-Z]{5,20}$")


class SellerCheck(Enum):
    VERIFIED = "verified"  # Amazon answered for this seller id with this token
    REFUSED = "refused"  # 403: another seller's id, or the app lacks the Listings role
    UNAVAILABLE = "unavailable"  # Amazon did not answer properly; nothing is known


def looks_like_seller_id(text: str) -> bool:
    """`A` + uppercase letters and digits, as every selling partner id is."""
    return bool(_SELLER_SHAPE.match(text))


async def check_seller(
    client: SpApiClient, refresh_token: str, region: str, seller_id: str, marketplace_id: str
) -> SellerCheck:
    """Ask Amazon whether `refresh_token` belongs to `seller_id` (one paced call)."""
    if not looks_like_seller_id(seller_id):
        return SellerCheck.REFUSED
    try:
        reply = await client._call(
            OPERATION,
            refresh_token,
            region,
            "GET",
            f"/listings/2021-08-01/items/{seller_id}",
            params={"marketplaceIds": marketplace_id, "pageSize": "1"},
        )
    except AmazonError as err:  # a failed check must not undo the connect
        log.warning("seller check could not reach Amazon: %s", type(err).__name__)
        return SellerCheck.UNAVAILABLE
    if reply.status == 200:
        return SellerCheck.VERIFIED
    if reply.status in (401, 403):
        return SellerCheck.REFUSED
    log.warning("seller check: Amazon answered HTTP %s", reply.status)
    return SellerCheck.UNAVAILABLE
