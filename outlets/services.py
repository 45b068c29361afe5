"""Writes for outlets, stalls, vendors, rounds, applications, offers and leases.

Each function is one transaction. Contended rows are locked with `select_for_update()` in a fixed
order (round, then vendor; offer or lease, then stall; several rows of a kind by primary key), and
every state check happens after the lock, never before it. The database constraints of
`outlets.models` stand behind each check for races this code cannot see.

Messages are module constants (gettext_lazy) that the tests import. None of them, and no error
raised here, contains a NIK.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token
from simple_history.utils import bulk_create_with_history

from assets_app.models import Asset, ReclassificationStatus
from assets_app.models import Status as AssetStatus
from core.audit import audit_record
from core.context import current_request
from core.errors import Conflict
from core.models import AuditAction
from core.roles import VENDOR
from geodata.models import District, DistrictLevel
from outlets import allocation, nik
from outlets.models import (
    AllocationRound,
    AllocationRun,
    Application,
    ApplicationChoice,
    ApplicationStatus,
    Claim,
    ClaimVerification,
    DuplicateNikAttempt,
    Lease,
    LeaseStatus,
    Offer,
    OfferStatus,
    Outlet,
    RoundStatus,
    Stall,
    StallKind,
    StallStatus,
    Vendor,
)

User = get_user_model()

# Outlets and stalls
ASSET_UNKNOWN = _("No asset with this id.")
ASSET_NOT_DESIGNATED = _(
    "An outlet can only be opened on an asset designated for economic use "
    "(status designated_economic)."
)
ASSET_HAS_OUTLET = _("This asset already has an outlet.")
ASSET_NOT_RECLASSIFIED = _(
    "An outlet can only be opened on an asset whose reclassification for economic use was approved."
)
STALL_CODE_TAKEN = _("A stall with this code already exists in the outlet.")
STALL_CODE_REPEATED = _("This code is used by another stall in the same request.")
STALLS_EMPTY = _("Send at least one stall.")
OUTLETS_NOT_MANAGED = _("You do not manage outlet(s) {ids}; ask one of their managers.")
# Vendors
NIK_NOT_ACCEPTED = _("This NIK cannot be registered; ask an outlet manager.")
USERNAME_TAKEN = _("This username is not available.")
KELURAHAN_UNKNOWN = _("Not a Kota Depok kelurahan code (e.g. 32.76.06.1002).")
FIELD_REQUIRED = _("This field is required.")
FIELD_NOT_WRITABLE = _("This field cannot be changed.")
VENDOR_PROFILE_REQUIRED = _("Only a registered vendor can do this.")
CLAIMS_LOCKED = _(
    "Programme and domicile claims cannot change while you have an application in a round "
    "that has not been allocated yet; withdraw it or wait for the results."
)
CLAIMS_REQUIRED = _("Name at least one claim to verify.")
CLAIM_NOT_MADE = _("The vendor does not claim {claim}; only a claim she makes can be verified.")
VERIFY_REASON_REQUIRED = _("Say what was checked (e.g. the programme list, the KTP address).")
# Rounds
OUTLETS_REQUIRED = _("Choose at least one outlet.")
OUTLETS_UNKNOWN = _("Unknown outlet id(s): {ids}.")
CLOSES_BEFORE_OPENS = _("closes_at must be after opens_at.")
# Together a reserve and a category cap make the groups' choice rule non-substitutable, and
# deferred acceptance then no longer guarantees a stable, strategy-proof result (see
# outlets/allocation.py). docs/ARCHITECTURE.md promises both, so a round uses one or the other.
RESERVE_WITH_CAP = _(
    "A category cap cannot be combined with a women's reserve: together they can make the "
    "allocation unstable. Use one or the other."
)
ROUND_NOT_DRAFT = _("Only a draft round can be opened.")
ROUND_NOT_OPEN = _("The round is not open for applications.")
ROUND_NOT_CLOSED = _("Only a closed round can be allocated.")
ROUND_ALREADY_ALLOCATED = _("This round has already been allocated.")
ROUND_DEADLINE_PASSED = _("The round's closing time has passed.")
# Applications
CHOICES_REQUIRED = _("Give at least one choice.")
CHOICES_TOO_MANY = _("At most {max_choices} choices are allowed in this round.")
CHOICE_REPEATED = _("Choice {rank} repeats an earlier choice; choices must be distinct.")
CHOICE_NOT_IN_ROUND = _(
    "Choice {rank} is not a group of this round (an outlet of the round "
    "with at least one stall of that kind)."
)
APPLICATION_EXISTS = _("You already have an application in this round.")
APPLICATION_NOT_SUBMITTED = _("Only a submitted application can be changed or withdrawn.")
# Offers and leases
OFFER_EXPIRED = _("This offer has expired.")
OFFER_NOT_OPEN = _("This offer is no longer open.")
VENDOR_HAS_LEASE = _("You already hold an active lease; a vendor may lease one stall only.")
STALL_ALREADY_LEASED = _("This stall already has an active lease.")
LEASE_NOT_ACTIVE = _("Only an active lease can be terminated.")
REASON_REQUIRED = _("Give the reason for terminating the lease.")


# --- helpers ---------------------------------------------------------------------------------


def _errors_with_prefix(exc: ValidationError, prefix: str) -> dict[str, list]:
    if hasattr(exc, "error_dict"):
        return {
            f"{prefix}{'non_field_errors' if k == '__all__' else k}": v
            for k, v in exc.message_dict.items()
        }
    return {f"{prefix}non_field_errors": list(exc.messages)}


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clipped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def natural_key(code: str) -> tuple:
    """Sort key putting A2 before A10: digit runs compare as numbers."""
    parts = re.split(r"(\d+)", code)
    return tuple((0, int(p), p) if p.isdigit() else (1, 0, p.casefold()) for p in parts if p)


def seed_commitment(seed: str) -> str:
    """The published commitment: SHA-256 of the seed's text, hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


def priority_json(key: tuple[int, int, int] | None) -> dict | None:
    """A priority key for JSON: the lottery is a 64-bit number, so it travels as a string."""
    if key is None:
        return None
    return {"programme": key[0], "local": key[1], "lottery": str(key[2])}


def vendor_for_user(user: AbstractBaseUser) -> Vendor:
    # The kelurahan's boundary (a large JSON polygon) is not needed here: parsing it cost
    # every vendor request ~6 ms.
    vendor = (
        Vendor.objects.filter(user=user)
        .select_related("home_kelurahan")
        .defer("home_kelurahan__geometry")
        .first()
    )
    if vendor is None:
        raise PermissionDenied(str(VENDOR_PROFILE_REQUIRED))
    return vendor


def vendor_id_for_user(user: AbstractBaseUser, *, expire_due_offers: bool = False) -> int:
    """The id of the user's vendor profile (PermissionDenied without one).

    With `expire_due_offers`, her open offers past their time are expired first. The same query
    that finds her says whether she has any, so a read with nothing due (nearly every one)
    opens no transaction and writes nothing.
    """
    vendors = Vendor.objects.filter(user=user)
    if not expire_due_offers:
        vendor_id = vendors.values_list("pk", flat=True).first()
        if vendor_id is None:
            raise PermissionDenied(str(VENDOR_PROFILE_REQUIRED))
        return vendor_id
    now = timezone.now()
    due = _offers_due(now).filter(application__vendor=OuterRef("pk"))
    row = vendors.values_list("pk", Exists(due)).first()
    if row is None:
        raise PermissionDenied(str(VENDOR_PROFILE_REQUIRED))
    vendor_id, has_due = row
    if has_due:
        offers_expire_due(now=now, vendor=vendor_id, user=user)
    return vendor_id


# --- outlets and stalls ----------------------------------------------------------------------


def outlet_require_managed(*, user: AbstractBaseUser, outlet_ids: list[int]) -> None:
    """PermissionDenied unless `user` manages every one of these outlets.

    Any outlet manager may read every outlet; only an outlet's own managers change it, its
    stalls, the rounds over it and the leases of its stalls.
    """
    wanted = set(outlet_ids)
    managed = set(
        Outlet.managers.through.objects.filter(user_id=user.pk, outlet_id__in=wanted).values_list(
            "outlet_id", flat=True
        )
    )
    missing = sorted(wanted - managed)
    if missing:
        raise PermissionDenied(
            str(OUTLETS_NOT_MANAGED).format(ids=", ".join(str(pk) for pk in missing))
        )


def _require_round_managed(user: AbstractBaseUser, round_: AllocationRound) -> None:
    outlet_require_managed(user=user, outlet_ids=list(round_.outlets.values_list("pk", flat=True)))


@transaction.atomic
def outlet_create(
    *, user: AbstractBaseUser, asset_id: int, name: str, opening_hours: str = ""
) -> Outlet:
    """Open an outlet on an asset designated for economic use; the asset becomes `outlet`."""
    asset = Asset.objects.select_for_update().filter(pk=asset_id).first()
    if asset is None:
        raise ValidationError({"asset": [ASSET_UNKNOWN]})
    if Outlet.objects.filter(asset=asset).exists():
        raise Conflict(str(ASSET_HAS_OUTLET))
    if asset.status != AssetStatus.DESIGNATED_ECONOMIC:
        raise ValidationError({"asset": [ASSET_NOT_DESIGNATED]})
    # The status alone is not the decision: it must come from an approved reclassification
    # (four eyes), not from a row written past the register's rules.
    if not asset.reclassifications.filter(status=ReclassificationStatus.APPROVED).exists():
        raise ValidationError({"asset": [ASSET_NOT_RECLASSIFIED]})
    outlet = Outlet(asset=asset, name=name, opening_hours=opening_hours, manager=user)
    outlet.full_clean(validate_unique=False)
    outlet._history_user = user
    outlet.save()
    outlet.managers.add(user)  # whoever opens an outlet manages it
    asset.status = AssetStatus.OUTLET
    asset._history_user = user
    asset.save(update_fields=["status", "updated_at"])
    return outlet


@transaction.atomic
def outlet_update(*, outlet: Outlet, user: AbstractBaseUser, data: dict[str, Any]) -> Outlet:
    outlet_require_managed(user=user, outlet_ids=[outlet.pk])
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    unknown = sorted(set(data) - {"name", "opening_hours"})
    if unknown:
        raise ValidationError({field: [FIELD_NOT_WRITABLE] for field in unknown})
    for field, value in data.items():
        setattr(outlet, field, value)
    outlet.full_clean(validate_unique=False)
    outlet._history_user = user
    outlet.save()
    return outlet


STALL_FIELDS = ("code", "kind", "area_m2", "monthly_fee", "has_power", "has_water")


@transaction.atomic
def stalls_create(
    *, outlet: Outlet, user: AbstractBaseUser, items: list[dict[str, Any]], many: bool
) -> list[Stall]:
    """Add stalls to an outlet, all or nothing; with `many`, errors are keyed `<index>.<field>`."""
    outlet_require_managed(user=user, outlet_ids=[outlet.pk])
    if not items:
        raise ValidationError({"non_field_errors": [STALLS_EMPTY]})
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    taken = set(Stall.objects.filter(outlet=outlet).values_list("code", flat=True))
    seen: set[str] = set()
    errors: dict[str, list] = {}
    stalls = []
    for index, item in enumerate(items):
        prefix = f"{index}." if many else ""
        stall = Stall(outlet=outlet, **{k: v for k, v in item.items() if k in STALL_FIELDS})
        try:
            stall.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.update(_errors_with_prefix(exc, prefix))
        if stall.code in taken:
            errors.setdefault(f"{prefix}code", []).append(STALL_CODE_TAKEN)
        elif stall.code in seen:
            errors.setdefault(f"{prefix}code", []).append(STALL_CODE_REPEATED)
        seen.add(stall.code)
        stalls.append(stall)
    if errors:
        raise ValidationError(errors)
    for stall in stalls:
        stall._history_user = user
        stall.save()
    return stalls


# --- vendors ---------------------------------------------------------------------------------


def _kelurahan(code: str | None) -> District | None:
    if code in (None, ""):
        return None
    kelurahan = District.objects.filter(
        code=str(code).strip(), level=DistrictLevel.KELURAHAN, code__startswith="32.76."
    ).first()
    if kelurahan is None:
        raise ValidationError({"home_kelurahan_code": [KELURAHAN_UNKNOWN]})
    return kelurahan


def vendor_register(
    *,
    username: str,
    password: str,
    full_name: str,
    nik_value: str,
    phone: str,
    business_name: str,
    product_category: str,
    nib: str = "",
    wub_participant: bool = False,
    women_programme: bool = False,
    home_kelurahan_code: str | None = None,
) -> tuple[Vendor, Token]:
    """Create a vendor account (user in the `vendor` group, profile, token).

    The NIK is checked, then kept only encrypted, hashed and masked. One account per NIK.

    Whether a NIK already has an account is secret: it is looked up only once every other field
    (and the NIK's own shape, which anyone can check offline) is valid, so a request that fails
    anyway never tells. A taken NIK then gets the same answer as a NIK refused for a reason the
    caller could know herself (a holder under `nik.VENDOR_MIN_AGE`): `{"nik": [NIK_NOT_ACCEPTED]}`.
    The attempt is recorded on the owner's record (`DuplicateNikAttempt`) for an outlet manager
    to tell her. Two transactions, so the record outlives the refusal.
    """
    errors: dict[str, list] = {}
    info = None
    try:
        info = nik.nik_parse(nik_value)
    except nik.NikError as exc:
        errors["nik"] = [exc.message]
    if info is not None:
        errors.update(
            nik.programme_errors(
                info, wub_participant=wub_participant, women_programme=women_programme
            )
        )
    kelurahan = None
    try:
        kelurahan = _kelurahan(home_kelurahan_code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    user = User(username=username, first_name=full_name[:150])
    try:
        user.full_clean(exclude=["password", "first_name"], validate_unique=False)
    except ValidationError as exc:
        errors.update({k: v for k, v in exc.message_dict.items() if k == "username"})
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [USERNAME_TAKEN]
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    vendor = Vendor(
        full_name=full_name,
        phone=phone,
        business_name=business_name,
        product_category=product_category,
        nib=nib or "",
        wub_participant=wub_participant,
        women_programme=women_programme,
        home_kelurahan=kelurahan,
    )
    try:
        vendor.full_clean(
            exclude=[*NIK_DERIVED, "user", "home_kelurahan"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)

    nik_value = nik_value.strip()
    digest = nik.nik_hash(nik_value)
    if _nik_refused(digest, info):
        raise ValidationError({"nik": [NIK_NOT_ACCEPTED]})
    vendor.nik_encrypted = nik.nik_encrypt(nik_value)
    vendor.nik_hash = digest
    vendor.nik_masked = nik.nik_mask(nik_value)
    vendor.gender = info.gender
    vendor.birth_date = info.birth_date
    try:
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=VENDOR))
            vendor.user = user
            vendor._history_user = user
            vendor.save()
            token, _created = Token.objects.get_or_create(user=user)
    except IntegrityError:
        # A registration of the same NIK or username committed since the checks above.
        if _nik_refused(digest, info):
            raise ValidationError({"nik": [NIK_NOT_ACCEPTED]}) from None
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": [USERNAME_TAKEN]}) from None
        raise
    return vendor, token


# Set from the NIK by the service, never by the caller.
NIK_DERIVED = ("nik_encrypted", "nik_hash", "nik_masked", "gender", "birth_date")


def _nik_refused(digest: str, info: nik.NikInfo) -> bool:
    """Whether a well-formed NIK is refused; a taken one leaves a `DuplicateNikAttempt`."""
    with transaction.atomic():
        owner = Vendor.objects.filter(nik_hash=digest).values_list("pk", flat=True).first()
        if owner is not None:
            request = current_request()
            DuplicateNikAttempt.objects.create(
                vendor_id=owner, request_id=request.request_id if request else ""
            )
            return True
    return info.age_on(nik.city_today()) < nik.VENDOR_MIN_AGE


VENDOR_WRITABLE = frozenset(
    {
        "full_name", "phone", "business_name", "product_category", "nib", "wub_participant",
        "women_programme", "home_kelurahan_code",
    }
)  # fmt: skip


@transaction.atomic
def vendor_update(*, vendor: Vendor, user: AbstractBaseUser, data: dict[str, Any]) -> Vendor:
    """Change a vendor's profile; programme claims are re-checked against the stored NIK.

    A changed claim (programme membership, home kelurahan) loses its verification. While she has
    a submitted application in a round not yet allocated, her claims cannot change at all (409):
    the round's priorities are read from them.
    """
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    unknown = sorted(set(data) - VENDOR_WRITABLE)
    if unknown:
        raise ValidationError({field: [FIELD_NOT_WRITABLE] for field in unknown})
    claimed_before = _claimed(vendor)
    errors: dict[str, list] = {}
    for field, value in data.items():
        if field == "home_kelurahan_code":
            try:
                vendor.home_kelurahan = _kelurahan(value)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        else:
            setattr(vendor, field, value if value is not None or field != "nib" else "")
    if vendor.wub_participant or vendor.women_programme:
        info = nik.nik_parse(nik.nik_decrypt(vendor.nik_encrypted))
        errors.update(
            nik.programme_errors(
                info,
                wub_participant=vendor.wub_participant,
                women_programme=vendor.women_programme,
            )
        )
    if errors:
        raise ValidationError(errors)
    changed = [c for c, value in _claimed(vendor).items() if value != claimed_before[c]]
    if changed and _claims_in_use(vendor):
        raise Conflict(str(CLAIMS_LOCKED))
    vendor.full_clean(exclude=["user", "nik_hash"], validate_constraints=False)
    vendor._history_user = user
    vendor.save()
    now = timezone.now()
    for verification in vendor.claim_verifications.filter(claim__in=changed, revoked_at=None):
        verification.revoked_at = now
        verification._history_user = user
        verification.save(update_fields=["revoked_at"])
    return vendor


def _claimed(vendor: Vendor) -> dict[str, object]:
    """Each claim's value: the two programme flags and the home kelurahan's code."""
    return {
        Claim.WUB: vendor.wub_participant,
        Claim.WOMEN: vendor.women_programme,
        Claim.DOMICILE: vendor.home_kelurahan_id,
    }


def _claims_in_use(vendor: Vendor) -> bool:
    """Whether a round still to be allocated holds a submitted application of hers."""
    return Application.objects.filter(
        vendor=vendor,
        status=ApplicationStatus.SUBMITTED,
        round__status__in=[RoundStatus.OPEN, RoundStatus.CLOSED],
    ).exists()


@transaction.atomic
def vendor_claims_verify(
    *, vendor: Vendor, user: AbstractBaseUser, claims: list[str], reason: str
) -> Vendor:
    """An outlet manager verifies some of a vendor's claims, saying what she checked.

    Only a claim the vendor makes can be verified (a programme flag set, a home kelurahan
    given); a claim verified already keeps its first verification.
    """
    errors: dict[str, list] = {}
    if not (reason or "").strip():
        errors["reason"] = [VERIFY_REASON_REQUIRED]
    if not claims:
        errors["claims"] = [CLAIMS_REQUIRED]
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    claimed = _claimed(vendor)
    not_made = [c for c in claims if not claimed.get(c)]
    if not_made:
        errors["claims"] = [str(CLAIM_NOT_MADE).format(claim=c) for c in not_made]
    if errors:
        raise ValidationError(errors)
    live = set(vendor.claim_verifications.filter(revoked_at=None).values_list("claim", flat=True))
    now = timezone.now()
    for claim in dict.fromkeys(claims):
        if claim in live:
            continue
        verification = ClaimVerification(
            vendor=vendor, claim=claim, reason=reason.strip(), verified_by=user, verified_at=now
        )
        verification.full_clean(exclude=["vendor", "verified_by"], validate_constraints=False)
        verification._history_user = user
        verification.save()
    return vendor


# --- rounds ----------------------------------------------------------------------------------

ROUND_FIELDS = (
    "name", "opens_at", "closes_at", "acceptance_days", "lease_months", "women_reserve_share",
    "category_cap", "max_choices",
)  # fmt: skip


@transaction.atomic
def round_create(*, user: AbstractBaseUser, data: dict[str, Any]) -> AllocationRound:
    """A draft round over `data["outlets"]` (ids) with the published parameters."""
    outlet_ids = sorted(set(data.get("outlets") or []))
    errors: dict[str, list] = {}
    outlets = list(Outlet.objects.filter(pk__in=outlet_ids))
    if not outlet_ids:
        errors["outlets"] = [OUTLETS_REQUIRED]
    elif len(outlets) != len(outlet_ids):
        missing = sorted(set(outlet_ids) - {o.pk for o in outlets})
        errors["outlets"] = [str(OUTLETS_UNKNOWN).format(ids=", ".join(map(str, missing)))]
    round_ = AllocationRound(created_by=user, **{k: data[k] for k in ROUND_FIELDS if k in data})
    try:
        round_.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        isinstance(round_.opens_at, datetime)
        and isinstance(round_.closes_at, datetime)
        and round_.closes_at <= round_.opens_at
    ):
        errors.setdefault("closes_at", []).append(CLOSES_BEFORE_OPENS)
    if round_.category_cap is not None and (round_.women_reserve_share or 0) > 0:
        errors.setdefault("category_cap", []).append(RESERVE_WITH_CAP)
    if errors:
        raise ValidationError(errors)
    outlet_require_managed(user=user, outlet_ids=outlet_ids)
    round_._history_user = user
    round_.save()
    round_.outlets.set(outlets)
    return round_


def _locked_round(round_id: int) -> AllocationRound:
    return AllocationRound.objects.select_for_update().get(pk=round_id)


@transaction.atomic
def round_open(*, round_: AllocationRound, user: AbstractBaseUser) -> AllocationRound:
    """Open a draft round: draw the seed now, publish only its SHA-256 commitment."""
    round_ = _locked_round(round_.pk)
    _require_round_managed(user, round_)
    if round_.status != RoundStatus.DRAFT:
        raise Conflict(str(ROUND_NOT_DRAFT))
    round_.seed = secrets.token_hex(32)
    round_.seed_commitment = seed_commitment(round_.seed)
    round_.status = RoundStatus.OPEN
    round_.opened_at = timezone.now()
    round_._history_user = user
    round_.save()
    return round_


@transaction.atomic
def round_close(*, round_: AllocationRound, user: AbstractBaseUser) -> AllocationRound:
    round_ = _locked_round(round_.pk)
    _require_round_managed(user, round_)
    if round_.status != RoundStatus.OPEN:
        raise Conflict(str(ROUND_NOT_OPEN))
    round_.status = RoundStatus.CLOSED
    round_.closed_at = timezone.now()
    round_._history_user = user
    round_.save()
    return round_


CHUNK = 1000


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _verified_claims(vendor_ids: list[int]) -> dict[int, set[str]]:
    """Vendor id -> the claims with a live verification."""
    verified: dict[int, set[str]] = defaultdict(set)
    for ids in _chunks(sorted(set(vendor_ids))):
        rows = ClaimVerification.objects.filter(vendor_id__in=ids, revoked_at=None)
        for vendor_id, claim in rows.values_list("vendor_id", "claim"):
            verified[vendor_id].add(claim)
    return verified


def _claims_counted(vendor: Vendor, verified: set[str]) -> dict[str, dict[str, bool]]:
    """Each claim of the vendor: whether she makes it, and whether it is verified (and counts)."""
    out = {}
    for claim, value in _claimed(vendor).items():
        made = bool(value)
        out[str(claim)] = {"claimed": made, "verified": made and claim in verified}
    return out


def _group_figures(result: allocation.AllocationResult) -> list[dict]:
    figures = []
    for key in sorted(result.groups):
        group = result.groups[key]
        figures.append(
            {
                "outlet": key[0],
                "stall_kind": key[1],
                "capacity": group.capacity,
                "reserved": group.reserved,
                "assigned": len(group.assigned),
                "cutoff": priority_json(group.cutoff),
                "reserved_assigned": len(getattr(group, "reserved_assigned", ()) or ()),
                "reserved_cutoff": priority_json(getattr(group, "reserved_cutoff", None)),
                "capped_categories": list(getattr(group, "capped_categories", ()) or ()),
            }
        )
    return figures


@transaction.atomic
def round_allocate(*, round_: AllocationRound, user: AbstractBaseUser) -> AllocationRound:
    """Allocate a closed round once: run the engine, offer stalls, store the audit record.

    The round row is locked first, so a second call waits and then finds the round allocated;
    the one-to-one AllocationRun is the last guard. Each group's vacant stalls go to its
    assigned vendors in stall-code order, the best priority taking the first code.
    """
    round_ = _locked_round(round_.pk)
    _require_round_managed(user, round_)
    if (
        round_.status == RoundStatus.ALLOCATED
        or AllocationRun.objects.filter(round=round_).exists()
    ):
        raise Conflict(str(ROUND_ALREADY_ALLOCATED))
    if round_.status != RoundStatus.CLOSED:
        raise Conflict(str(ROUND_NOT_CLOSED))
    now = timezone.now()

    outlets = {o.pk: o for o in round_.outlets.select_related("asset").defer("asset__geometry")}
    stalls = list(
        Stall.objects.select_for_update().filter(outlet_id__in=list(outlets)).order_by("pk")
    )
    vacant: dict[tuple[int, str], list[Stall]] = defaultdict(list)
    kinds: set[tuple[int, str]] = set()
    for stall in stalls:
        kinds.add((stall.outlet_id, stall.kind))
        if stall.status == StallStatus.VACANT:
            vacant[(stall.outlet_id, stall.kind)].append(stall)
    for group_stalls in vacant.values():
        group_stalls.sort(key=lambda s: natural_key(s.code))
    groups = [
        allocation.Group(
            key=key,
            capacity=len(vacant.get(key, ())),
            kecamatan_code=outlets[key[0]].asset.kecamatan_id or "",
        )
        for key in sorted(kinds)
    ]

    applications = list(
        Application.objects.filter(round=round_, status=ApplicationStatus.SUBMITTED)
        .select_related("vendor")
        .prefetch_related("choices")
        .order_by("pk")
    )
    # kelurahan -> kecamatan from the 63 codes, not by joining each vendor to a boundary row
    kecamatan_of = dict(
        District.objects.filter(level=DistrictLevel.KELURAHAN).values_list("code", "parent_id")
    )
    verified = _verified_claims([app.vendor_id for app in applications])
    applicants, claims_of = [], {}
    for app in applications:
        vendor = app.vendor
        claims = _claims_counted(vendor, verified.get(vendor.pk, set()))
        claims_of[app.pk] = claims
        # An unverified claim counts as not made: not a member, not resident.
        applicants.append(
            allocation.Applicant(
                application_id=app.pk,
                choices=tuple((c.outlet_id, c.stall_kind) for c in app.choices.all()),
                wub_participant=claims[Claim.WUB]["verified"],
                women_programme=claims[Claim.WOMEN]["verified"],
                kecamatan_code=(
                    kecamatan_of.get(vendor.home_kelurahan_id)
                    if claims[Claim.DOMICILE]["verified"]
                    else None
                ),
                product_category=vendor.product_category,
            )
        )
    params = allocation.Params(
        seed=round_.seed,
        women_reserve_share=float(round_.women_reserve_share),
        category_cap=round_.category_cap,
    )
    result = allocation.allocate(groups, applicants, params)
    input_sha256 = hashlib.sha256(
        allocation.canonical_input(groups, applicants, params)
    ).hexdigest()
    AllocationRun.objects.create(
        round=round_,
        seed=round_.seed,
        input_sha256=input_sha256,
        engine_version=allocation.ENGINE_VERSION,
        figures={"counts": dict(result.counts), "groups": _group_figures(result)},
        created_by=user,
    )

    # Stalls: the k-th best assigned vendor of a group gets its k-th vacant stall by code.
    stall_for: dict[int, Stall] = {}
    for key, group in result.groups.items():
        for app_id, stall in zip(group.assigned, vacant.get(key, ()), strict=False):
            stall_for[app_id] = stall
    expires_at = now + timedelta(days=round_.acceptance_days)
    offers, offered_stalls, choices = [], [], []
    for app in applications:
        for choice, key in zip(app.choices.all(), result.priorities.get(app.pk, ()), strict=False):
            choices.append(
                ApplicationChoice(
                    application_id=app.pk,
                    rank=choice.rank,
                    outlet_id=choice.outlet_id,
                    stall_kind=choice.stall_kind,
                    priority=priority_json(key),
                )
            )
        stall = stall_for.get(app.pk)
        if stall is None:
            continue
        offers.append(
            Offer(
                application=app,
                stall=stall,
                choice_rank=result.choice_rank[app.pk],
                status=OfferStatus.OPEN,
                expires_at=expires_at,
            )
        )
        stall.status = StallStatus.OFFERED
        stall.updated_at = now
        offered_stalls.append(stall)
    # Set-based writes: bulk_update's CASE per row grows with the square of the batch, and a
    # round may hold tens of thousands of choices. The choices are rewritten with their
    # priorities (nothing refers to a choice row); statuses move with chunked UPDATEs.
    # (The round is locked and closed: its submitted applications are exactly `applications`.)
    ApplicationChoice.objects.filter(
        application__round=round_, application__status=ApplicationStatus.SUBMITTED
    ).delete()
    ApplicationChoice.objects.bulk_create(choices, batch_size=CHUNK)
    assigned_ids = [offer.application_id for offer in offers]
    Application.objects.filter(round=round_, status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.UNASSIGNED, updated_at=now
    )
    for ids in _chunks(assigned_ids):
        Application.objects.filter(pk__in=ids).update(
            status=ApplicationStatus.ASSIGNED, updated_at=now
        )
    # The claims as counted, one UPDATE per distinct combination (at most 27 of them).
    by_claims: dict[str, list[int]] = defaultdict(list)
    for app_id, claims in claims_of.items():
        by_claims[json.dumps(claims, sort_keys=True)].append(app_id)
    for claims_json, app_ids in by_claims.items():
        for ids in _chunks(app_ids):
            Application.objects.filter(pk__in=ids).update(claims=json.loads(claims_json))
    for stalls_chunk in _chunks(offered_stalls):
        Stall.objects.filter(pk__in=[stall.pk for stall in stalls_chunk]).update(
            status=StallStatus.OFFERED, updated_at=now
        )
    if offered_stalls:
        Stall.history.bulk_history_create(
            offered_stalls, batch_size=CHUNK, update=True, default_user=user, default_date=now
        )
    if offers:
        bulk_create_with_history(offers, Offer, batch_size=CHUNK, default_user=user)

    # The bulk writes bypass the history signals the audit trail listens to: one summary event.
    audit_record(
        action=AuditAction.BULK,
        object_type="outlets.offer",
        object_repr=f"Allocation of round {round_.pk}",
        user=user,
        changes={"offers_created": [0, len(offers)], "stalls_offered": [0, len(offered_stalls)]},
    )
    round_.status = RoundStatus.ALLOCATED
    round_.allocated_at = now
    round_._history_user = user
    round_.save()
    return round_


# --- applications ----------------------------------------------------------------------------


def _validated_choices(round_: AllocationRound, choices: list[dict]) -> list[tuple[int, str]]:
    if not choices:
        raise ValidationError({"choices": [CHOICES_REQUIRED]})
    if len(choices) > round_.max_choices:
        raise ValidationError(
            {"choices": [str(CHOICES_TOO_MANY).format(max_choices=round_.max_choices)]}
        )
    groups = set(
        Stall.objects.filter(outlet__in=round_.outlets.all())
        .values_list("outlet_id", "kind")
        .distinct()
    )
    keys: list[tuple[int, str]] = []
    for rank, choice in enumerate(choices, start=1):
        key = (choice["outlet"], choice["stall_kind"])
        if key in keys:
            raise ValidationError({"choices": [str(CHOICE_REPEATED).format(rank=rank)]})
        if key not in groups or key[1] not in StallKind.values:
            raise ValidationError({"choices": [str(CHOICE_NOT_IN_ROUND).format(rank=rank)]})
        keys.append(key)
    return keys


def _round_shared(round_id: int) -> AllocationRound:
    """The round, locked against closing and allocating but not against other applications.

    On PostgreSQL a FOR SHARE row lock: vendors' applications run side by side, and
    `round_close`/`round_allocate` (FOR UPDATE) wait until those in flight commit, so none lands
    after the round closed. SQLite serialises writers itself.
    """
    if connection.vendor != "postgresql":
        return AllocationRound.objects.get(pk=round_id)
    table = connection.ops.quote_name(AllocationRound._meta.db_table)
    found = list(
        AllocationRound.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [round_id])
    )
    if not found:
        raise AllocationRound.DoesNotExist
    return found[0]


def _round_accepting(round_id: int) -> AllocationRound:
    round_ = _round_shared(round_id)
    if round_.status != RoundStatus.OPEN:
        raise Conflict(str(ROUND_NOT_OPEN))
    if timezone.now() >= round_.closes_at:
        raise Conflict(str(ROUND_DEADLINE_PASSED))
    return round_


def _save_choices(application: Application, keys: list[tuple[int, str]]) -> None:
    ApplicationChoice.objects.bulk_create(
        [
            ApplicationChoice(application=application, rank=rank, outlet_id=o, stall_kind=k)
            for rank, (o, k) in enumerate(keys, start=1)
        ]
    )


@transaction.atomic
def application_create(
    *, round_: AllocationRound, user: AbstractBaseUser, choices: list[dict]
) -> Application:
    """A vendor's application to an open round: ranked distinct groups of the round."""
    vendor = vendor_for_user(user)
    round_ = _round_accepting(round_.pk)
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    keys = _validated_choices(round_, choices)
    live = Application.objects.filter(round=round_, vendor=vendor).exclude(
        status=ApplicationStatus.WITHDRAWN
    )
    if live.exists():
        raise Conflict(str(APPLICATION_EXISTS))
    application = Application.objects.create(round=round_, vendor=vendor)
    _save_choices(application, keys)
    return application


def _locked_application(application: Application) -> tuple[Application, AllocationRound]:
    round_ = _round_accepting(application.round_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(str(APPLICATION_NOT_SUBMITTED))
    return application, round_


@transaction.atomic
def application_update(
    *, application: Application, user: AbstractBaseUser, choices: list[dict]
) -> Application:
    """Replace the choices of a submitted application while the round is open."""
    application, round_ = _locked_application(application)
    keys = _validated_choices(round_, choices)
    application.choices.all().delete()
    _save_choices(application, keys)
    application.save(update_fields=["updated_at"])
    return application


@transaction.atomic
def application_withdraw(*, application: Application, user: AbstractBaseUser) -> Application:
    application, _round = _locked_application(application)
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return application


# --- offers and leases -----------------------------------------------------------------------


def _expire(offer: Offer, stall: Stall, *, now: datetime, user: AbstractBaseUser | None) -> None:
    offer.status = OfferStatus.EXPIRED
    offer.decided_at = now
    offer._history_user = user
    offer.save(update_fields=["status", "decided_at"])
    if stall.status == StallStatus.OFFERED:
        stall.status = StallStatus.VACANT
        stall._history_user = user
        stall.save(update_fields=["status", "updated_at"])


def _offers_due(now: datetime):
    """Open offers whose time is up at `now`."""
    return Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now)


def offers_expire_due(
    *, now: datetime | None = None, vendor: Vendor | int | None = None, user=None
) -> int:
    """Expire every open offer past its `expires_at` (of one vendor, if given); free the stalls.

    Finding none (the usual case) takes one read and no transaction; the offers found are
    locked and checked again before they are expired.
    """
    now = now or timezone.now()
    due = _offers_due(now)
    if vendor is not None:
        due = due.filter(application__vendor=vendor)
    ids = list(due.values_list("pk", flat=True).order_by("pk"))
    if not ids:
        return 0
    with transaction.atomic():
        # Checked again under the lock: another request may have decided one meanwhile.
        offers = list(_offers_due(now).select_for_update().filter(pk__in=ids).order_by("pk"))
        stalls = {
            s.pk: s
            for s in Stall.objects.select_for_update()
            .filter(pk__in=[o.stall_id for o in offers])
            .order_by("pk")
        }
        for offer in offers:
            _expire(offer, stalls[offer.stall_id], now=now, user=user)
    return len(offers)


def _locked_offer(offer: Offer) -> tuple[Offer, Stall]:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    stall = Stall.objects.select_for_update().get(pk=offer.stall_id)
    return offer, stall


def offer_accept(*, offer: Offer, user: AbstractBaseUser) -> Offer:
    """Accept an offer: a lease for the round's lease months at the stall's fee.

    Accepting again answers with the same lease. An offer found past its time is expired (and
    its stall freed) before the 409 is raised, so the expiry is kept.
    """
    expired = False
    with transaction.atomic():
        offer, stall = _locked_offer(offer)
        if offer.status == OfferStatus.ACCEPTED:
            return offer
        if offer.status == OfferStatus.OPEN and offer.expires_at <= timezone.now():
            _expire(offer, stall, now=timezone.now(), user=user)
            expired = True
        elif offer.status != OfferStatus.OPEN:
            raise Conflict(
                str(OFFER_EXPIRED if offer.status == OfferStatus.EXPIRED else OFFER_NOT_OPEN)
            )
        else:
            application = Application.objects.select_related("round", "vendor").get(
                pk=offer.application_id
            )
            vendor = application.vendor
            if Lease.objects.filter(vendor=vendor, status=LeaseStatus.ACTIVE).exists():
                raise Conflict(str(VENDOR_HAS_LEASE))
            if Lease.objects.filter(stall=stall, status=LeaseStatus.ACTIVE).exists():
                raise Conflict(str(STALL_ALREADY_LEASED))
            now = timezone.now()
            # The lease starts on the city's date, whatever zone the request is served in.
            start = timezone.localdate(now, timezone.get_default_timezone())
            lease = Lease(
                offer=offer,
                stall=stall,
                vendor=vendor,
                start_date=start,
                end_date=add_months(start, application.round.lease_months),
                monthly_fee=stall.monthly_fee,
                status=LeaseStatus.ACTIVE,
            )
            lease.full_clean(validate_unique=False, validate_constraints=False)
            lease._history_user = user
            lease.save()
            offer.status = OfferStatus.ACCEPTED
            offer.decided_at = now
            offer._history_user = user
            offer.save(update_fields=["status", "decided_at"])
            stall.status = StallStatus.LEASED
            stall._history_user = user
            stall.save(update_fields=["status", "updated_at"])
            return offer
    if expired:
        raise Conflict(str(OFFER_EXPIRED))
    return offer  # pragma: no cover - every branch above returns or raises


def offer_decline(*, offer: Offer, user: AbstractBaseUser) -> Offer:
    """Decline an open offer; the stall is vacant again (for a follow-up round)."""
    expired = False
    with transaction.atomic():
        offer, stall = _locked_offer(offer)
        if offer.status == OfferStatus.DECLINED:
            return offer
        now = timezone.now()
        if offer.status == OfferStatus.OPEN and offer.expires_at <= now:
            _expire(offer, stall, now=now, user=user)
            expired = True
        elif offer.status != OfferStatus.OPEN:
            raise Conflict(
                str(OFFER_EXPIRED if offer.status == OfferStatus.EXPIRED else OFFER_NOT_OPEN)
            )
        else:
            offer.status = OfferStatus.DECLINED
            offer.decided_at = now
            offer._history_user = user
            offer.save(update_fields=["status", "decided_at"])
            stall.status = StallStatus.VACANT
            stall._history_user = user
            stall.save(update_fields=["status", "updated_at"])
            return offer
    if expired:
        raise Conflict(str(OFFER_EXPIRED))
    return offer  # pragma: no cover


@transaction.atomic
def lease_terminate(*, lease: Lease, user: AbstractBaseUser, reason: str) -> Lease:
    """End an active lease early, with the reason; the stall becomes vacant."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    stall = Stall.objects.select_for_update().get(pk=lease.stall_id)
    outlet_require_managed(user=user, outlet_ids=[stall.outlet_id])
    if lease.status != LeaseStatus.ACTIVE:
        raise Conflict(str(LEASE_NOT_ACTIVE))
    lease.status = LeaseStatus.TERMINATED
    lease.termination_reason = reason.strip()
    lease.terminated_at = timezone.now()
    lease.terminated_by = user
    lease._history_user = user
    lease.save()
    stall.status = StallStatus.VACANT
    stall._history_user = user
    stall.save(update_fields=["status", "updated_at"])
    return lease
