"""Pure helpers for identity data: NIK and KK numbers, phone numbers, names.

Nothing here touches the database, so forms, imports, demo data and tests can
all share one set of rules.

NIK layout (16 digits, ``PPKKCC DDMMYY SSSS``): province, kota/kabupaten and
kecamatan of first issue (Kemendagri codes), birth date with 40 added to the
day for women, then a serial 0001-9999. There is no check digit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "GENDER_FEMALE",
    "GENDER_MALE",
    "KK_LENGTH",
    "NIK_LENGTH",
    "PROVINCE_CODES",
    "NikError",
    "NikInfo",
    "PhoneError",
    "kk_clean_and_check",
    "name_normalize",
    "nik_build",
    "nik_clean",
    "nik_mask",
    "nik_parse",
    "phone_display",
    "phone_normalize",
]

NIK_LENGTH = 16
KK_LENGTH = 16
GENDER_MALE = "L"
GENDER_FEMALE = "P"
FEMALE_DAY_OFFSET = 40
MASK_CHAR = "•"

# Kemendagri province codes (including the 2022 Papua provinces 93-96).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        *(str(code) for code in range(11, 20)),
        "21",
        *(str(code) for code in range(31, 37)),
        "51",
        "52",
        "53",
        *(str(code) for code in range(61, 66)),
        *(str(code) for code in range(71, 77)),
        "81",
        "82",
        *(str(code) for code in range(91, 97)),
    }
)

# What users type between digit groups: any whitespace, dots and dashes
# (ASCII hyphen-minus plus the Unicode hyphens and dashes word processors insert).
_SEPARATORS_RE = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_ASCII_DIGITS_RE = re.compile(r"[0-9]*")
_DISTRICT_CODE_RE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{2})")

_NIK_MESSAGES = {
    "not_digits": _("NIK hanya boleh berisi angka."),
    "length": _("NIK harus 16 digit (Anda mengetik %(n)d)."),
    "province": _("Dua digit pertama NIK (%(code)s) bukan kode provinsi yang dikenal."),
    "date": _("Tanggal lahir di NIK (digit 7–12) bukan tanggal yang sah."),
    "serial": _("Nomor urut NIK (4 digit terakhir) tidak boleh 0000."),
}

_KK_MESSAGES = {
    "not_digits": _("Nomor KK hanya boleh berisi angka."),
    "length": _("Nomor KK harus 16 digit (Anda mengetik %(n)d)."),
}


class NikError(ValueError):
    """A NIK or KK number that breaks one rule; `code` says which."""

    def __init__(
        self,
        code: str,
        message: Any = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.params: dict[str, Any] = params or {}
        self.message = message if message is not None else _NIK_MESSAGES[code]
        super().__init__(code)

    def __str__(self) -> str:
        """The message in the active language, with its parameters filled in."""
        text = str(self.message)
        return text % self.params if self.params else text


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says about its holder."""

    nik: str
    province_code: str
    city_code: str
    district_code: str
    birth_date: date
    gender: str
    serial: int


def nik_clean(value: str | None) -> str:
    """The value without the spaces, dots and dashes users type between digits."""
    if not value:
        return ""
    return _SEPARATORS_RE.sub("", str(value))


def _check_digits(cleaned: str, *, messages: dict[str, Any]) -> None:
    """Raise NikError unless `cleaned` is exactly 16 ASCII digits."""
    if not _ASCII_DIGITS_RE.fullmatch(cleaned):
        raise NikError("not_digits", messages["not_digits"])
    if len(cleaned) != NIK_LENGTH:
        raise NikError("length", messages["length"], {"n": len(cleaned)})


def _birth_date(dd: int, mm: int, yy: int, *, today: date) -> date:
    """The birth date for day/month/two-digit year, choosing 20YY unless it lies after today."""
    try:
        candidate = date(2000 + yy, mm, dd)
    except ValueError:
        candidate = None
    if candidate is not None and candidate <= today:
        return candidate
    try:
        return date(1900 + yy, mm, dd)
    except ValueError:
        raise NikError("date") from None


def nik_parse(value: str, *, today: date | None = None) -> NikInfo:
    """Validate a NIK and decode it; raise NikError for the first rule it breaks."""
    nik = nik_clean(value)
    _check_digits(nik, messages=_NIK_MESSAGES)

    province = nik[0:2]
    if province not in PROVINCE_CODES:
        raise NikError("province", params={"code": province})

    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > FEMALE_DAY_OFFSET:
        gender, day = GENDER_FEMALE, day - FEMALE_DAY_OFFSET
    else:
        gender = GENDER_MALE
    if not 1 <= day <= 31 or not 1 <= month <= 12:
        raise NikError("date")
    birth_date = _birth_date(
        day, month, year, today=today if today is not None else timezone.localdate()
    )

    serial = int(nik[12:16])
    if serial == 0:
        raise NikError("serial")

    return NikInfo(
        nik=nik,
        province_code=province,
        city_code=f"{nik[0:2]}.{nik[2:4]}",
        district_code=f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
        birth_date=birth_date,
        gender=gender,
        serial=serial,
    )


def nik_build(*, district_code: str, birth_date: date, gender: str, serial: int) -> str:
    """The NIK for these parts (district_code dotted, e.g. "31.73.08"); inverse of nik_parse."""
    match = _DISTRICT_CODE_RE.fullmatch(district_code)
    if match is None:
        raise ValueError(
            f"district_code must look like '31.73.08', not {district_code!r}"
        )
    if gender not in (GENDER_MALE, GENDER_FEMALE):
        raise ValueError(f"gender must be 'L' or 'P', not {gender!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1..9999, not {serial!r}")
    day = birth_date.day + (FEMALE_DAY_OFFSET if gender == GENDER_FEMALE else 0)
    return (
        "".join(match.groups())
        + f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
        + f"{serial:04d}"
    )


# Ten or more digits in a row (single spaces or dashes between them allowed): a NIK, a KK,
# or a mistyped one. Place codes (31.73.08.1005) and dates do not match.
NIK_LIKE = re.compile(r"\d(?:[ -]?\d){9,}")


def nik_mask(nik: str | None) -> str:
    """The NIK with everything but its region hidden (317308••••••••••).

    The birth date and the serial stay hidden: a masked NIK shown beside a birth date and
    gender must not give the whole NIK away. Other values are hidden whole.
    """
    if not nik:
        return ""
    cleaned = nik_clean(nik)
    if len(cleaned) == NIK_LENGTH:
        return cleaned[:6] + MASK_CHAR * 10
    return MASK_CHAR * len(cleaned)


def kk_clean_and_check(value: str | None) -> str:
    """The cleaned 16-digit family card (KK) number; raise NikError if it is not one."""
    kk = nik_clean(value)
    _check_digits(kk, messages=_KK_MESSAGES)
    return kk


# --- Phone numbers -----------------------------------------------------------

_PHONE_MESSAGE = _(
    "Nomor telepon tidak dikenali. Contoh: 0812-3456-7890 atau +62 812 3456 7890."
)
_PHONE_SEPARATORS_RE = re.compile(r"[\s.\-\u2010-\u2015\u2212()/]+")
_NSN_RE = re.compile(r"[2-8][0-9]{7,11}")
_E164_ID_RE = re.compile(r"\+62([0-9]+)")


class PhoneError(ValueError):
    """A phone number that is not a recognisable Indonesian number."""

    def __init__(self, message: Any = None) -> None:
        self.code = "phone"
        self.message = message if message is not None else _PHONE_MESSAGE
        super().__init__(self.code)

    def __str__(self) -> str:
        """The message in the active language."""
        return str(self.message)


def phone_normalize(value: str | None) -> str:
    """The number in E.164 form, e.g. "+6281234567890"; raise PhoneError if it is not Indonesian."""
    # "+62 (0)812..." is common: drop the "(0)" trunk prefix before the parentheses go.
    text = (value or "").strip().replace("(0)", "")
    digits = _PHONE_SEPARATORS_RE.sub("", text)
    if digits.startswith(("+62", "0062", "62")):
        # After the country code, allow one trunk 0 too ("+62 0812 ...").
        nsn = digits.removeprefix("+").removeprefix("00")[2:].removeprefix("0")
    elif digits.startswith("0"):
        nsn = digits[1:]
    elif digits.startswith("8"):
        # Mobile number typed without the leading 0.
        nsn = digits
    else:
        raise PhoneError()
    if not _NSN_RE.fullmatch(nsn):
        raise PhoneError()
    return "+62" + nsn


def phone_display(e164: str | None) -> str:
    """The local form of a stored number: "0812-3456-7890" for mobiles, "0215551234" otherwise."""
    if not e164:
        return ""
    match = _E164_ID_RE.fullmatch(e164)
    if match is None:
        return e164
    nsn = match.group(1)
    if not nsn.startswith("8"):
        return "0" + nsn
    rest = nsn[3:]
    groups = [rest[i : i + 4] for i in range(0, len(rest), 4)]
    return "-".join(["0" + nsn[:3], *groups])


# --- Names -------------------------------------------------------------------

_NON_ALNUM_RE = re.compile(r"[\W_]+")


def _strip_accents(text: str) -> str:
    """The text decomposed (NFKD) without its combining marks (Unicode category M)."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text)
        if not unicodedata.category(ch).startswith("M")
    )


def name_normalize(value: str | None) -> str:
    """The name casefolded, without accents, with each non-alphanumeric run as one space."""
    if not value:
        return ""
    if value.isascii():
        # ASCII has nothing to decompose nor accents to drop, and casefolds to lower case:
        # the same result as below, without a pass over each character (bulk imports).
        return _NON_ALNUM_RE.sub(" ", value.lower()).strip()
    # Casefold on both sides of decomposition: "İ" casefolds to "i" + a combining
    # dot, and NFKD can turn compatibility letters (e.g. "ℌ") into capitals.
    text = _strip_accents(_strip_accents(value).casefold()).casefold()
    return _NON_ALNUM_RE.sub(" ", text).strip()
