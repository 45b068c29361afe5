"""Importing the programme agency's cohort lists, all rows or none, and matching their people to
vendors by the keyed NIK hash (at import, and when a listed person registers later).

A matched vendor becomes a verified member of the list's programme: a `ClaimVerification` of
that claim whose evidence is her `CohortMember` row (the list, who imported it and when). The NIK
itself is read from the file, hashed and masked, and never stored or put in a message. The same
file (by SHA-256) imported again changes nothing; a person already in a cohort (programme, year)
stays as she is.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets_app.importing.cleaning import row_error
from core.audit import audit_record
from core.errors import Conflict
from core.models import AuditAction
from geodata.models import District, DistrictLevel
from outlets import nik
from outlets.models import Claim, ClaimVerification, Vendor
from programme.choices import Programme
from programme.models import CohortList, CohortMember
from programme.reading import COHORT_SUFFIXES, read_cohort_file

FIRST_COHORT_YEAR = 2017  # the national WUB programme runs from 2017

COLUMN_ALIASES = {"coaching_batch": "batch", "nama": "name", "tahun": "year", "angkatan": "batch"}
REQUIRED = ("nik", "name", "programme", "year", "kecamatan")
KNOWN = (*REQUIRED, "batch")

MISSING_COLUMN = _("This column is required.")
UNKNOWN_COLUMN = _("Unknown column; the columns are nik, name, programme, year, kecamatan, batch.")
VALUE_REQUIRED = _("This value is required.")
NAME_TOO_LONG = _("At most 200 characters.")
BATCH_TOO_LONG = _("At most 40 characters.")
PROGRAMME_UNKNOWN = _("The programme is wub or women.")
YEAR_RANGE = _("The year is a whole number from {first} to this year.")
KECAMATAN_UNKNOWN = _("Not a kecamatan of Kota Depok (a code such as 32.76.06, or its name).")
WOMEN_NIK_MALE = _("The women-entrepreneurs programme is for women; the NIK is a man's.")
IMPORT_RACED = _(
    "Another import with some of these people ran at the same time; send the file again."
)
DUPLICATE_ROW = _("The same person is already in this cohort in row {row}.")

CLAIM_OF = {Programme.WUB: Claim.WUB, Programme.WOMEN: Claim.WOMEN}
FLAG_OF = {Programme.WUB: "wub_participant", Programme.WOMEN: "women_programme"}
PROGRAMME_WORDS = {"wub": Programme.WUB, "women": Programme.WOMEN, "perempuan": Programme.WOMEN}
CHUNK = 2000


def _reason(cohort_list: CohortList, programme: str, year: int) -> str:
    # No personal data: the list's id, programme and year only.
    return f"Cohort list {cohort_list.pk}: {programme} {year}"


def _kecamatan_lookup() -> dict[str, str]:
    rows = District.objects.filter(
        level=DistrictLevel.KECAMATAN, code__startswith="32.76."
    ).values_list("code", "name")
    lookup = {}
    for code, name in rows:
        lookup[code] = code
        lookup[name.strip().lower()] = code
    return lookup


def _clean(header: list[str], rows: list[list[str]]) -> tuple[list[dict], list[dict]]:
    """Each row as clean values (with the NIK's hash and masked form), and the errors."""
    errors: list[dict] = []
    names = [COLUMN_ALIASES.get(h, h) for h in header]
    for name in names:
        if name not in KNOWN:
            errors.append(row_error(None, name, str(UNKNOWN_COLUMN)))
    for name in REQUIRED:
        if name not in names:
            errors.append(row_error(None, name, str(MISSING_COLUMN)))
    if errors:
        return [], errors
    index = {name: names.index(name) for name in KNOWN if name in names}
    kecamatan = _kecamatan_lookup()
    this_year = nik.city_today().year
    seen: dict[tuple, int] = {}
    clean: list[dict] = []
    for i, row in enumerate(rows):
        cells = {name: (row[j] if j < len(row) else "").strip() for name, j in index.items()}

        def add(field, message, i=i):
            errors.append(row_error(i, field, str(message)))

        for name in REQUIRED:
            if not cells[name]:
                add(name, VALUE_REQUIRED)
        info = None
        if cells["nik"]:
            try:
                info = nik.nik_parse(cells["nik"])
            except nik.NikError as exc:
                add("nik", exc.message)
        if len(cells["name"]) > 200:
            add("name", NAME_TOO_LONG)
        if len(cells.get("batch", "")) > 40:
            add("batch", BATCH_TOO_LONG)
        programme = PROGRAMME_WORDS.get(cells["programme"].lower())
        if cells["programme"] and programme is None:
            add("programme", PROGRAMME_UNKNOWN)
        year = None
        if cells["year"]:
            text = cells["year"]
            if text.isdigit() and len(text) == 4 and FIRST_COHORT_YEAR <= int(text) <= this_year:
                year = int(text)
            else:
                add("year", str(YEAR_RANGE).format(first=FIRST_COHORT_YEAR))
        code = kecamatan.get(cells["kecamatan"]) or kecamatan.get(cells["kecamatan"].lower())
        if cells["kecamatan"] and code is None:
            add("kecamatan", KECAMATAN_UNKNOWN)
        if info is not None and programme == Programme.WOMEN and info.gender != "F":
            add("programme", WOMEN_NIK_MALE)
        if info is None or programme is None or year is None or code is None:
            continue
        digest = nik.nik_hash(cells["nik"])
        key = (programme, year, digest)
        if key in seen:
            add("nik", str(DUPLICATE_ROW).format(row=seen[key] + 1))
            continue
        seen[key] = i
        clean.append(
            {
                "programme": str(programme),
                "year": year,
                "nik_hash": digest,
                "nik_masked": nik.nik_mask(cells["nik"]),
                "full_name": cells["name"][:200],
                "kecamatan_id": code,
                "batch": cells.get("batch", "")[:40],
            }
        )
    return clean, errors


def _report(rows: int, **figures) -> dict:
    report = {
        "cohort_list": None,
        "already_imported": False,
        "rows": rows,
        "created": 0,
        "unchanged": 0,
        "matched": 0,
        "verified": 0,
        "errors": [],
    }
    report.update(figures)
    return report


def cohort_list_import(*, data: bytes, file_name: str, user: AbstractBaseUser) -> dict:
    """Import a cohort list (.csv or .xlsx): every row or none.

    Answers a report: `errors` (row, field, message) when any row is bad, and then nothing is
    written; else the members created and left unchanged, how many matched a vendor and how many
    claims the list verified. The same file again (`already_imported`) writes nothing.
    """
    suffix = PurePath(file_name or "").suffix.lower()
    header, rows = read_cohort_file(data, suffix)
    digest = hashlib.sha256(data).hexdigest()
    existing = CohortList.objects.filter(sha256=digest).first()
    if existing is not None:
        return _report(
            len(rows), cohort_list=existing.pk, already_imported=True, unchanged=len(rows)
        )
    clean, errors = _clean(header, rows)
    if errors:
        return _report(len(rows), errors=errors)
    try:
        with transaction.atomic():
            return _write(
                clean,
                rows=len(rows),
                digest=digest,
                suffix=suffix,
                user=user,
                file_name=PurePath(file_name).name[:200],
            )
    except IntegrityError:
        # Another import committed since the checks: the same file (then it is done), or a
        # list sharing people with this one (then try again: they are members by now).
        existing = CohortList.objects.filter(sha256=digest).first()
        if existing is None:
            raise Conflict(str(IMPORT_RACED)) from None
        return _report(
            len(rows), cohort_list=existing.pk, already_imported=True, unchanged=len(rows)
        )


def _existing_keys(clean: list[dict]) -> set[tuple]:
    keys = set()
    hashes = sorted({row["nik_hash"] for row in clean})
    for start in range(0, len(hashes), CHUNK):
        found = CohortMember.objects.filter(nik_hash__in=hashes[start : start + CHUNK])
        keys.update(found.values_list("programme", "year", "nik_hash"))
    return keys


def _vendors_by_hash(hashes: list[str]) -> dict[str, Vendor]:
    vendors = {}
    hashes = sorted(set(hashes))
    for start in range(0, len(hashes), CHUNK):
        found = Vendor.objects.select_for_update().filter(
            nik_hash__in=hashes[start : start + CHUNK]
        )
        vendors.update(
            {
                v.nik_hash: v
                for v in found.only("pk", "nik_hash", "wub_participant", "women_programme")
            }
        )
    return vendors


def _write(clean: list[dict], *, rows: int, digest: str, suffix: str, user, file_name: str) -> dict:
    now = timezone.now()
    cohort_list = CohortList.objects.create(
        file_name=file_name,
        file_format=suffix.lstrip("."),
        sha256=digest,
        rows=rows,
        imported_by=user,
        imported_at=now,
    )
    done = _existing_keys(clean)
    new = [row for row in clean if (row["programme"], row["year"], row["nik_hash"]) not in done]
    vendors = _vendors_by_hash([row["nik_hash"] for row in new])
    members = [CohortMember(cohort_list=cohort_list, **row) for row in new]
    verified = _link(members, vendors, cohort_list=cohort_list, user=user, now=now)
    CohortMember.objects.bulk_create(members, batch_size=500)
    matched = sum(1 for m in members if m.vendor_id is not None)
    report = _report(
        rows,
        cohort_list=cohort_list.pk,
        created=len(members),
        unchanged=len(clean) - len(members),
        matched=matched,
        verified=verified,
    )
    audit_record(
        action=AuditAction.BULK,
        object_type="programme.cohortlist",
        object_id=str(cohort_list.pk),
        object_repr=str(cohort_list),
        user=user,
        changes={
            key: [None, report[key]] for key in ("created", "unchanged", "matched", "verified")
        },
    )
    return report


def _link(
    members: list[CohortMember], vendors: dict[str, Vendor], *, cohort_list, user, now
) -> int:
    """Match members to vendors; the matched become verified members (flag set, verification
    with the list as evidence, unless a live verification of that claim exists). Returns the
    verifications created."""
    flags: dict[str, list[int]] = defaultdict(list)
    live = _live_claims([v.pk for v in vendors.values()])
    pending: list[tuple[CohortMember, ClaimVerification]] = []
    for member in members:
        vendor = vendors.get(member.nik_hash)
        if vendor is None:
            continue
        member.vendor_id = vendor.pk
        member.matched_at = now
        programme = Programme(member.programme)
        flag = FLAG_OF[programme]
        if not getattr(vendor, flag):
            setattr(vendor, flag, True)
            flags[flag].append(vendor.pk)
        claim = str(CLAIM_OF[programme])
        if (vendor.pk, claim) in live:
            continue
        live.add((vendor.pk, claim))
        verification = ClaimVerification(
            vendor_id=vendor.pk,
            claim=claim,
            reason=_reason(cohort_list, member.programme, member.year),
            verified_by=user,
            verified_at=now,
        )
        pending.append((member, verification))
    for flag, ids in flags.items():
        for start in range(0, len(ids), CHUNK):
            Vendor.objects.filter(pk__in=ids[start : start + CHUNK]).update(
                **{flag: True, "updated_at": now}
            )
    made = ClaimVerification.objects.bulk_create([v for _m, v in pending], batch_size=500)
    ClaimVerification.history.bulk_history_create(made, default_user=user, default_date=now)
    for (member, _v), verification in zip(pending, made, strict=True):
        member.verification_id = verification.pk
    return len(made)


def _live_claims(vendor_ids: list[int]) -> set[tuple[int, str]]:
    found = set()
    ids = sorted(set(vendor_ids))
    for start in range(0, len(ids), CHUNK):
        rows = ClaimVerification.objects.filter(
            vendor_id__in=ids[start : start + CHUNK], revoked_at=None
        ).values_list("vendor_id", "claim")
        found.update(rows)
    return found


@transaction.atomic
def match_registered_vendor(vendor: Vendor) -> int:
    """A newly registered vendor on a cohort list becomes its verified member (the verification
    is the list's, made by the user who imported it). Returns the memberships matched."""
    members = list(
        CohortMember.objects.select_for_update()
        .filter(nik_hash=vendor.nik_hash, vendor=None)
        .select_related("cohort_list")
        .order_by("year", "pk")
    )
    if not members:
        return 0
    now = timezone.now()
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    live = _live_claims([vendor.pk])
    changed = []
    for member in members:
        programme = Programme(member.programme)
        flag = FLAG_OF[programme]
        if not getattr(vendor, flag):
            setattr(vendor, flag, True)
            changed.append(flag)
        member.vendor = vendor
        member.matched_at = now
        claim = str(CLAIM_OF[programme])
        if (vendor.pk, claim) not in live:
            live.add((vendor.pk, claim))
            verification = ClaimVerification(
                vendor=vendor,
                claim=claim,
                reason=_reason(member.cohort_list, member.programme, member.year),
                verified_by=member.cohort_list.imported_by,
                verified_at=now,
            )
            verification._history_user = member.cohort_list.imported_by
            verification.save()
            member.verification = verification
        member.save(update_fields=["vendor", "matched_at", "verification"])
        audit_record(
            action=AuditAction.UPDATE,
            object_type="programme.cohortmember",
            object_id=str(member.pk),
            changes={"vendor_id": [None, vendor.pk]},
        )
    if changed:
        vendor._history_user = vendor.user
        vendor.save(update_fields=[*changed, "updated_at"])
    return len(members)


__all__ = ["COHORT_SUFFIXES", "cohort_list_import", "match_registered_vendor"]
