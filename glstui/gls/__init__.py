"""GLS Netherlands Label API: the client, its request/response types and its errors."""

from glstui.gls.client import (
    GLS_LIVE_URL,
    GLS_TEST_URL,
    GlsAddress,
    GlsClient,
    LabelRequest,
    LabelResult,
    LabelUnit,
    label_body,
    validate_request,
)
from glstui.gls.errors import GlsAuthError, GlsError, GlsValidationError, field_label

__all__ = [
    "GLS_LIVE_URL",
    "GLS_TEST_URL",
    "GlsAddress",
    "GlsAuthError",
    "GlsClient",
    "GlsError",
    "GlsValidationError",
    "LabelRequest",
    "LabelResult",
    "LabelUnit",
    "field_label",
    "label_body",
    "validate_request",
]
