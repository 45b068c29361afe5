"""The Nomor Induk Kependudukan (NIK): validation, programme checks, encryption, hashing, masking.

A NIK is 16 digits: province (1-2), regency or city (3-4), kecamatan (5-6) of the Kemendagri
region code where it was issued, the birth date as DDMMYY (7-12, day + 40 for women), and a
sequence number (13-16, never 0000). `nik_parse` checks all of that and returns what can be
derived; nothing in this module ever puts the NIK itself into an exception, a message or a log.

Storage: the NIK is encrypted with Fernet (`NIK_ENCRYPTION_KEY`; several comma-separated keys
rotate, the first encrypts), matched through an HMAC-SHA256 keyed hash (`NIK_HASH_KEY`), and shown
only masked (`3276********0001`). In development, with the keys unset, both are derived from
SECRET_KEY with HKDF under distinct labels; production settings refuse to start without them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Province codes as Kemendagri assigns them (Kepmendagri 300.2.2-2430/2025). Papua and Papua
# Barat carried 94 and 91 before the 2022 split and 91 and 92 after it, and the four new Papua
# provinces are 93-96: NIKs issued under either numbering stay valid for life, so all are here.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36",
        "51", "52", "53",
        "61", "62", "63", "64", "65",
        "71", "72", "73", "74", "75", "76",
        "81", "82",
        "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip
DEPOK_REGION = "3276"  # Jawa Barat (32), Kota Depok (76)
DEPOK_KECAMATAN_COUNT = 11  # kecamatan 01..11
WUB_MIN_AGE = 17
# A vendor account is for a KTP holder: the KTP-el is issued from age 17 (UU 24/2013 art. 63).
VENDOR_MIN_AGE = 17
WOMEN_PROGRAMME_MIN_AGE = 18

NIK_FORMAT = _("A NIK is exactly 16 digits.")
NIK_PROVINCE = _("The NIK's province code (digits 1-2) is not an Indonesian province.")
NIK_REGENCY = _("The NIK's regency code (digits 3-4) must be 01-99.")
NIK_KECAMATAN = _("The NIK's kecamatan code (digits 5-6) is not a valid kecamatan.")
NIK_BIRTH_DATE = _("The NIK's birth date (digits 7-12, DDMMYY) is not a valid past date.")
NIK_SEQUENCE = _("The NIK's sequence number (digits 13-16) cannot be 0000.")
WUB_NOT_ELIGIBLE = _(
    "The Wira Usaha Baru programme is for residents of Kota Depok (a Depok NIK) aged 17 or over."
)
WOMEN_NOT_ELIGIBLE = _(
    "The women-entrepreneur programme is for women of Kota Depok (a Depok NIK) aged 18 or over."
)

_DIGITS = re.compile(r"^[0-9]{16}$")


class NikError(ValueError):
    """An invalid NIK. The message is one of this module's constants and never holds the NIK."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK tells: the region it was issued in, the holder's sex and birth date."""

    region: str  # six digits: province, regency, kecamatan
    gender: str  # "F" or "M"
    birth_date: date

    @property
    def is_depok(self) -> bool:
        return self.region[:4] == DEPOK_REGION and 1 <= int(self.region[4:6]) <= (
            DEPOK_KECAMATAN_COUNT
        )

    @property
    def depok_kecamatan_code(self) -> str | None:
        """The Kemendagri kecamatan code (e.g. `32.76.06`) for a Depok NIK, else None."""
        if not self.is_depok:
            return None
        return f"{self.region[:2]}.{self.region[2:4]}.{self.region[4:6]}"

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def city_today() -> date:
    """Today in Depok (the API itself runs in UTC)."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def age_on(birth_date: date, day: date) -> int:
    """Completed years from `birth_date` to `day`."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _birth_date(dd: int, mm: int, yy: int, today: date) -> date | None:
    """The latest real date DD-MM-(19|20)YY that is not after today, or None."""
    for century in (2000, 1900):
        try:
            candidate = date(century + yy, mm, dd)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def nik_parse(value: object, *, today: date | None = None) -> NikInfo:
    """Validate a NIK and return what it tells; raises NikError with a constant message."""
    text = value.strip() if isinstance(value, str) else ""
    if not _DIGITS.match(text):
        raise NikError(NIK_FORMAT)
    province, regency, kecamatan = text[0:2], text[2:4], text[4:6]
    if province not in PROVINCE_CODES:
        raise NikError(NIK_PROVINCE)
    if regency == "00":
        raise NikError(NIK_REGENCY)
    if kecamatan == "00" or (
        province + regency == DEPOK_REGION and int(kecamatan) > DEPOK_KECAMATAN_COUNT
    ):
        raise NikError(NIK_KECAMATAN)
    day, month, year = int(text[6:8]), int(text[8:10]), int(text[10:12])
    gender = "M"
    if day > 40:
        gender, day = "F", day - 40
    born = _birth_date(day, month, year, today or city_today())
    if day < 1 or born is None:
        raise NikError(NIK_BIRTH_DATE)
    if text[12:16] == "0000":
        raise NikError(NIK_SEQUENCE)
    return NikInfo(region=text[:6], gender=gender, birth_date=born)


def programme_errors(
    info: NikInfo, *, wub_participant: bool, women_programme: bool, today: date | None = None
) -> dict[str, list]:
    """The programme claims the NIK does not support, as {"field": [message]} (empty if none)."""
    today = today or city_today()
    errors: dict[str, list] = {}
    if wub_participant and not (info.is_depok and info.age_on(today) >= WUB_MIN_AGE):
        errors["wub_participant"] = [WUB_NOT_ELIGIBLE]
    if women_programme and not (
        info.is_depok and info.gender == "F" and info.age_on(today) >= WOMEN_PROGRAMME_MIN_AGE
    ):
        errors["women_programme"] = [WOMEN_NOT_ELIGIBLE]
    return errors


def nik_mask(nik: str) -> str:
    """`3276********0001`: the region's first four digits and the sequence number only."""
    return f"{nik[:4]}{'*' * 8}{nik[12:]}"


def _derive(label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(
        settings.SECRET_KEY.encode()
    )


@lru_cache(maxsize=4)
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(b"depok-nik-encryption-v1")))])


@lru_cache(maxsize=4)
def _hash_key(key: str, secret_key: str) -> bytes:
    return key.encode() if key else _derive(b"depok-nik-lookup-hash-v1")


def nik_encrypt(nik: str) -> str:
    return _fernet(settings.NIK_ENCRYPTION_KEY, settings.SECRET_KEY).encrypt(nik.encode()).decode()


def nik_decrypt(token: str) -> str:
    return (
        _fernet(settings.NIK_ENCRYPTION_KEY, settings.SECRET_KEY).decrypt(token.encode()).decode()
    )


def nik_hash(nik: str) -> str:
    """HMAC-SHA256 of the NIK under the hash key: equal NIKs match, the hash reveals nothing."""
    key = _hash_key(settings.NIK_HASH_KEY, settings.SECRET_KEY)
    return hmac.new(key, nik.encode(), hashlib.sha256).hexdigest()
