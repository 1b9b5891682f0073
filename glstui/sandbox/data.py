"""Deterministic simulated Amazon orders: Dutch, Belgian, German and French buyers with the
addresses that break naive parsers, multi-item and multi-quantity orders, Prime and business
orders, orders that arrive, wait for payment, get cancelled or shipped as time passes, and a
share that another tool already shipped in part (PARTIALLY_SHIPPED, with Amazon's package
"1" listed and per-item quantityFulfilled: the rest still needs a label).

Everything is drawn from one seeded random generator per seller, so a seed always gives the
same shop. Shapes follow orders_2026-01-01.json (Order, CustomerAddress, OrderPackage).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from glstui.amazon.regions import MARKETPLACES
from glstui.domain.clock import to_iso

PII_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")

# sku, title, unit price (EUR)
PRODUCTS: list[tuple[str, str, str]] = [
    ("MUG-GEZELLIG-350", "Koffiemok 'Gezellig' 350 ml", "12.95"),
    ("TEA-ASSAM-250", "Assam thee losse blad 250 g", "8.50"),
    ("USBC-KABEL-2M", "USB-C kabel 2 m, gevlochten", "9.99"),
    ("BOEK-KOOK-NL", "Het Nederlandse kookboek", "24.99"),
    ("SOK-WOL-4243", "Wollen sokken maat 42-43 (3 paar)", "17.50"),
    ("LED-E27-806", "LED-lamp E27 806 lm, 2 stuks", "11.95"),
    ("PUZZEL-1000-GRACHT", "Puzzel 1000 stukjes – Amsterdamse grachten", "19.99"),
    ("FIETSLAMP-SET", "Fietslampjes set, USB oplaadbaar", "14.95"),
    ("BORENSET-HSS-19", "Borenset HSS 19-delig", "22.49"),
    ("BLOEMPOT-17", "Bloempot keramiek Ø 17 cm", "15.00"),
    ("KABELBINDER-200", "Kabelbinders 200 stuks", "5.49"),
    ("KOPTELEFOON-BT", "Over-ear koptelefoon Bluetooth", "59.00"),
    ("STROOPWAFEL-XL", "Stroopwafels in blik, 24 stuks", "13.75"),
    ("THERMOS-500", "Thermosfles RVS 500 ml", "18.95"),
]

NAMES = {
    "NL": (
        ["Jan", "Sanne", "Pieter", "Fleur", "Daan", "Lotte", "Bram", "Emma", "Sem", "Noor"],
        [
            "de Vries",
            "Jansen",
            "van den Berg",
            "Bakker",
            "Visser",
            "Smit",
            "'t Hart",
            "van der Linden",
            "Meijer",
            "de Boer",
            "Mulder",
            "van Dijk",
        ],
    ),
    "BE": (
        ["Lucas", "Louise", "Arthur", "Elise", "Wout", "Fien", "Mathis", "Léna"],
        ["Peeters", "Janssens", "Maes", "Jacobs", "Willems", "Claes", "Dubois", "Van Damme"],
    ),
    "DE": (
        ["Lukas", "Anna", "Jonas", "Lea", "Felix", "Mia", "Jürgen", "Sophie"],
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"],
    ),
    "FR": (
        ["Louis", "Camille", "Hugo", "Chloé", "Jules", "Léa", "Théo", "Manon"],
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"],
    ),
}

# address line 1 candidates; NL ones from the address-splitting table (gls-and-peers.md §4)
STREETS = {
    "NL": [
        "Moussaouistraat 22b",
        "Moussaouistraat 22 B",
        "Moussaouistraat 22-2",
        "Kerkstraat 3HS",
        "Professor Pieter Willemsstraat 23 B 03",
        "1e Kruisweg 36",
        "2e Dwarsstraat 5",
        "Laan 1940-1945 3",
        "Plein 1944 12",
        "Provincialeweg N205 1",
        "Nieuwe gracht 20zw/3",
        "Straat 12 II",
        "Voltastraat 2 A",
        "Philippusweg 3-5",
        "Dorpsstraat 14",
        "Hoofdweg 101",
        "Stationsplein 7",
        "Oudegracht 231",
        "Van Woustraat 140-1",
        "Burgemeester de Withstraat 8",
    ],
    "BE": [
        "Kerkstraat 12 bus 3",
        "Grote Markt 1 bus 101",
        "Rue de la Loi 16 bte 2",
        "Avenue Louise 231 boîte 4",
        "Meir 85/2",
        "Veldstraat 45A",
        "Lange Nieuwstraat 9",
    ],
    "DE": [
        "Hauptstraße 5a",
        "Berliner Str. 12-14",
        "Am Markt 3",
        "Schillerstraße 120 b",
        "Karl-Marx-Allee 70",
        "Friedrichstraße 43-45",
        "Königsallee 92",
    ],
    "FR": [
        "12 rue de Rivoli",
        "3 bis avenue Victor Hugo",
        "45 boulevard Haussmann",
        "8 place Bellecour",
        "27 rue du Faubourg Saint-Antoine",
        "5 ter rue des Lilas",
    ],
}

EXTRA_LINES = {
    "NL": ["2e etage", "achterom", "t.a.v. inkoop", "Appartement 4"],
    "BE": ["2de verdieping", "Appartement 3"],
    "DE": ["Hinterhaus", "3. OG links", "c/o Becker"],
    "FR": ["Bâtiment B", "Escalier 2, 3e étage"],
}

# The fields Amazon withholds from an app without the Restricted role (v2026 deliveryAddress).
RESTRICTED_FIELDS = (
    "name",
    "companyName",
    "addressLine1",
    "addressLine2",
    "addressLine3",
    "postalCode",
    "phone",
)

SPECIAL_KINDS = ("AMAZON_EASY_SHIP", "FBM_SHIP_PLUS", "locker", "parcelshop")
# Pickup points as Amazon lists them: (name, addressLine1, addressLine2).
AMAZON_LOCKERS = {
    "NL": [("Amazon Locker - Tulp", "Stationsplein 12", "")],
    "DE": [("Amazon Locker - Emil", "Bahnhofstr. 4", "")],
    "BE": [("Amazon Locker - Brel", "Rue Neuve 30", "")],
}
GLS_PARCELSHOPS = {
    "NL": [("GLS ParcelShop Primera", "Kerkstraat 8", "GLS ParcelShop 2500012345")],
    "DE": [("GLS PaketShop Kiosk Mitte", "Hauptstr. 17", "GLS ParcelShop 2760034567")],
    "BE": [("GLS ParcelShop Librairie", "Rue Haute 5", "GLS ParcelShop 0560045678")],
}

CITIES = {
    "NL": [
        ("1012 AB", "Amsterdam"),
        ("3511 LX", "Utrecht"),
        ("2511 BT", "Den Haag"),
        ("3011AD", "Rotterdam"),
        ("5611 EM", "Eindhoven"),
        ("9711 lm", "Groningen"),
        ("6511 KL", "Nijmegen"),
        ("2312 BK", "Leiden"),
        ("7511JE", "Enschede"),
        ("8011 CW", "Zwolle"),
    ],
    "BE": [
        ("2000", "Antwerpen"),
        ("1000", "Bruxelles"),
        ("9000", "Gent"),
        ("3000", "Leuven"),
        ("8000", "Brugge"),
    ],
    "DE": [
        ("10115", "Berlin"),
        ("50667", "Köln"),
        ("80331", "München"),
        ("20095", "Hamburg"),
        ("40213", "Düsseldorf"),
    ],
    "FR": [
        ("75001", "Paris"),
        ("69002", "Lyon"),
        ("13001", "Marseille"),
        ("59000", "Lille"),
        ("67000", "Strasbourg"),
    ],
}

COMPANIES = [
    "Bakkerij de Zon B.V.",
    "Installatiebedrijf Smit",
    "Müller & Söhne GmbH",
    "Atelier Dubois SARL",
    "Brouwerij 't Koelschip BV",
    "Peeters Bouw NV",
]

PHONES = {
    "NL": ["+31 6 12345678", "06-23456789", "+31201234567"],
    "BE": ["+32 470 12 34 56", "0485 11 22 33"],
    "DE": ["+49 151 23456789", "0171 2345678"],
    "FR": ["+33 6 12 34 56 78", "06 98 76 54 32"],
}

# (buyer country, share, [(marketplace code, share)])
COUNTRY_MIX = [
    ("NL", 0.55, [("NL", 1.0)]),
    ("BE", 0.20, [("BE", 0.6), ("NL", 0.4)]),
    ("DE", 0.15, [("DE", 0.85), ("NL", 0.15)]),
    ("FR", 0.10, [("FR", 1.0)]),
]


@dataclass
class SimItem:
    order_item_id: str
    asin: str
    sku: str
    title: str
    quantity: int
    unit_price: str


@dataclass
class SimOrder:
    order_id: str
    seller_id: str
    marketplace_id: str
    created: datetime
    last_updated: datetime
    status: str
    fulfilled_by: str = "MERCHANT"
    service_level: str = "STANDARD"
    programs: list[str] = field(default_factory=list)
    buyer: dict[str, str] = field(default_factory=dict)
    address: dict[str, str] = field(default_factory=dict)
    items: list[SimItem] = field(default_factory=list)
    packages: list[dict[str, Any]] = field(default_factory=list)
    associated: list[dict[str, str]] = field(default_factory=list)  # associatedOrders
    ship_by: tuple[datetime, datetime] | None = None
    deliver_by: tuple[datetime, datetime] | None = None
    currency: str = "EUR"
    shipping_price: str = "0.00"

    @property
    def country_code(self) -> str:
        return self.address.get("countryCode", "")

    def shipped_quantity(self, order_item_id: str, except_ref: str | None = None) -> int:
        return sum(
            pi["quantity"]
            for p in self.packages
            if p["packageReferenceId"] != except_ref
            for pi in p.get("packageItems", [])
            if pi["orderItemId"] == order_item_id
        )

    def recompute_status(self) -> None:
        if self.status in ("CANCELLED", "PENDING") or not self.packages:
            return
        done = all(self.shipped_quantity(i.order_item_id) >= i.quantity for i in self.items)
        self.status = "SHIPPED" if done else "PARTIALLY_SHIPPED"

    def to_api(
        self, included: set[str] | frozenset[str] = frozenset(), *, pii_role: bool = True
    ) -> dict[str, Any]:
        """This order as an Orders v2026-01-01 `Order`, with the requested datasets.

        Without the Direct-to-Consumer Delivery (Restricted) role (`pii_role` False) Amazon
        leaves out the name, address lines, postcode and phone (and the buyer's name)."""
        mp = next((m for m in MARKETPLACES.values() if m.id == self.marketplace_id), None)
        order: dict[str, Any] = {
            "orderId": self.order_id,
            "createdTime": to_iso(self.created),
            "lastUpdatedTime": to_iso(self.last_updated),
            "salesChannel": {
                "channelName": "AMAZON",
                "marketplaceId": self.marketplace_id,
                "marketplaceName": mp.domain if mp else "",
            },
        }
        if self.programs:
            order["programs"] = list(self.programs)
        if self.associated:
            order["associatedOrders"] = [dict(a) for a in self.associated]
        pii = self.status in PII_STATUSES and self.fulfilled_by == "MERCHANT"
        if "BUYER" in included:
            buyer = {k: v for k, v in self.buyer.items() if pii or k == "buyerCompanyName"}
            if not pii_role:
                buyer.pop("buyerName", None)
            order["buyer"] = buyer
        if "RECIPIENT" in included and self.address:
            if pii:
                address = dict(self.address)
            else:  # Amazon hides the rest until the order can ship
                keep = ("city", "postalCode", "countryCode", "stateOrRegion")
                address = {k: v for k, v in self.address.items() if k in keep}
            if not pii_role:
                address = {k: v for k, v in address.items() if k not in RESTRICTED_FIELDS}
            order["recipient"] = {"deliveryAddress": address}
        if "PROCEEDS" in included and self.status != "PENDING":
            total = sum(Decimal(i.unit_price) * i.quantity for i in self.items)
            total += Decimal(self.shipping_price)
            order["proceeds"] = {
                "grandTotal": {"amount": f"{total:.2f}", "currencyCode": self.currency}
            }
        if "FULFILLMENT" in included:
            ful: dict[str, Any] = {
                "fulfillmentStatus": self.status,
                "fulfilledBy": self.fulfilled_by,
                "fulfillmentServiceLevel": self.service_level,
            }
            if self.ship_by:
                ful["shipByWindow"] = {
                    "earliestDateTime": to_iso(self.ship_by[0]),
                    "latestDateTime": to_iso(self.ship_by[1]),
                }
            if self.deliver_by:
                ful["deliverByWindow"] = {
                    "earliestDateTime": to_iso(self.deliver_by[0]),
                    "latestDateTime": to_iso(self.deliver_by[1]),
                }
            order["fulfillment"] = ful
        items = []
        for it in self.items:
            item: dict[str, Any] = {
                "orderItemId": it.order_item_id,
                "quantityOrdered": it.quantity,
                "product": {
                    "asin": it.asin,
                    "title": it.title,
                    "sellerSku": it.sku,
                    "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                    "price": {
                        "unitPrice": {"amount": it.unit_price, "currencyCode": self.currency}
                    },
                },
            }
            if "FULFILLMENT" in included:
                shipped = self.shipped_quantity(it.order_item_id)
                if self.status == "SHIPPED" and not self.packages:
                    shipped = it.quantity  # fulfilled by Amazon, no seller packages
                unfulfilled = 0 if self.status == "CANCELLED" else it.quantity - shipped
                item["fulfillment"] = {
                    "quantityFulfilled": shipped,
                    "quantityUnfulfilled": max(unfulfilled, 0),
                }
            items.append(item)
        order["orderItems"] = items
        if "PACKAGES" in included and self.packages:
            order["packages"] = [dict(p) for p in self.packages]
        return order


def _first_units(items: list[SimItem]) -> list[tuple[SimItem, int]]:
    """What a partial first package holds: the first item, one unit of it left when it has
    more (so some orders are partly shipped within one item, as Amazon allows)."""
    first = items[0]
    return [(first, first.quantity - 1 if first.quantity > 1 else first.quantity)]


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    x = rng.random() * sum(w for _, w in weighted)
    for value, w in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][0]


@cache
def _asin(sku: str) -> str:
    rng = random.Random(sku)
    return "B0" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))


def _whole(t: datetime) -> datetime:
    return t.replace(microsecond=0)


def _ship_by(created: datetime, days: int) -> tuple[datetime, datetime]:
    day = (created + timedelta(days=days)).date()
    latest = datetime(day.year, day.month, day.day, 22, 59, 59, tzinfo=UTC)
    return created, latest


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)  # arrive | pay | cancel
    order_id: str = field(compare=False, default="")


class OrderBook:
    """One seller's orders, advancing with the simulated clock."""

    def __init__(
        self,
        seller_id: str,
        seed: int | str,
        count: int,
        start: datetime,
        *,
        history_days: float = 7.0,
        arrivals_per_hour: float = 6.0,
        cancel_share: float = 0.04,
        partial_share: float = 0.0,
        kinds_share: float = 0.0,
    ) -> None:
        self.seller_id = seller_id
        self.seed = seed
        self.partial_share = partial_share
        self.kinds_share = kinds_share
        self.rng = random.Random(f"glstui-sandbox:{seed}:{seller_id}")
        self.orders: dict[str, SimOrder] = {}
        self.arrivals_per_hour = arrivals_per_hour
        self.cancel_share = cancel_share
        self._events: list[_Event] = []
        self._seq = 0
        self._now = _whole(start)
        self._tracking = 10_000_000
        span = history_days * 86400
        times = sorted(
            _whole(start - timedelta(seconds=self.rng.uniform(60, span))) for _ in range(count)
        )
        for t in times:
            self._create(t, history=True, now=self._now)
        if arrivals_per_hour > 0:
            self._schedule_arrival(self._now)
        self.advance(self._now)

    # --- generation ---------------------------------------------------------------------

    def _push(self, at: datetime, kind: str, order_id: str = "") -> None:
        self._seq += 1
        heapq.heappush(self._events, _Event(_whole(at), self._seq, kind, order_id))

    def _schedule_arrival(self, after: datetime) -> None:
        gap = 3600.0 / self.arrivals_per_hour * self.rng.uniform(0.5, 1.5)
        self._push(after + timedelta(seconds=max(gap, 1.0)), "arrive")

    def _new_id(self) -> str:
        while True:
            oid = (
                f"{self.rng.choice(['402', '403', '404', '405', '406', '407', '408'])}-"
                f"{self.rng.randrange(10**7):07d}-{self.rng.randrange(10**7):07d}"
            )
            if oid not in self.orders:
                return oid

    def _create(
        self,
        created: datetime,
        *,
        history: bool = False,
        now: datetime | None = None,
        status: str | None = None,
        country: str | None = None,
        partial: bool = False,
    ) -> SimOrder:
        rng = self.rng
        now = now or created
        if country is None:
            country = _pick(rng, [(c, share) for c, share, _ in COUNTRY_MIX])
        mp_choices = next(m for c, _, m in COUNTRY_MIX if c == country)
        marketplace = MARKETPLACES[_pick(rng, mp_choices)]
        first, last = (rng.choice(x) for x in NAMES[country])
        business = rng.random() < 0.10
        prime = rng.random() < 0.30
        programs = (["PRIME"] if prime else []) + (["AMAZON_BUSINESS"] if business else [])
        postal, city = rng.choice(CITIES[country])
        address: dict[str, str] = {"name": f"{first} {last}"}
        if business:
            address["companyName"] = rng.choice(COMPANIES)
        address["addressLine1"] = rng.choice(STREETS[country])
        if rng.random() < 0.12:
            address["addressLine2"] = rng.choice(EXTRA_LINES[country])
        address.update(city=city, postalCode=postal, countryCode=country)
        if rng.random() < 0.85:
            address["phone"] = rng.choice(PHONES[country])
        address["addressType"] = "COMMERCIAL" if business else "RESIDENTIAL"
        relay = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
        buyer = {
            "buyerName": f"{first} {last}",
            "buyerEmail": f"{relay}@marketplace.{marketplace.domain.lower()}",
        }
        if business:
            buyer["buyerCompanyName"] = address["companyName"]
            if rng.random() < 0.5:
                buyer["buyerPurchaseOrderNumber"] = f"PO-{rng.randrange(10000, 99999)}"
        n_items = _pick(rng, [(1, 0.65), (2, 0.25), (3, 0.10)])
        items = []
        for sku, title, price in rng.sample(PRODUCTS, n_items):
            qty = _pick(rng, [(1, 0.8), (2, 0.15), (3, 0.05)])
            items.append(
                SimItem(f"{rng.randrange(10**13, 10**14)}", _asin(sku), sku, title, qty, price)
            )
        if partial and len(items) == 1 and items[0].quantity == 1:
            items[0].quantity = 2  # something must be left to ship after the first package
        if prime:
            level = rng.choice(["NEXT_DAY", "EXPEDITED"])
        else:
            level = "EXPEDITED" if rng.random() < 0.1 else "STANDARD"
        ship_by = _ship_by(created, 1 if prime else 2)
        order = SimOrder(
            order_id=self._new_id(),
            seller_id=self.seller_id,
            marketplace_id=marketplace.id,
            created=created,
            last_updated=created,
            status="UNSHIPPED",
            service_level=level,
            programs=programs,
            buyer=buyer,
            address=address,
            items=items,
            ship_by=ship_by,
            shipping_price="0.00" if prime else rng.choice(["0.00", "3.95", "4.95"]),
        )
        order.deliver_by = (ship_by[1], ship_by[1] + timedelta(days=2))
        self.orders[order.order_id] = order
        age = (now - created).total_seconds()
        roll = rng.random()
        if partial:
            self._ship(order, created, carrier="GLS", units=_first_units(items))
        elif status is not None:
            order.status = status
        elif history and roll < 0.05:
            order.fulfilled_by = "AMAZON"
            order.status = "SHIPPED"
        elif history and age > 2 * 86400 and roll < 0.80:
            self._ship(order, created + timedelta(hours=rng.uniform(2, 30)), carrier="GLS")
        elif history and len(items) > 1 and roll < 0.13:
            self._ship(
                order,
                created + timedelta(hours=rng.uniform(1, 20)),
                carrier="GLS",
                units=_first_units(items),
            )
        elif roll < 0.18:
            order.status = "PENDING"
            self._push(created + timedelta(minutes=rng.uniform(10, 45)), "pay", order.order_id)
        if order.status in ("UNSHIPPED", "PENDING") and rng.random() < self.cancel_share / 0.8:
            self._push(created + timedelta(hours=rng.uniform(0.5, 8)), "cancel", order.order_id)
        if history and self._partly_shipped_by_others(order):
            self._ship(
                order, created + timedelta(hours=1), carrier="GLS", units=_first_units(items)
            )
        elif not partial:
            self._make_special(order)
            self._make_replacement(order)
        return order

    def _make_replacement(self, order: SimOrder) -> None:
        """With `kinds_share`, a quarter as many waiting orders are replacements of an earlier
        order of the shop (Amazon's associatedOrders, REPLACEMENT_ORIGINAL_ID): an order like
        any other, sent again for free. Own generator: the rest of the shop stays as it was."""
        if self.kinds_share <= 0 or order.status != "UNSHIPPED":
            return
        if set(order.programs) - {"PRIME", "AMAZON_BUSINESS"}:
            return  # Easy Ship, Ship+: another case of their own
        if order.address.get("addressType") == "PICKUP_POINT":
            return
        side = random.Random(f"glstui-sandbox:replacement:{self.seed}:{order.order_id}")
        earlier = [o for o in self.orders if o != order.order_id]
        if not earlier or side.random() >= self.kinds_share / 4:
            return
        original = side.choice(sorted(earlier))
        order.associated = [{"orderId": original, "associationType": "REPLACEMENT_ORIGINAL_ID"}]

    def _make_special(self, order: SimOrder) -> None:
        """`kinds_share` of the waiting orders are of a kind GLS must not ship as usual: Easy
        Ship, Ship+, an Amazon Locker, or a GLS ParcelShop pickup point (issue 16). Drawn from
        a generator of their own, so the rest of the shop stays as it was."""
        if self.kinds_share <= 0 or order.status not in ("UNSHIPPED", "PENDING"):
            return
        side = random.Random(f"glstui-sandbox:kind:{self.seed}:{order.order_id}")
        if side.random() >= self.kinds_share:
            return
        kind = side.choice(SPECIAL_KINDS)
        if kind in ("AMAZON_EASY_SHIP", "FBM_SHIP_PLUS"):
            order.programs = [*order.programs, kind]
            return
        country = order.country_code
        postal, city = order.address["postalCode"], order.address["city"]
        points = AMAZON_LOCKERS if kind == "locker" else GLS_PARCELSHOPS
        name, line1, line2 = side.choice(points.get(country) or points["NL"])
        order.address = {
            "name": name,
            "addressLine1": line1,
            **({"addressLine2": line2} if line2 else {}),
            "city": city,
            "postalCode": postal,
            "countryCode": country,
            **({"phone": order.address["phone"]} if "phone" in order.address else {}),
            "addressType": "PICKUP_POINT",
        }

    def _partly_shipped_by_others(self, order: SimOrder) -> bool:
        """`partial_share` of the waiting multi-unit orders were shipped in part by another
        tool. Drawn from a generator of their own, so the rest of the shop stays as it was."""
        if self.partial_share <= 0 or order.status != "UNSHIPPED":
            return False
        if sum(i.quantity for i in order.items) < 2:
            return False
        side = random.Random(f"glstui-sandbox:partial:{self.seed}:{order.order_id}")
        return side.random() < self.partial_share

    def _ship(
        self,
        order: SimOrder,
        when: datetime,
        *,
        carrier: str,
        units: list[tuple[SimItem, int]] | None = None,
    ) -> None:
        """Amazon gets a package (by another tool or by hand): `units` (default everything)."""
        when = _whole(min(when, self._now))
        self._tracking += 1
        ref = str(len(order.packages) + 1)
        order.packages.append(
            {
                "packageReferenceId": ref,
                "createdTime": to_iso(when),
                "packageStatus": {"status": "SHIPPED"},
                "carrier": carrier,
                "shipTime": to_iso(when),
                "trackingNumber": f"{self._tracking:011d}",
                "packageItems": [
                    {"orderItemId": i.order_item_id, "quantity": qty}
                    for i, qty in (units or [(i, i.quantity) for i in order.items])
                ],
            }
        )
        order.status = "UNSHIPPED"
        order.recompute_status()
        order.last_updated = max(order.last_updated, when)

    # --- time ---------------------------------------------------------------------------

    def advance(self, now: datetime) -> None:
        """Apply every arrival, payment and cancellation due by `now`."""
        now = _whole(now)
        self._now = max(self._now, now)
        while self._events and self._events[0].at <= now:
            ev = heapq.heappop(self._events)
            if ev.kind == "arrive":
                self._create(ev.at)
                self._schedule_arrival(ev.at)
                continue
            order = self.orders.get(ev.order_id)
            if order is None:
                continue
            if ev.kind == "pay" and order.status == "PENDING":
                order.status = "UNSHIPPED"
                order.last_updated = max(order.last_updated, ev.at)
            elif (
                ev.kind == "cancel"
                and order.status in ("UNSHIPPED", "PENDING")
                and not order.packages
            ):
                order.status = "CANCELLED"
                order.last_updated = max(order.last_updated, ev.at)

    def add_orders(self, n: int, now: datetime, **kw: Any) -> list[SimOrder]:
        self.advance(now)
        return [self._create(_whole(now), now=_whole(now), **kw) for _ in range(n)]
