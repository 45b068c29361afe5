"""Outlets, stalls, vendors, allocation rounds, applications, offers and leases.

The invariants that keep a stall from being leased twice live in the database: at most one open
offer and one active lease per stall, one active lease per vendor, one live application per
vendor and round, one allocation run per round. Services lock the contended rows and check
first so a client gets a clear 409; the constraints catch whatever races past them.

The vendor's NIK is never stored in plain text: only its Fernet ciphertext, its keyed hash and
its masked form exist here (see `outlets.nik`), and the history keeps neither the ciphertext.
"""

# One module per concern; every name is re-exported here, where the app, its migrations and
# its tests import them from (`from outlets.models import Offer, OfferStatus`).
from outlets.choices import (  # noqa: F401
    ApplicationStatus,
    Claim,
    Gender,
    LeaseStatus,
    OfferStatus,
    ProductCategory,
    RoundStatus,
    StallKind,
    StallStatus,
)
from outlets.models._base import (  # noqa: F401
    AREA_NOT_POSITIVE,
    LEASE_MONTHS_MAX,
    NIB_MESSAGE,
    NIB_RE,
    PHONE_MESSAGE,
    PHONE_RE,
    validate_positive_area,
)
from outlets.models.offers import Lease, Offer  # noqa: F401
from outlets.models.places import Outlet, Stall  # noqa: F401
from outlets.models.rounds import (  # noqa: F401
    AllocationRound,
    AllocationRun,
    Application,
    ApplicationChoice,
)
from outlets.models.vendors import ClaimVerification, DuplicateNikAttempt, Vendor  # noqa: F401
