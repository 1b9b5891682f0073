"""Settings kept with the data: sender address, label format, printer, import window."""

from __future__ import annotations

from dataclasses import dataclass, field

LABEL_FORMATS = ("pdf", "pdfA6U", "zpl")


@dataclass
class SenderAddress:
    name: str = ""
    street: str = ""
    house_no: str = ""
    house_no_ext: str = ""
    zip_code: str = ""
    city: str = ""
    country_code: str = "NL"
    phone: str = ""
    email: str = ""


@dataclass
class Settings:
    sender: SenderAddress = field(default_factory=SenderAddress)
    label_format: str = "pdf"
    printer: str = ""
    first_import_days: int = 7
    language: str = ""  # "" = from LANG
    default_weight_kg: float = 1.0
    gls_environment: str = "test"  # test | live
    # Send the buyer's e-mail (Amazon's relay address) to GLS, so GLS sends its delivery
    # notifications to the buyer. Off by default: the address then stays with glstui.
    gls_buyer_notifications: bool = False
    # Shops (ids) allowed to confirm tracking numbers of GLS *test* labels to a live Amazon
    # account (a test run on a real shop); every other shop's test tracking is held back.
    test_tracking_to_live: list[str] = field(default_factory=list)
    pii_retention_days: int = 30
    # SKU -> kg per item, for shipping rules and label weights (glstui/domain/sku_weights.py);
    # one table for the whole warehouse, edited in the SKU weights screen.
    sku_weights: dict[str, float] = field(default_factory=dict)
    # Shops deleted with their orders kept: shop id -> "<seller id>|<region>|<shop name>", so
    # the seller connected again is known to be the same Amazon account (one label per order).
    retired_shops: dict[str, str] = field(default_factory=dict)

    def retire_shop(self, shop_id: str, seller: str, region: str, name: str) -> None:
        self.retired_shops[shop_id] = "|".join((seller, region, name))

    def retired_shop(self, shop_id: str) -> tuple[str, str, str]:
        """(seller id, region, shop name) of a shop deleted with its orders kept."""
        seller, region, name = [*self.retired_shops[shop_id].split("|", 2), "", ""][:3]
        return seller, region, name
