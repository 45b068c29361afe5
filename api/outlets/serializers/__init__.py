"""Serializers of the outlets area: request shapes (`*InputSerializer`) and response shapes.

Request serializers check types and ranges only; the services decide the rest. Response shapes are
spelled out field by field so the OpenAPI schema says exactly what a client gets. No serializer
has a field that could carry a NIK back: `nik` exists only as a write-only input.

Who sees what of a vendor (her personal data are her name, masked NIK, birth date, gender, phone
and home kelurahan):

- the vendor herself: her whole profile (`VendorSerializer`), birth date excepted;
- outlet managers, who verify her programme and domicile claims against her KTP and the
  programme lists and who manage her lease: `ManagedVendorSerializer`, i.e. her name, masked
  NIK, phone, home kelurahan and claims, but not her birth date or gender (the service checks
  those against the NIK itself);
- everyone else (planners, asset staff): only her pseudonymous id, and on a lease her business
  name, which is public on the stall anyway. Results, offers, leases and statistics carry
  nothing more."""

from api.outlets.serializers._common import (
    DERIVED_FROM_COLUMN,
    NULLABLE_GROUP_CUTOFFS,
    NULLABLE_PRIORITIES,
    ClaimCountedSerializer,
    ClaimsCountedSerializer,
    ClaimVerificationsSerializer,
    ClaimVerificationStateSerializer,
    DerivedStateMixin,
    PrioritySerializer,
    RejectUnknownFieldsMixin,
    ResponseModelSerializer,
    claimed_values,
    live_verifications,
)
from api.outlets.serializers.offers import (
    LeaseSerializer,
    OfferSerializer,
    TerminateInputSerializer,
)
from api.outlets.serializers.outlets import (
    OutletInputSerializer,
    OutletSerializer,
    OutletUpdateSerializer,
    StallCountsSerializer,
    StallInputSerializer,
    StallSerializer,
)
from api.outlets.serializers.rounds import (
    ApplicationInputSerializer,
    ApplicationSerializer,
    AssignedSerializer,
    ChoiceInputSerializer,
    ChoiceSerializer,
    GroupResultSerializer,
    OfferBriefSerializer,
    ResultApplicationSerializer,
    RoundGroupSerializer,
    RoundInputSerializer,
    RoundResultsSerializer,
    RoundSerializer,
    assigned_of,
)
from api.outlets.serializers.vendors import (
    ManagedVendorSerializer,
    VendorRegisteredSerializer,
    VendorRegisterInputSerializer,
    VendorSerializer,
    VendorUpdateSerializer,
    VerifyInputSerializer,
)

__all__ = [
    "DERIVED_FROM_COLUMN",
    "DerivedStateMixin",
    "RejectUnknownFieldsMixin",
    "ResponseModelSerializer",
    "PrioritySerializer",
    "NULLABLE_PRIORITIES",
    "NULLABLE_GROUP_CUTOFFS",
    "ClaimCountedSerializer",
    "ClaimsCountedSerializer",
    "ClaimVerificationStateSerializer",
    "ClaimVerificationsSerializer",
    "live_verifications",
    "claimed_values",
    "StallCountsSerializer",
    "OutletSerializer",
    "OutletInputSerializer",
    "OutletUpdateSerializer",
    "StallSerializer",
    "StallInputSerializer",
    "VendorSerializer",
    "ManagedVendorSerializer",
    "VerifyInputSerializer",
    "VendorRegisteredSerializer",
    "VendorRegisterInputSerializer",
    "VendorUpdateSerializer",
    "RoundGroupSerializer",
    "RoundSerializer",
    "RoundInputSerializer",
    "ChoiceInputSerializer",
    "ApplicationInputSerializer",
    "AssignedSerializer",
    "ChoiceSerializer",
    "OfferBriefSerializer",
    "assigned_of",
    "ApplicationSerializer",
    "GroupResultSerializer",
    "ResultApplicationSerializer",
    "RoundResultsSerializer",
    "LeaseSerializer",
    "OfferSerializer",
    "TerminateInputSerializer",
]
