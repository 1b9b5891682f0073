"""SP-API regions and the marketplaces glstui knows, with Amazon's official ids.

Marketplace ids are copied from developer-docs.amazon.com/sp-api/docs/marketplace-ids
(some public repositories carry wrong ones, e.g. Brazil's id for Belgium).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str  # EU, NA, FE
    api_host: str  # production SP-API host
    name: str


@dataclass(frozen=True)
class Marketplace:
    code: str  # NL, DE, ... (UK, not GB, as Amazon names it)
    id: str  # official marketplace id
    region: str
    country_code: str  # ISO 3166-1 alpha-2
    seller_central_host: str
    domain: str  # Amazon.nl ...


REGIONS: dict[str, Region] = {
    "EU": Region("EU", "https://sellingpartnerapi-eu.amazon.com", "Europe"),
    "NA": Region("NA", "https://sellingpartnerapi-na.amazon.com", "North America"),
    "FE": Region("FE", "https://sellingpartnerapi-fe.amazon.com", "Far East"),
}

_EU_SC = "sellercentral-europe.amazon.com"


def _m(code: str, mid: str, region: str, country: str, domain: str, sc: str = "") -> Marketplace:
    return Marketplace(code, mid, region, country, sc or "sellercentral." + domain.lower(), domain)


MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in (
        _m("NL", "A1805IZSGTT6HS", "EU", "NL", "Amazon.nl"),
        _m("DE", "A1PA6795UKMFR9", "EU", "DE", "Amazon.de", _EU_SC),
        _m("FR", "A13V1IB3VIYZZH", "EU", "FR", "Amazon.fr", _EU_SC),
        _m("IT", "APJ6JRA9NG5V4", "EU", "IT", "Amazon.it", _EU_SC),
        _m("ES", "A1RKKUPIHCS9HS", "EU", "ES", "Amazon.es", _EU_SC),
        _m("UK", "A1F83G8C2ARO7P", "EU", "GB", "Amazon.co.uk", _EU_SC),
        # Belgium's Seller Central host appears in third-party lists only.
        _m("BE", "AMEN7PMS3EDWL", "EU", "BE", "Amazon.com.be"),
        _m("PL", "A1C3SOZRARQ6R3", "EU", "PL", "Amazon.pl"),
        _m("SE", "A2NODRKZP88ZB9", "EU", "SE", "Amazon.se"),
        _m("TR", "A33AVAJ2PDY3EV", "EU", "TR", "Amazon.com.tr"),
        # Ireland is not in Amazon's 2021 Seller Central table: use the pan-European host.
        _m("IE", "A28R8C7NBKEWEA", "EU", "IE", "Amazon.ie", _EU_SC),
        _m("US", "ATVPDKIKX0DER", "NA", "US", "Amazon.com"),
        _m("CA", "A2EUQ1WTGCTBG2", "NA", "CA", "Amazon.ca"),
        _m("MX", "A1AM78C64UM0Y8", "NA", "MX", "Amazon.com.mx"),
        _m("JP", "A1VC38T7YXB528", "FE", "JP", "Amazon.co.jp"),
    )
}

MARKETPLACES_BY_ID: dict[str, Marketplace] = {m.id: m for m in MARKETPLACES.values()}


def marketplace(code_or_id: str) -> Marketplace:
    """Look a marketplace up by its code (NL) or its id (A1805IZSGTT6HS)."""
    key = code_or_id.strip()
    found = MARKETPLACES.get(key.upper()) or MARKETPLACES_BY_ID.get(key)
    if found is None:
        raise KeyError(f"Unknown Amazon marketplace: {code_or_id!r}")
    return found


def marketplaces_in(region: str) -> list[Marketplace]:
    return [m for m in MARKETPLACES.values() if m.region == region]
