"""Import Amazon orders of the selected shops into the store: the names callers use.

The code lives in glstui.services.importing (merge, window, pages, texts, sources, run,
seller_turns); this module keeps `from glstui.services.importer import ...` working for the
TUI, the headless command and the tests.
"""

from __future__ import annotations

from glstui.domain.integration import NEEDS_REAUTH  # the import screen reads it from here
from glstui.services.importing.merge import (
    AMAZON_CANCELLED,
    PageOutcome,
    apply_shipping_rules,
    describe,
    merge_order,
)
from glstui.services.importing.pages import (
    MAX_PAGES_PER_WRITE,
    MissingPiiRole,
    Prefetch,
    ShopDeleted,
    StagedPage,
    finish_then_cancel,
    mark_needs_reauth,
    store_page,
    store_pages,
)
from glstui.services.importing.run import (
    Importer,
    import_shops,
)
from glstui.services.importing.seller_turns import (
    PACING_DIR,
    SELLER_WAIT_S,
    SellerInUse,
    SellerTurns,
    import_console,
)
from glstui.services.importing.sources import (
    FULFILLMENT_STATUSES,
    INCLUDED_DATA,
    SHIPPABLE,
    OrderSearch,
    SecretReader,
    ShopTask,
    current_user,
)
from glstui.services.importing.texts import (
    counts_text,
    local_iso,
    missing_pii_text,
    not_importable_reason,
    result_counts,
    summary_text,
)
from glstui.services.importing.window import (
    RESUME_MAX_AGE,
    SearchWindow,
    final_cursor,
    search_window,
)

__all__ = [
    "AMAZON_CANCELLED",
    "FULFILLMENT_STATUSES",
    "INCLUDED_DATA",
    "MAX_PAGES_PER_WRITE",
    "NEEDS_REAUTH",
    "PACING_DIR",
    "RESUME_MAX_AGE",
    "SELLER_WAIT_S",
    "SHIPPABLE",
    "Importer",
    "MissingPiiRole",
    "OrderSearch",
    "PageOutcome",
    "Prefetch",
    "SearchWindow",
    "SecretReader",
    "SellerInUse",
    "SellerTurns",
    "ShopDeleted",
    "ShopTask",
    "StagedPage",
    "apply_shipping_rules",
    "counts_text",
    "current_user",
    "describe",
    "final_cursor",
    "finish_then_cancel",
    "import_console",
    "import_shops",
    "local_iso",
    "mark_needs_reauth",
    "merge_order",
    "missing_pii_text",
    "not_importable_reason",
    "result_counts",
    "search_window",
    "store_page",
    "store_pages",
    "summary_text",
]
