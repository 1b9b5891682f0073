"""Realistic sample rows for tests, benchmarks and demos: ~1 KB orders, shipments, outbox.

Deterministic for a given number, so a test can rebuild what it expects.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from glstui.domain.order import NEW, SHIPPED, Order, OrderItem, Recipient
from glstui.domain.shipment import SENT, OutboxEntry, Shipment

_TITLES = (
    "Stainless steel water bottle 750 ml, leak-proof, keeps drinks cold 24 h",
    "USB-C charging cable 2 m braided nylon, fast charge 60 W",
    "Organic cotton bath towel set, 4 pieces, anthracite",
    "LED desk lamp with wireless charger and dimmer, white",
)
_CITIES = (("Utrecht", "3511AB"), ("Amsterdam", "1012JS"), ("Rotterdam", "3011AD"))


def order_id(n: int) -> str:
    return f"{400 + n % 500:03d}-{1000000 + n:07d}-{2000000 + n * 7 % 1000000:07d}"


def make_order(
    n: int,
    integration_id: str = "shop1",
    created_at: datetime | None = None,
    shipped_at: datetime | None = None,
) -> Order:
    created = created_at or datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n)
    city, postcode = _CITIES[n % len(_CITIES)]
    items = [
        OrderItem(
            order_item_id=f"{n:08d}{i:06d}",
            sku=f"SKU-{(n + i) % 997:04d}",
            title=_TITLES[(n + i) % len(_TITLES)],
            quantity=1 + (n + i) % 3,
            asin=f"B0{n % 100000:08d}",
        )
        for i in range(1 + n % 2)
    ]
    return Order(
        integration_id=integration_id,
        order_id=order_id(n),
        marketplace_id="A1805IZSGTT6HS",
        amazon_status="SHIPPED" if shipped_at else "UNSHIPPED",
        created_at=created,
        last_updated_at=created + timedelta(hours=1),
        ship_by=created + timedelta(days=2),
        items=items,
        recipient=Recipient(
            name=f"Buyer Name {n}",
            address_lines=[f"Oudegracht {1 + n % 300}", "2e verdieping"],
            city=city,
            postal_code=postcode,
            country_code="NL",
            phone=f"+3161{n % 10000000:07d}",
            address_type="Residential",
        ),
        country_code="NL",
        service_level="Standard",
        order_total=f"{10 + n % 90}.95",
        currency="EUR",
        state=SHIPPED if shipped_at else NEW,
        decision={"product": "BusinessParcel", "services": [], "weight_kg": 1.0},
        imported_at=created + timedelta(hours=2),
        shipped_at=shipped_at,
    )


def make_shipment(order: Order, n: int) -> Shipment:
    parcel = f"{50000000000 + n}"
    return Shipment(
        id=f"shp{n:08d}",
        order_key=order.key,
        integration_id=order.integration_id,
        order_id=order.order_id,
        parcel_numbers=[parcel],
        tracking_links=[f"https://gls-group.com/NL/nl/volg-je-pakket?match={parcel}"],
        label_path=f"labels/{order.order_id}.pdf",
        created_at=order.shipped_at,
        package_reference_ids=["1"],
    )


def make_outbox(shipment: Shipment, state: str = SENT) -> OutboxEntry:
    ref = shipment.package_reference_ids[0] if shipment.package_reference_ids else "1"
    return OutboxEntry(
        id=f"{shipment.id}:{ref}",
        shipment_id=shipment.id,
        order_key=shipment.order_key,
        integration_id=shipment.integration_id,
        order_id=shipment.order_id,
        package_reference_id=ref,
        payload={"packageDetail": {"carrierCode": "GLS", "trackingNumber": ref}},
        state=state,
        created_at=shipment.created_at,
    )
