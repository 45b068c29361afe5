"""Plain helpers (not fixtures) that build outlets, stalls, vendors and rounds for tests.

Everything goes through the real services, so the data is what the API would have written.
Vendors are registered with synthetic NIKs built by `make_nik`; their passwords are hashed
with the fast test hasher when a test module turns it on (see `fast_passwords`).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.utils import timezone

from outlets import services
from outlets.models import AllocationRound, Outlet, Vendor

_counter = itertools.count(1)

BEJI_KELURAHAN = "32.76.06.1002"  # Beji, Kecamatan Beji (32.76.06)
BEJI_KECAMATAN = "32.76.06"
SAWANGAN_KELURAHAN_PREFIX = "32.76.03."
PASSWORD = "Stall-pass-2026!"


def make_nik(
    *,
    region: str = "327606",
    born: date = date(1990, 5, 17),
    female: bool = False,
    sequence: str | None = None,
) -> str:
    """A synthetic NIK: region digits, DDMMYY (+40 on the day for women), a sequence number."""
    day = born.day + (40 if female else 0)
    seq = sequence or f"{next(_counter) % 10000 or 1:04d}"
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{seq}"


def unique_nik(n: int, *, female: bool = False, region: str = "327606") -> str:
    """The n-th distinct NIK (n >= 1): the birth date varies with n, so sequences never clash."""
    born = date(1970, 1, 1) + timedelta(days=n // 9000)
    return make_nik(region=region, born=born, female=female, sequence=f"{n % 9000 + 1:04d}")


def make_vendor(
    *,
    nik: str | None = None,
    username: str | None = None,
    female: bool = False,
    wub: bool = False,
    women: bool = False,
    kelurahan: str | None = BEJI_KELURAHAN,
    category: str = "culinary",
) -> Vendor:
    n = next(_counter)
    vendor, _token = services.vendor_register(
        username=username or f"vendor_{n}",
        password=PASSWORD,
        full_name=f"Vendor {n}",
        nik_value=nik or unique_nik(n + 100_000, female=female or women),
        phone="081234567890",
        business_name=f"Usaha {n}",
        product_category=category,
        wub_participant=wub,
        women_programme=women,
        home_kelurahan_code=kelurahan,
    )
    return vendor


def make_outlet(make_asset, manager, *, stalls=(("K-01", "kiosk"),), **asset_fields) -> Outlet:
    """An outlet on a fresh designated_economic asset, with stalls (code, kind[, fee])."""
    asset = make_asset(use="economic", status="designated_economic", **asset_fields)
    outlet = services.outlet_create(
        user=manager, asset_id=asset.pk, name=f"Gerai {asset.pk}", opening_hours="08:00-21:00"
    )
    if stalls:
        services.stalls_create(
            outlet=outlet,
            user=manager,
            items=[
                {
                    "code": stall[0],
                    "kind": stall[1],
                    "area_m2": 6.0,
                    "monthly_fee": stall[2] if len(stall) > 2 else 250000,
                    "has_power": True,
                    "has_water": False,
                }
                for stall in stalls
            ],
            many=True,
        )
    return outlet


def make_round(manager, outlets, *, status: str = "draft", **fields) -> AllocationRound:
    """A round over `outlets`, moved to `status` (draft, open, closed, allocated)."""
    now = timezone.now()
    data = {
        "name": f"Putaran {next(_counter)}",
        "outlets": [o.pk for o in outlets],
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=14),
    }
    data.update(fields)
    round_ = services.round_create(user=manager, data=data)
    steps = ["open", "closed", "allocated"]
    wanted = steps.index(status) + 1 if status in steps else 0
    if wanted >= 1:
        round_ = services.round_open(round_=round_, user=manager)
    if wanted >= 2:
        round_ = services.round_close(round_=round_, user=manager)
    if wanted >= 3:
        round_ = services.round_allocate(round_=round_, user=manager)
    return round_


def apply(vendor: Vendor, round_: AllocationRound, *groups):
    """Apply for `vendor` with choices given as (outlet, kind) pairs."""
    return services.application_create(
        round_=round_,
        user=vendor.user,
        choices=[{"outlet": o.pk if hasattr(o, "pk") else o, "stall_kind": k} for o, k in groups],
    )


def verify(vendor: Vendor, manager, *claims: str, reason: str = "Checked for the test"):
    """A manager verifies the vendor's claims (all she makes when none are named)."""
    if not claims:
        made = {
            "wub_participant": vendor.wub_participant,
            "women_programme": vendor.women_programme,
            "domicile": vendor.home_kelurahan_id is not None,
        }
        claims = tuple(claim for claim, value in made.items() if value)
    return services.vendor_claims_verify(
        vendor=vendor, user=manager, claims=list(claims), reason=reason
    )
