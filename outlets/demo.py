"""The vendor portal's demo (for `make run`, via `seed_demo_users`): the demo vendor's profile, two
synthetic outlets with stalls in Beji and Sukmajaya, and one open round, so a fresh clone's portal
has something to apply to. Everything goes through the services, as a manager would do it, and
every name says it is synthetic. Idempotent: what exists already is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core.services import user_create_with_roles
from outlets.models import AllocationRound, Outlet, Vendor
from outlets.nik import city_today

User = get_user_model()

DEMO_VENDOR = "demo_vendor"
DEMO_NIK = "3276064503950042"  # synthetic: a woman born 5 March 1995, first issued in Beji
ROUND_NAME = "Putaran demo (synthetic)"
OUTLETS = [
    # register code, name, point, address, stalls (code, kind, area m², monthly fee)
    (
        "SYNTHETIC-PORTAL-1",
        "Gerai UMKM Beji (synthetic)",
        (106.8230, -6.3730),
        "Jl. Contoh Margonda No. 1, Beji (synthetic)",
        [
            ("K-01", "kiosk", 6.0, 250000),
            ("K-02", "kiosk", 6.0, 250000),
            ("D-01", "kitchen", 9.0, 400000),
        ],
    ),
    (
        "SYNTHETIC-PORTAL-2",
        "Gerai UMKM Sukmajaya (synthetic)",
        (106.8420, -6.3960),
        "Jl. Contoh Juanda No. 2, Sukmajaya (synthetic)",
        [
            ("B-01", "booth", 4.0, 150000),
            ("B-02", "booth", 4.0, 150000),
            ("K-01", "kiosk", 6.0, 275000),
        ],
    ),
]
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def demo_vendor_profile(password: str) -> Vendor:
    """The demo vendor's account with a profile (registered like any vendor), once."""
    from outlets.services import vendor_register

    existing = Vendor.objects.filter(user__username=DEMO_VENDOR).first()
    if existing is not None:
        return existing
    if User.objects.filter(username=DEMO_VENDOR).exists():
        # An account from before the portal's demo: its name frees up for the registration.
        User.objects.filter(username=DEMO_VENDOR).update(username=f"{DEMO_VENDOR}_old")
    vendor, _token = vendor_register(
        username=DEMO_VENDOR,
        password=password,
        full_name="Siti Demo (synthetic)",
        nik_value=DEMO_NIK,
        phone="081200000042",
        business_name="Kue Demo (synthetic)",
        product_category="culinary",
        wub_participant=True,
        women_programme=True,
        home_kelurahan_code="32.76.06.1002",
    )
    return vendor


def _designated_asset(code: str, name: str, point, address: str, helpers: dict):
    """A synthetic asset moved to economic use through its workflow (proposal, review by the
    managing agency, the approver's decree)."""
    from assets_app.models import Asset
    from assets_app.services import (
        asset_register,
        reclassification_approve,
        reclassification_propose,
        reclassification_review,
    )
    from documents.services import document_attach

    asset = Asset.objects.filter(register_code=code).first()
    if asset is None:
        asset = asset_register(
            user=helpers["officer"],
            data={
                "register_code": code,
                "name": name.replace("Gerai UMKM", "Bekas kantor"),
                "category": "building",
                "use": "vacant",
                "address": address,
                "geometry": {"type": "Point", "coordinates": list(point)},
                "land_area_m2": 600.0,
                "building_area_m2": 240.0,
                "condition": "good",
                "status": "idle",
            },
        )
    if asset.status != "designated_economic":
        proposal = reclassification_propose(
            asset=asset, user=helpers["officer"], reason="Demo (synthetic): outlet for UMKM"
        )
        reclassification_review(reclassification=proposal, user=helpers["reviewer"], note="Demo")
        decree = document_attach(
            user=helpers["approver"],
            upload=SimpleUploadedFile("sk-demo.pdf", MINIMAL_PDF),
            kind="decree",
            reclassification=proposal,
        )
        today = city_today()
        reclassification_approve(
            reclassification=proposal,
            user=helpers["approver"],
            note="Demo (synthetic)",
            decree_number="SK DEMO/001/2026",
            decree_date=today,
            decree_document=decree.pk,
            handover_number="BAST DEMO/001/2026",
            handover_date=today,
            override_reason="Demo data (synthetic)",
        )
        asset.refresh_from_db()
    return asset


def _helpers(password: str) -> dict:
    from assets_app.models import OfficerProfile

    users = {}
    for key, role in (("officer", "asset_officer"), ("reviewer", "asset_officer")):
        user = (
            User.objects.filter(username=f"demo_portal_{key}").first()
            or user_create_with_roles(
                username=f"demo_portal_{key}", password=password, roles=[role]
            )[0]
        )
        OfficerProfile.objects.update_or_create(user=user, defaults={"agency_id": "BKD"})
        users[key] = user
    users["approver"] = (
        User.objects.filter(username="demo_portal_approver").first()
        or (
            user_create_with_roles(
                username="demo_portal_approver", password=password, roles=["asset_approver"]
            )[0]
        )
    )
    return users


@transaction.atomic
def demo_portal(*, manager, password: str) -> AllocationRound:
    """Two synthetic outlets with stalls, managed by `manager`, and one open round over them."""
    from outlets import services

    round_ = AllocationRound.objects.filter(name=ROUND_NAME).first()
    if round_ is not None:
        return round_
    helpers = _helpers(password)
    outlets = []
    for code, name, point, address, stalls in OUTLETS:
        outlet = Outlet.objects.filter(name=name).first()
        if outlet is None:
            asset = _designated_asset(code, name, point, address, helpers)
            outlet = services.outlet_create(
                user=manager, asset_id=asset.pk, name=name, opening_hours="08:00-21:00"
            )
            services.stalls_create(
                outlet=outlet,
                user=manager,
                items=[
                    {
                        "code": c,
                        "kind": k,
                        "area_m2": a,
                        "monthly_fee": f,
                        "has_power": True,
                        "has_water": k == "kitchen",
                    }
                    for c, k, a, f in stalls
                ],  # fmt: skip
                many=True,
            )
        outlets.append(outlet)
    now = timezone.now()
    round_ = services.round_create(
        user=manager,
        data={
            "name": ROUND_NAME,
            "outlets": [o.pk for o in outlets],
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=30),
        },
    )
    return services.round_open(round_=round_, user=manager)
