"""Orders a GLS label cannot ship, from Amazon's own data (Orders v2026 `programs`, addressType).

Decisions (issue 16), as a warehouse operator would expect them:
- Easy Ship (`AMAZON_EASY_SHIP`): Amazon's carrier collects the parcel with Amazon's label;
  a GLS label would be a second, wrong one. Ship+ (`FBM_SHIP_PLUS`): Amazon refuses tracking
  from another carrier (confirmShipment answers 400). In-store pickup (`IN_STORE_PICK_UP`):
  the buyer collects it, nothing is sent. All three are imported (visible, counted) and held
  as "not for GLS" with the reason: never labelled, never confirmed.
- A pickup point (`addressType PICKUP_POINT`) is deliverable by GLS only when it is a GLS
  ParcelShop whose id is in the address ("GLS ParcelShop ... 2500012345"): the label then
  goes out with GLS's ParcelShop delivery to that id. Any other pickup point (an Amazon
  Locker, Counter or Hub, another carrier's point) does not take GLS parcels: held, saying
  to ship it through Amazon.
- Missing PII role: orders that can ship but come without name and address lines, all of a
  page, mean the app lacks Amazon's Direct-to-Consumer Delivery (Restricted) role
  (`page_lacks_pii`); the importer then stops for that shop rather than hold each order with a
  misleading street-split message.

Pure: no I/O; the importer words the reasons (glstui.services.importer.not_for_gls_text).
"""

from __future__ import annotations

import re

from glstui.domain.order import Order, Recipient

EASY_SHIP = "AMAZON_EASY_SHIP"
SHIP_PLUS = "FBM_SHIP_PLUS"
IN_STORE_PICK_UP = "IN_STORE_PICK_UP"
PICKUP_POINT = "PICKUP_POINT"

_PROGRAM_KINDS = (
    (EASY_SHIP, "easy_ship"),
    (SHIP_PLUS, "ship_plus"),
    (IN_STORE_PICK_UP, "in_store_pick_up"),
)
# "GLS ParcelShop <name> 2500012345" / "GLS PaketShop": a GLS shop id is a number of 6-12
# digits named together with GLS and ParcelShop/PaketShop in the address.
_GLS_SHOP = re.compile(r"\bGLS\b.*\b(?:Parcel|Paket)\s?Shop\b", re.IGNORECASE)
_SHOP_ID = re.compile(r"(?<!\d)(\d{6,12})(?!\d)")


def not_for_gls(order: Order) -> str:
    """Why GLS must not ship this order ("easy_ship", ...); "" when it may."""
    programs = {p.upper() for p in order.programs}
    for program, kind in _PROGRAM_KINDS:
        if program in programs:
            return kind
    recipient = order.recipient
    if recipient is not None and is_pickup_point(recipient) and not gls_parcelshop_id(recipient):
        return "pickup_point"
    return ""


def is_pickup_point(recipient: Recipient) -> bool:
    return recipient.address_type.upper() == PICKUP_POINT


def gls_parcelshop_id(recipient: Recipient) -> str:
    """The GLS ParcelShop id of a pickup-point address ("" when it is no GLS ParcelShop)."""
    if not is_pickup_point(recipient):
        return ""
    text = " ".join([recipient.name, recipient.company, *recipient.address_lines])
    if not _GLS_SHOP.search(text):
        return ""
    ids = _SHOP_ID.findall(text)
    return ids[0] if len(ids) == 1 else ""  # two numbers: cannot tell which is the shop


def lacks_pii(order: Order) -> bool:
    """Amazon sent the order's address without name and street lines (not the Restricted role)."""
    r = order.recipient
    return r is None or (not r.address_lines and not r.name)


def page_lacks_pii(orders: list[Order], shippable: tuple[str, ...]) -> bool:
    """Every order of a page that could ship came without name and address lines.

    Amazon hides the address of orders that cannot ship yet (PENDING), never of an unshipped
    one: a page whose waiting orders all lack it is Amazon withholding buyer data from the app.
    A page with some addresses is not (an odd order is held by the address check)."""
    waiting = [o for o in orders if o.amazon_status in shippable]
    return bool(waiting) and all(lacks_pii(o) for o in waiting)
