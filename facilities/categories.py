"""The providers' categories and how each maps onto the assessment's facility types.

Schools: Dapodik's "bentuk pendidikan". Madrasahs under the religious ministry sit at the same
level as the general school and serve the same children, so MI counts as an SD, MTs as an SMP,
MA (and MAK) as an SMA; SMK (vocational) is senior secondary too, so an SMA. TK, RA, KB, TPA and
SPS are early-childhood units, so PAUD.

Health: the Kemenkes facility list's "jenis". A klinik pratama gives basic outpatient care
(first-level care, FKTP, Permenkes 9/2014) without a puskesmas's responsibility for an area, its
public-health programmes or inpatient beds: its reach is that of an auxiliary health centre, so a
pustu. A puskesmas (with or without beds) is a puskesmas; every hospital (general, mother and
child, other special hospitals) is a hospital.

Categories listed in SKIPPED (special-needs schools, specialist clinics, laboratories,
pharmacies, private practices) have no facility type the assessment reads: an import counts and
skips their rows. Any other text is a row error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    TK = "tk", _("Kindergarten (TK)")
    RA = "ra", _("Islamic kindergarten (RA)")
    KB = "kb", _("Playgroup (KB)")
    TPA = "tpa", _("Day-care centre (TPA)")
    SPS = "sps", _("Similar early-childhood unit (SPS)")
    SD = "sd", _("Primary school (SD)")
    MI = "mi", _("Islamic primary school (MI)")
    SMP = "smp", _("Junior secondary school (SMP)")
    MTS = "mts", _("Islamic junior secondary school (MTs)")
    SMA = "sma", _("Senior secondary school (SMA)")
    SMK = "smk", _("Vocational secondary school (SMK)")
    MA = "ma", _("Islamic senior secondary school (MA)")
    MAK = "mak", _("Islamic vocational secondary school (MAK)")
    POSYANDU = "posyandu", _("Integrated health post (Posyandu)")
    PUSTU = "pustu", _("Auxiliary health centre (Puskesmas pembantu)")
    PUSKESMAS = "puskesmas", _("Community health centre (Puskesmas)")
    KLINIK_PRATAMA = "klinik_pratama", _("Primary clinic (klinik pratama)")
    RSU = "rsu", _("General hospital (RSU)")
    RSIA = "rsia", _("Mother and child hospital (RSIA)")
    RSK = "rsk", _("Special hospital (RS khusus)")


class Level(models.TextChoices):
    EARLY = "early_childhood", _("Early childhood (PAUD)")
    BASIC = "basic", _("Basic education (dasar)")
    SECONDARY = "secondary", _("Secondary education (menengah)")
    COMMUNITY = "community", _("Community health effort (UKBM)")
    PRIMARY_CARE = "primary_care", _("First-level care (FKTP)")
    REFERRAL = "referral", _("Referral care (FKRTL)")


@dataclass(frozen=True)
class Mapping:
    kind: str
    facility_type: str
    level: str


MAPPING: dict[str, Mapping] = {
    **{c: Mapping("school", "paud", Level.EARLY) for c in ("tk", "ra", "kb", "tpa", "sps")},
    "sd": Mapping("school", "sd", Level.BASIC),
    "mi": Mapping("school", "sd", Level.BASIC),
    "smp": Mapping("school", "smp", Level.BASIC),
    "mts": Mapping("school", "smp", Level.BASIC),
    **{c: Mapping("school", "sma", Level.SECONDARY) for c in ("sma", "smk", "ma", "mak")},
    "posyandu": Mapping("health", "posyandu", Level.COMMUNITY),
    "pustu": Mapping("health", "pustu", Level.PRIMARY_CARE),
    "puskesmas": Mapping("health", "puskesmas", Level.PRIMARY_CARE),
    "klinik_pratama": Mapping("health", "pustu", Level.PRIMARY_CARE),
    **{c: Mapping("health", "hospital", Level.REFERRAL) for c in ("rsu", "rsia", "rsk")},
}

# How the lists spell them (lower case, single spaces) -> category code.
ALIASES: dict[str, str] = {
    **{c.value: c.value for c in Category},
    "kelompok bermain": "kb",
    "taman kanak-kanak": "tk",
    "raudhatul athfal": "ra",
    "taman penitipan anak": "tpa",
    "satuan paud sejenis": "sps",
    "mts": "mts",
    "madrasah ibtidaiyah": "mi",
    "madrasah tsanawiyah": "mts",
    "madrasah aliyah": "ma",
    "puskesmas pembantu": "pustu",
    "puskesmas non rawat inap": "puskesmas",
    "puskesmas rawat inap": "puskesmas",
    "klinik pratama": "klinik_pratama",
    "rumah sakit": "rsu",
    "rumah sakit umum": "rsu",
    "rs": "rsu",
    "rs umum": "rsu",
    "rumah sakit ibu dan anak": "rsia",
    "rumah sakit khusus": "rsk",
    "rs khusus": "rsk",
}

# Categories a list holds that the assessment does not read: their rows are skipped, counted.
SKIPPED = frozenset(
    {
        "slb",
        "sdlb",
        "smplb",
        "smalb",
        "klinik utama",
        "laboratorium",
        "laboratorium kesehatan",
        "apotek",
        "praktik mandiri",
        "praktik mandiri dokter",
        "praktik mandiri bidan",
        "unit transfusi darah",
    }
)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip().lower())


def category_of(text: str) -> str | None:
    """The category code of a provider's category text, or None if unknown."""
    return ALIASES.get(normalise(text))


def skipped(text: str) -> bool:
    return normalise(text) in SKIPPED


# --- providers --------------------------------------------------------------------------------

PROVIDER_ALIASES: dict[str, str] = {
    "state": "state",
    "private": "private",
    "religious_ministry": "religious_ministry",
    "province": "province",
    "central": "central",
    "swasta": "private",
    "pemkot": "state",
    "pemkab": "state",
    "pemerintah kota": "state",
    "pemerintah kabupaten": "state",
    "pemerintah daerah kota": "state",
    "pemprov": "province",
    "pemerintah provinsi": "province",
    "kemenkes": "central",
    "kementerian kesehatan": "central",
    "pemerintah pusat": "central",
    "tni": "central",
    "tni ad": "central",
    "tni al": "central",
    "tni au": "central",
    "polri": "central",
    "bumn": "central",
    "kementerian lain": "central",
    "kemenag": "religious_ministry",
    "kementerian agama": "religious_ministry",
    "organisasi sosial": "private",
    "perorangan": "private",
    "perusahaan": "private",
}
MADRASAH = frozenset({"ra", "mi", "mts", "ma", "mak"})
# Since UU 23/2014 the province runs the state senior secondary schools (SMA, SMK).
PROVINCIAL_STATE_SCHOOLS = frozenset({"sma", "smk"})


def provider_of(text: str, category: str) -> str | None:
    """The provider from a list's ownership text, for a row of `category`.

    Dapodik says only "Negeri" or "Swasta": a state madrasah is the religious ministry's, a state
    SMA or SMK the province's, any other state school the city's.
    """
    value = normalise(text)
    if value == "negeri":
        if category in MADRASAH:
            return "religious_ministry"
        if category in PROVINCIAL_STATE_SCHOOLS:
            return "province"
        return "state"
    return PROVIDER_ALIASES.get(value)
