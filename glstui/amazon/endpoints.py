"""Where glstui talks to Amazon: production hosts, or every host replaced by the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from glstui.amazon.regions import MARKETPLACES, REGIONS, marketplace

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


@dataclass(frozen=True)
class Endpoints:
    lwa_token_url: str
    api_base_by_region: dict[str, str] = field(default_factory=dict)
    # keyed by marketplace id
    seller_central_by_marketplace: dict[str, str] = field(default_factory=dict)
    is_sandbox: bool = False

    @classmethod
    def production(cls) -> Endpoints:
        return cls(
            lwa_token_url=LWA_TOKEN_URL,
            api_base_by_region={code: r.api_host for code, r in REGIONS.items()},
            seller_central_by_marketplace={
                m.id: f"https://{m.seller_central_host}" for m in MARKETPLACES.values()
            },
        )

    @classmethod
    def sandbox(cls, base_url: str) -> Endpoints:
        base = base_url.rstrip("/")
        return cls(
            lwa_token_url=f"{base}/auth/o2/token",
            api_base_by_region=dict.fromkeys(REGIONS, base),
            seller_central_by_marketplace={m.id: base for m in MARKETPLACES.values()},
            is_sandbox=True,
        )

    def api_base(self, region: str) -> str:
        try:
            return self.api_base_by_region[region]
        except KeyError:
            raise KeyError(f"Unknown Amazon region: {region!r} (use EU, NA or FE)") from None

    def seller_central(self, marketplace_code_or_id: str) -> str:
        """Seller Central base URL for a marketplace given by code (NL) or id."""
        return self.seller_central_by_marketplace[marketplace(marketplace_code_or_id).id]
