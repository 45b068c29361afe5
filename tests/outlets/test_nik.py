"""NIK parsing, programme eligibility, masking, encryption and the keyed hash."""

from datetime import date

import pytest
from cryptography.fernet import Fernet

from outlets import nik
from tests.outlets.helpers import make_nik

TODAY = date(2026, 11, 27)


def test_a_depok_mans_nik_tells_region_sex_and_birth_date():
    info = nik.nik_parse("3276061705900001", today=TODAY)
    assert info == nik.NikInfo(region="327606", gender="M", birth_date=date(1990, 5, 17))
    assert info.is_depok is True
    assert info.depok_kecamatan_code == "32.76.06"
    assert info.age_on(TODAY) == 36


def test_a_womans_day_carries_forty():
    info = nik.nik_parse("3276115705900001", today=TODAY)
    assert (info.gender, info.birth_date) == ("F", date(1990, 5, 17))


def test_century_is_the_latest_that_is_not_in_the_future():
    assert nik.nik_parse("3276060101250001", today=TODAY).birth_date == date(2025, 1, 1)
    # 2030 would be in the future, so 1930
    assert nik.nik_parse("3276060101300001", today=TODAY).birth_date == date(1930, 1, 1)
    # tomorrow this century is in the future: it means a century earlier
    assert nik.nik_parse("3276062811260001", today=TODAY).birth_date == date(1926, 11, 28)


def test_29_february_only_in_a_leap_year():
    assert nik.nik_parse("3276062902000001", today=TODAY).birth_date == date(2000, 2, 29)
    assert nik.nik_parse("3276062902880001", today=TODAY).birth_date == date(1988, 2, 29)
    with pytest.raises(nik.NikError) as exc:
        nik.nik_parse("3276062902010001", today=TODAY)
    assert exc.value.message == nik.NIK_BIRTH_DATE


def test_a_nik_from_elsewhere_in_indonesia_is_valid_but_not_depok():
    info = nik.nik_parse("3171014101950123", today=TODAY)  # Jakarta Pusat
    assert info.is_depok is False
    assert info.depok_kecamatan_code is None
    assert nik.nik_parse("9601011212120001", today=TODAY).region == "960101"  # Papua Barat Daya


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", nik.NIK_FORMAT),
        ("327606170590000", nik.NIK_FORMAT),  # 15 digits
        ("32760617059000011", nik.NIK_FORMAT),  # 17 digits
        ("3276O61705900001", nik.NIK_FORMAT),  # a letter O
        ("3276 61705900001", nik.NIK_FORMAT),
        ("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", nik.NIK_FORMAT),  # Arabic-Indic digits are not ASCII digits
        (3276061705900001, nik.NIK_FORMAT),  # a number, not text
        (None, nik.NIK_FORMAT),
        ("1076061705900001", nik.NIK_PROVINCE),  # 10: no such province
        ("2076061705900001", nik.NIK_PROVINCE),
        ("9976061705900001", nik.NIK_PROVINCE),
        ("3200061705900001", nik.NIK_REGENCY),
        ("3276001705900001", nik.NIK_KECAMATAN),
        ("3276121705900001", nik.NIK_KECAMATAN),  # Depok has 11 kecamatan
        ("3276060005900001", nik.NIK_BIRTH_DATE),  # day 0
        ("3276063205900001", nik.NIK_BIRTH_DATE),  # day 32
        ("3276063605900001", nik.NIK_BIRTH_DATE),  # day 36: neither a man's nor a woman's day
        ("3276067205900001", nik.NIK_BIRTH_DATE),  # day 72 - 40 = 32
        ("3276061713900001", nik.NIK_BIRTH_DATE),  # month 13
        ("3276061700900001", nik.NIK_BIRTH_DATE),  # month 0
        ("3276063104900001", nik.NIK_BIRTH_DATE),  # 31 April
        ("3276061705900000", nik.NIK_SEQUENCE),
    ],
)
def test_invalid_niks_are_refused_with_the_reason(value, message):
    with pytest.raises(nik.NikError) as exc:
        nik.nik_parse(value, today=TODAY)
    assert exc.value.message == message
    assert str(exc.value) == str(message)  # the message never carries the value


def test_surrounding_whitespace_is_ignored():
    assert nik.nik_parse(" 3276061705900001\n", today=TODAY).region == "327606"


def test_wub_needs_depok_and_seventeen_years():
    seventeen_today = nik.nik_parse(make_nik(born=date(2009, 11, 27)), today=TODAY)
    one_day_short = nik.nik_parse(make_nik(born=date(2009, 11, 28)), today=TODAY)
    jakarta = nik.nik_parse(make_nik(region="317101"), today=TODAY)
    assert (
        nik.programme_errors(
            seventeen_today, wub_participant=True, women_programme=False, today=TODAY
        )
        == {}
    )
    assert nik.programme_errors(
        one_day_short, wub_participant=True, women_programme=False, today=TODAY
    ) == {"wub_participant": [nik.WUB_NOT_ELIGIBLE]}
    assert nik.programme_errors(
        jakarta, wub_participant=True, women_programme=False, today=TODAY
    ) == {"wub_participant": [nik.WUB_NOT_ELIGIBLE]}


def test_women_programme_needs_a_depok_woman_of_eighteen():
    woman = nik.nik_parse(make_nik(born=date(2008, 11, 27), female=True), today=TODAY)
    young = nik.nik_parse(make_nik(born=date(2008, 11, 28), female=True), today=TODAY)
    man = nik.nik_parse(make_nik(born=date(1990, 1, 1)), today=TODAY)
    outside = nik.nik_parse(make_nik(region="320101", female=True), today=TODAY)
    expected = {"women_programme": [nik.WOMEN_NOT_ELIGIBLE]}
    assert (
        nik.programme_errors(woman, wub_participant=False, women_programme=True, today=TODAY) == {}
    )
    for info in (young, man, outside):
        assert (
            nik.programme_errors(info, wub_participant=False, women_programme=True, today=TODAY)
            == expected
        )


def test_both_false_claims_are_reported_together():
    man_outside = nik.nik_parse(make_nik(region="317101"), today=TODAY)
    assert nik.programme_errors(
        man_outside, wub_participant=True, women_programme=True, today=TODAY
    ) == {
        "wub_participant": [nik.WUB_NOT_ELIGIBLE],
        "women_programme": [nik.WOMEN_NOT_ELIGIBLE],
    }


def test_mask_shows_the_first_four_and_last_four_digits():
    assert nik.nik_mask("3276061705900001") == "3276********0001"


def test_encryption_round_trips_and_never_contains_the_nik(settings):
    settings.NIK_ENCRYPTION_KEY = ""
    token = nik.nik_encrypt("3276061705900001")
    assert "3276061705900001" not in token
    assert nik.nik_decrypt(token) == "3276061705900001"
    # Fernet is randomised: the same NIK encrypts differently each time
    assert nik.nik_encrypt("3276061705900001") != token


def test_configured_keys_are_used_and_rotate(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.NIK_ENCRYPTION_KEY = old
    token = nik.nik_encrypt("3276061705900001")
    assert Fernet(old.encode()).decrypt(token.encode()) == b"3276061705900001"
    settings.NIK_ENCRYPTION_KEY = f"{new},{old}"
    assert nik.nik_decrypt(token) == "3276061705900001"
    rotated = nik.nik_encrypt("3276061705900001")
    assert Fernet(new.encode()).decrypt(rotated.encode()) == b"3276061705900001"


def test_hash_is_keyed_and_stable(settings):
    settings.NIK_HASH_KEY = ""
    dev = nik.nik_hash("3276061705900001")
    assert dev == nik.nik_hash("3276061705900001")
    assert len(dev) == 64
    assert dev != nik.nik_hash("3276061705900002")
    settings.NIK_HASH_KEY = "production-hash-key"
    assert nik.nik_hash("3276061705900001") != dev
