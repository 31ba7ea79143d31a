"""Tests for the pure identity helpers (NIK, KK, phone, name); no database needed."""

from datetime import date

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from participants.identity import (
    PROVINCE_CODES,
    NikError,
    NikInfo,
    PhoneError,
    kk_clean_and_check,
    name_normalize,
    nik_build,
    nik_clean,
    nik_mask,
    nik_parse,
    phone_display,
    phone_normalize,
)

TODAY = date(2026, 11, 29)
KNOWN_PROVINCES = {
    *(str(c) for c in range(11, 20)),
    "21",
    *(str(c) for c in range(31, 37)),
    "51",
    "52",
    "53",
    *(str(c) for c in range(61, 66)),
    *(str(c) for c in range(71, 77)),
    "81",
    "82",
    *(str(c) for c in range(91, 97)),
}
UNKNOWN_PROVINCES = sorted(
    f"{n:02d}" for n in range(100) if f"{n:02d}" not in KNOWN_PROVINCES
)
DISTRICTS = ["31.73.08", "32.01.01", "31.71.01", "11.01.01", "96.01.01", "51.71.02"]

# A valid NIK: Jakarta Barat / Kebon Jeruk, man born 17 Aug 1985, serial 1.
VALID_NIK = "3173081708850001"

# Modest and database-free: fast, and no example database written to disk.
fast = settings(max_examples=200, deadline=None, database=None)


def codes(value: str) -> str:
    """The error code nik_parse raises for this value (with today fixed)."""
    with pytest.raises(NikError) as excinfo:
        nik_parse(value, today=TODAY)
    return excinfo.value.code


# --- NIK: valid values -------------------------------------------------------


def test_province_codes_match_kemendagri_list():
    assert PROVINCE_CODES == KNOWN_PROVINCES
    assert len(PROVINCE_CODES) == 38


def test_parse_valid_nik():
    info = nik_parse(VALID_NIK, today=TODAY)
    assert info == NikInfo(
        nik=VALID_NIK,
        province_code="31",
        city_code="31.73",
        district_code="31.73.08",
        birth_date=date(1985, 8, 17),
        gender="L",
        serial=1,
    )


def test_parse_accepts_typed_separators():
    assert nik_parse(" 3173.0817-0885 0001\t", today=TODAY).nik == VALID_NIK


def test_nik_info_is_frozen():
    info = nik_parse(VALID_NIK, today=TODAY)
    with pytest.raises(AttributeError):
        info.serial = 2  # type: ignore[misc]


def test_parse_defaults_today_to_localdate():
    assert nik_parse(VALID_NIK).birth_date == date(1985, 8, 17)


@pytest.mark.parametrize(
    ("ddmmyy", "birth_date", "gender"),
    [
        ("570885", date(1985, 8, 17), "P"),
        ("410100", date(2000, 1, 1), "P"),
        ("711299", date(1999, 12, 31), "P"),
        ("010100", date(2000, 1, 1), "L"),
        ("311299", date(1999, 12, 31), "L"),
        ("690200", date(2000, 2, 29), "P"),  # 2000 was a leap year
    ],
)
def test_female_day_plus_40(ddmmyy, birth_date, gender):
    info = nik_parse(f"317308{ddmmyy}0001", today=TODAY)
    assert (info.birth_date, info.gender) == (birth_date, gender)


@pytest.mark.parametrize(
    ("ddmmyy", "expected"),
    [
        ("010125", date(2025, 1, 1)),
        ("291126", date(2026, 11, 29)),  # today itself is 20YY
        ("301126", date(1926, 11, 30)),  # tomorrow would be in the future
        ("011230", date(1930, 12, 1)),
        ("150630", date(1930, 6, 15)),
        ("010100", date(2000, 1, 1)),
        ("010199", date(1999, 1, 1)),
    ],
)
def test_century_rule(ddmmyy, expected):
    assert nik_parse(f"317308{ddmmyy}0001", today=TODAY).birth_date == expected


def test_century_rule_follows_today():
    nik = "3173080101300001"
    assert nik_parse(nik, today=date(2029, 12, 31)).birth_date == date(1930, 1, 1)
    assert nik_parse(nik, today=date(2030, 1, 1)).birth_date == date(2030, 1, 1)


@fast
@given(
    district=st.sampled_from(DISTRICTS),
    birth_date=st.dates(min_value=TODAY.replace(year=TODAY.year - 99), max_value=TODAY),
    gender=st.sampled_from(["L", "P"]),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_build_parse_round_trip(district, birth_date, gender, serial):
    nik = nik_build(
        district_code=district, birth_date=birth_date, gender=gender, serial=serial
    )
    assert len(nik) == 16 and nik.isdigit()
    info = nik_parse(nik, today=TODAY)
    assert info.nik == nik
    assert info.district_code == district
    assert info.city_code == district[:5]
    assert info.province_code == district[:2]
    assert info.birth_date == birth_date
    assert info.gender == gender
    assert info.serial == serial


def test_build_example():
    assert (
        nik_build(
            district_code="31.73.08",
            birth_date=date(1990, 5, 3),
            gender="P",
            serial=42,
        )
        == "3173084305900042"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"district_code": "317308"},
        {"district_code": "31.73"},
        {"gender": "X"},
        {"serial": 0},
        {"serial": 10000},
    ],
)
def test_build_rejects_bad_parts(kwargs):
    parts = {
        "district_code": "31.73.08",
        "birth_date": date(1990, 5, 3),
        "gender": "L",
        "serial": 1,
        **kwargs,
    }
    with pytest.raises(ValueError):
        nik_build(**parts)


# --- NIK: invalid values -----------------------------------------------------


@fast
@given(
    prefix=st.text(max_size=10),
    letter=st.characters(categories=["Lu", "Ll", "Lo"]),
    suffix=st.text(max_size=10),
)
def test_any_letter_is_not_digits(prefix, letter, suffix):
    assert codes(prefix + letter + suffix) == "not_digits"


@pytest.mark.parametrize(
    "value",
    ["317308170885000A", "3173O81708850001", "+3173081708850001", "٣١٧٣٠٨١٧٠٨٨٥٠٠٠١"],
)
def test_not_digits_examples(value):
    assert codes(value) == "not_digits"


@fast
@given(st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) != 16))
def test_wrong_length(value):
    with pytest.raises(NikError) as excinfo:
        nik_parse(value, today=TODAY)
    assert excinfo.value.code == "length"
    assert excinfo.value.params == {"n": len(value)}


@fast
@given(
    province=st.sampled_from(UNKNOWN_PROVINCES),
    rest=st.text(alphabet="0123456789", min_size=14, max_size=14),
)
def test_unknown_province(province, rest):
    assert codes(province + rest) == "province"


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "011385",
        "010085",
        "320185",
        "000185",
        "400185",
        "720185",
        "300285",
        "290285",
        "310485",
        "700285",
    ],
)
def test_bad_dates(ddmmyy):
    assert codes(f"317308{ddmmyy}0001") == "date"


@fast
@given(
    district=st.sampled_from(DISTRICTS),
    day=st.sampled_from(["00", "32", "40", "72", "99"])
    | st.sampled_from(["01", "15", "41", "71"]),
    month=st.sampled_from(["00", "13", "99"]),
    yy=st.integers(min_value=0, max_value=99),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_bad_date_property(district, day, month, yy, serial):
    assert (
        codes(f"{district.replace('.', '')}{day}{month}{yy:02d}{serial:04d}") == "date"
    )


@fast
@given(
    district=st.sampled_from(DISTRICTS),
    birth_date=st.dates(min_value=date(1927, 12, 1), max_value=TODAY),
    gender=st.sampled_from(["L", "P"]),
)
def test_serial_0000(district, birth_date, gender):
    nik = nik_build(
        district_code=district, birth_date=birth_date, gender=gender, serial=1
    )
    assert codes(nik[:12] + "0000") == "serial"


def test_first_failing_check_wins():
    assert codes("00730832138500AB") == "not_digits"
    assert codes("0073083213850000") == "province"
    assert codes("3173083213850000") == "date"
    assert codes("00730832") == "length"


def test_error_messages_are_indonesian_and_filled_in():
    with translation.override("id"):
        assert str(NikError("not_digits")) == "NIK hanya boleh berisi angka."
        with pytest.raises(NikError) as excinfo:
            nik_parse("12345", today=TODAY)
        assert str(excinfo.value) == "NIK harus 16 digit (Anda mengetik 5)."
        with pytest.raises(NikError) as excinfo:
            nik_parse("0173081708850001", today=TODAY)
        assert "(01)" in str(excinfo.value)
        assert (
            str(NikError("serial"))
            == "Nomor urut NIK (4 digit terakhir) tidak boleh 0000."
        )
        assert str(NikError("date")).startswith("Tanggal lahir di NIK")
    assert isinstance(NikError("date"), ValueError)


# --- KK ----------------------------------------------------------------------


def test_kk_clean_and_check():
    assert kk_clean_and_check("3173-0812 3456.7890") == "3173081234567890"
    with translation.override("id"):
        with pytest.raises(NikError) as excinfo:
            kk_clean_and_check("31730812345678X0")
        assert excinfo.value.code == "not_digits"
        assert str(excinfo.value) == "Nomor KK hanya boleh berisi angka."
        with pytest.raises(NikError) as excinfo:
            kk_clean_and_check("317308")
        assert excinfo.value.code == "length"
        assert str(excinfo.value).startswith("Nomor KK harus 16 digit")
        assert "6" in str(excinfo.value)


def test_kk_does_not_check_nik_rules():
    # A KK has no province/date/serial rules beyond 16 digits.
    assert kk_clean_and_check("0000000000000000") == "0000000000000000"


# --- Clean and mask ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3173 0817 0885 0001", VALID_NIK),
        ("3173.0817.0885.0001", VALID_NIK),
        ("3173-0817-0885-0001", VALID_NIK),
        ("\t3173081708850001\n", VALID_NIK),
        ("", ""),
        (None, ""),
    ],
)
def test_nik_clean(value, expected):
    assert nik_clean(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3173080101000001", "317308••••••••••"),
        ("3173 0801 0100 0001", "317308••••••••••"),
        ("", ""),
        (None, ""),
        ("123456789", "•••••••••"),
        ("12345", "•••••"),
        ("1234", "••••"),
    ],
)
def test_nik_mask(value, expected):
    assert nik_mask(value) == expected


@fast
@given(st.text(alphabet="0123456789", min_size=5, max_size=30))
def test_mask_shows_no_birth_date_nor_serial(value):
    masked = nik_mask(value)
    assert len(masked) == len(value)
    shown = masked.replace("•", "")
    assert shown == (value[:6] if len(value) == 16 else "")


# --- Phone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("0812.3456.7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-7890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("+62 (0)812 3456 7890", "+6281234567890"),
        ("+62 0812 3456 7890", "+6281234567890"),
        ("62-0812-3456-7890", "+6281234567890"),
        ("812 3456 7890", "+6281234567890"),
        ("(0812) 3456-7890", "+6281234567890"),
        ("0812-345-678", "+62812345678"),
        ("(021) 5551234", "+62215551234"),
        ("(021) 555-1234", "+62215551234"),
        ("021 555 1234", "+62215551234"),
        ("+62 21 555 1234", "+62215551234"),
        ("+62 (21) 555 1234", "+62215551234"),
        ("62215551234", "+62215551234"),
        ("(0274) 512345", "+62274512345"),
        ("0361 234567", "+62361234567"),
        ("  0812 3456 7890  ", "+6281234567890"),
    ],
)
def test_phone_normalize_accepts(value, expected):
    assert phone_normalize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "   ",
        "12345",
        "0812",
        "0812-345",  # NSN too short
        "0812-3456-7890-123",  # NSN too long
        "+1 415 555 0100",
        "+65 9123 4567",
        "0812-3456-789O",  # letter O
        "0912-3456-7890",  # NSN starts with 9
        "+62 112 3456 7890",  # NSN starts with 1
        "00000000000",
        "62",
        "+62",
        "0812+3456+7890",
        "00812 3456 7890",  # two trunk zeros
        "+62 00812 3456 7890",
    ],
)
def test_phone_normalize_rejects(value):
    with pytest.raises(PhoneError) as excinfo:
        phone_normalize(value)
    assert isinstance(excinfo.value, ValueError)


def test_phone_error_message():
    with translation.override("id"):
        assert str(PhoneError()) == (
            "Nomor telepon tidak dikenali. Contoh: 0812-3456-7890 atau +62 812 3456 7890."
        )


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+6281234567890", "0812-3456-7890"),
        ("+62812345678", "0812-3456-78"),
        ("+628123456789", "0812-3456-789"),
        ("+62215551234", "0215551234"),
        ("+62274512345", "0274512345"),
        ("", ""),
        (None, ""),
        ("+14155550100", "+14155550100"),
    ],
)
def test_phone_display(e164, expected):
    assert phone_display(e164) == expected


@fast
@given(
    first=st.sampled_from("2345678"),
    rest=st.text(alphabet="0123456789", min_size=7, max_size=11),
    form=st.sampled_from(["0{}", "+62{}", "62{}", "+62 {}", "0062{}"]),
)
def test_phone_round_trip(first, rest, form):
    nsn = first + rest
    e164 = phone_normalize(form.format(nsn))
    assert e164 == "+62" + nsn
    assert phone_normalize(phone_display(e164)) == e164


# --- Names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Siti   NUR'AINI ", "siti nur aini"),
        ("Siti Nur’aini", "siti nur aini"),
        ("Muhammad Al-Fatih", "muhammad al fatih"),
        ("RENÉ Müller", "rene muller"),
        ("Ñoño", "nono"),
        ("Straße", "strasse"),
        ("İbrahim", "ibrahim"),
        ("I Gusti Ngurah Rai, S.E.", "i gusti ngurah rai s e"),
        ("Budi_Santoso", "budi santoso"),
        ("Agus 2", "agus 2"),
        ("...", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_name_normalize(value, expected):
    assert name_normalize(value) == expected


@fast
@given(st.text(max_size=40))
def test_name_normalize_is_idempotent_and_tidy(value):
    normalized = name_normalize(value)
    assert name_normalize(normalized) == normalized
    assert normalized == normalized.strip()
    assert "  " not in normalized
