"""Helpers for the programme tests: vendors created in bulk (the registration service is the
path under test elsewhere; thousands of them through it would take minutes), cohort files."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from outlets import nik
from outlets.models import Vendor
from tests.outlets.helpers import unique_nik

BEJI = "32.76.06"
SAWANGAN = "32.76.03"
HEADER = ["nik", "name", "programme", "year", "kecamatan", "batch"]


def bulk_vendors(niks: list[str], *, wub: bool = False, kelurahan: str = "32.76.06.1002"):
    """Vendor accounts for these NIKs, as registration stores them (hash, ciphertext, mask)."""
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"bulk_{nik.nik_hash(n)[:20]}") for n in niks], batch_size=500
    )
    group = Group.objects.get(name="vendor")
    group.user_set.through.objects.bulk_create(
        [group.user_set.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=500
    )
    vendors = []
    for user, value in zip(users, niks, strict=True):
        info = nik.nik_parse(value)
        vendors.append(
            Vendor(
                user=user,
                full_name="Bulk vendor",
                nik_encrypted=nik.nik_encrypt(value),
                nik_hash=nik.nik_hash(value),
                nik_masked=nik.nik_mask(value),
                gender=info.gender,
                birth_date=info.birth_date,
                phone="081234567890",
                business_name="Usaha",
                product_category="culinary",
                wub_participant=wub,
                home_kelurahan_id=kelurahan,
            )
        )
    return Vendor.objects.bulk_create(vendors, batch_size=500)


def cohort_niks(start: int, count: int, *, female: bool = False) -> list[str]:
    return [unique_nik(start + i, female=female) for i in range(count)]


def cohort_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def cohort_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(value: str, programme: str = "wub", year: int = 2023, kecamatan: str = BEJI, batch="A1"):
    return [value, "Peserta", programme, year, kecamatan, batch]


def programme_world(staff, manager, vendor, outlet) -> dict:
    """One object of each programme kind, for the role matrix: {name: id}."""
    from programme import services
    from programme.models import Target

    report = services.cohort_list_import(
        data=cohort_csv([row(unique_nik(990_001))]), file_name="matrix.csv", user=staff
    )
    session = services.coaching_session_create(
        user=staff,
        data={"topic": "other", "held_on": "2026-01-05", "place": "Aula", "trainer": "DKUM"},
    )
    licence = services.licence_create(
        user=staff,
        data={
            "vendor": vendor,
            "kind": "halal",
            "number": "MATRIX-1",
            "issuer": "BPJPH",
            "issued_on": date(2025, 1, 1),
        },
    )
    requirement = services.licence_requirement_create(
        user=manager, outlet=outlet, stall_kind="kitchen", licence_kind="spp_irt"
    )
    return {
        "cohort_list": report["cohort_list"],
        "target": Target.objects.order_by("pk").values_list("pk", flat=True)[0],
        "session": session.pk,
        "licence": licence.pk,
        "requirement": requirement.pk,
    }
