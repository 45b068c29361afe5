"""Writes for vendors: registration (the NIK kept only encrypted, hashed and masked), profile
changes, and outlet managers' verification of her claims.

No message and no error raised here contains a NIK."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from core.context import current_request
from core.errors import Conflict
from core.roles import VENDOR
from geodata.models import District, DistrictLevel
from outlets import nik
from outlets.models import (
    Application,
    ApplicationStatus,
    Claim,
    ClaimVerification,
    DuplicateNikAttempt,
    RoundStatus,
    Vendor,
)
from outlets.services._common import (
    FIELD_NOT_WRITABLE,
)
from programme.services import match_registered_vendor

# Vendors
NIK_NOT_ACCEPTED = _("This NIK cannot be registered; ask an outlet manager.")
USERNAME_TAKEN = _("This username is not available.")
KELURAHAN_UNKNOWN = _("Not a Kota Depok kelurahan code (e.g. 32.76.06.1002).")
FIELD_REQUIRED = _("This field is required.")
VENDOR_PROFILE_REQUIRED = _("Only a registered vendor can do this.")
CLAIMS_LOCKED = _(
    "Programme and domicile claims cannot change while you have an application in a round "
    "that has not been allocated yet; withdraw it or wait for the results."
)
CLAIMS_REQUIRED = _("Name at least one claim to verify.")
CLAIM_NOT_MADE = _("The vendor does not claim {claim}; only a claim she makes can be verified.")
VERIFY_REASON_REQUIRED = _("Say what was checked (e.g. the programme list, the KTP address).")
WUB_NOT_ELIGIBLE = _(
    "The Wira Usaha Baru programme is for residents of Kota Depok (a Depok kelurahan as the "
    "KTP address) aged 17 or over."
)
WOMEN_NOT_ELIGIBLE = _(
    "The women-entrepreneur programme is for women living in Kota Depok (a Depok kelurahan as "
    "the KTP address) aged 18 or over."
)


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


def vendor_id_for_user(user: AbstractBaseUser) -> int:
    """The id of the user's vendor profile (PermissionDenied without one)."""
    vendor_id = Vendor.objects.filter(user=user).values_list("pk", flat=True).first()
    if vendor_id is None:
        raise PermissionDenied(str(VENDOR_PROFILE_REQUIRED))
    return vendor_id


User = get_user_model()


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
    email: str = "",
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
    kelurahan = None
    kelurahan_valid = True
    try:
        kelurahan = _kelurahan(home_kelurahan_code)
    except ValidationError as exc:
        kelurahan_valid = False
        errors.update(exc.message_dict)
    if info is not None and kelurahan_valid:
        errors.update(
            programme_errors(
                info,
                kelurahan,
                wub_participant=wub_participant,
                women_programme=women_programme,
            )
        )
    user = User(username=username, first_name=full_name[:150], email=(email or "").strip())
    try:
        user.full_clean(exclude=["password", "first_name"], validate_unique=False)
    except ValidationError as exc:
        errors.update({k: v for k, v in exc.message_dict.items() if k in ("username", "email")})
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
            match_registered_vendor(vendor)  # on a cohort list: a verified member (issue 20)
    except IntegrityError:
        # A registration of the same NIK or username committed since the checks above.
        if _nik_refused(digest, info):
            raise ValidationError({"nik": [NIK_NOT_ACCEPTED]}) from None
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": [USERNAME_TAKEN]}) from None
        raise
    return vendor, token


def programme_errors(
    info: nik.NikInfo,
    kelurahan: District | None,
    *,
    wub_participant: bool,
    women_programme: bool,
) -> dict[str, list]:
    """The programme claims the vendor cannot make, as {"field": [message]} (empty if none).

    Eligibility is by domicile: the KTP address's kelurahan (`home_kelurahan`, a Depok kelurahan;
    None means outside Kota Depok). The NIK's first six digits say only where it was first
    issued and never change when its holder moves, so they decide nothing here; the NIK gives
    the age and, for the women's programme, the sex.
    """
    today = nik.city_today()
    resident = kelurahan is not None
    errors: dict[str, list] = {}
    if wub_participant and not (resident and info.age_on(today) >= nik.WUB_MIN_AGE):
        errors["wub_participant"] = [WUB_NOT_ELIGIBLE]
    if women_programme and not (
        resident and info.gender == "F" and info.age_on(today) >= nik.WOMEN_PROGRAMME_MIN_AGE
    ):
        errors["women_programme"] = [WOMEN_NOT_ELIGIBLE]
    return errors


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
    claimed_before = vendor_claimed(vendor)
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
            programme_errors(
                info,
                vendor.home_kelurahan,
                wub_participant=vendor.wub_participant,
                women_programme=vendor.women_programme,
            )
        )
    if errors:
        raise ValidationError(errors)
    changed = [c for c, value in vendor_claimed(vendor).items() if value != claimed_before[c]]
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


def vendor_claimed(vendor: Vendor) -> dict[str, object]:
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
    claimed = vendor_claimed(vendor)
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
