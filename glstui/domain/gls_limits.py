"""GLS NL Label API field limits: the one table the client's checks and the sandbox GLS share.

From the Label API OpenAPI (weights per TIG's integration). Kept in domain/ because the
labelling rules need the parcel weights too, and domain may be imported by every layer.
"""

from __future__ import annotations

ADDRESS_LIMITS: dict[str, int] = {
    "name1": 30,
    "name2": 30,
    "name3": 30,
    "street": 40,
    "houseNo": 5,
    "houseNoExt": 5,
    "zipCode": 8,
    "city": 30,
    "countryCode": 2,
    "contact": 30,
    "phone": 25,
    "email": 320,
}
ADDRESS_REQUIRED = ("name1", "street", "zipCode", "city", "countryCode")
REFERENCE_MAX = 20
UNIT_ID_MAX = 50
UNIT_NO_MAX = 14
WEIGHT_MIN_KG = 0.2
WEIGHT_MAX_KG = 31.9
PDF_TYPES = ("pdf", "pdfA6U", "pdfA6S", "pdf2A4", "pdf4A4")
ZPL_TYPES = ("zpl", "zplUtf8", "zpl300", "zpl300Utf8")
LABEL_TYPES = (*PDF_TYPES, *ZPL_TYPES)
EXPRESS = ("none", "t9", "t10", "t12", "t17", "s9", "s10", "s12", "s17")
