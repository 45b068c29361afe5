"""HTTP views of outlets, stalls, vendors, rounds, applications, offers and leases.

Views parse the request, call one service or selector, and serialize. Who may do what is declared
with `RolePermission`; which rows a vendor can reach is decided by the selectors (another
vendor's application, offer or lease is a 404). Vendor writes are throttled (`vendor_write`),
registration too (`register`), and the vendor views answer JSON only so a form page can never
echo a NIK back."""

from api.outlets.views._common import (
    GEOJSON_COLLECTION,
    GEOJSON_FEATURE,
    ID_REGEX,
    ROUND_NOT_ALLOCATED,
)
from api.outlets.views.offers import (
    LeaseViewSet,
    OfferViewSet,
)
from api.outlets.views.outlets import (
    STALLS_REQUEST,
    STALLS_RESPONSE,
    OutletFilterSet,
    OutletStallsView,
    OutletViewSet,
    StallFilterSet,
)
from api.outlets.views.rounds import (
    ApplicationViewSet,
    RoundViewSet,
)
from api.outlets.views.vendors import (
    VendorMeView,
    VendorRegisterView,
    VendorViewSet,
)
from api.throttles import VendorWriteThrottle

# VendorWriteThrottle is reached through this package too, as before the split.
__all__ = [
    "VendorWriteThrottle",
    "ID_REGEX",
    "GEOJSON_FEATURE",
    "GEOJSON_COLLECTION",
    "ROUND_NOT_ALLOCATED",
    "OutletFilterSet",
    "OutletViewSet",
    "StallFilterSet",
    "STALLS_REQUEST",
    "STALLS_RESPONSE",
    "OutletStallsView",
    "VendorRegisterView",
    "VendorMeView",
    "VendorViewSet",
    "RoundViewSet",
    "ApplicationViewSet",
    "OfferViewSet",
    "LeaseViewSet",
]
