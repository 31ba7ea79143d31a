"""Checking imported rows with the app's own rules, a chunk of rows at a time.

Nothing here states a rule of its own: the field checks and warnings are the registration
form's (`ResidentForm.clean_<field>`, `_warnings`), NIK and KK parsing is
`participants.identity`, who may register, edit or enrol whom is the access policy through the
selectors, and whether an enrolment may be made is `programs.services`. What this module adds
is reading spreadsheet cells (numbers that Excel made of a NIK, Excel dates, several date
formats) and asking the database once per chunk instead of once per row.
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jakpreneur.text import text_clean
from participants.forms import ResidentForm
from participants.identity import NikError, name_normalize, nik_clean, nik_parse
from participants.models import Education, Gender, Resident
from participants.selectors import (
    resident_twins,
    residents_editable_by,
    residents_enrollable_by,
    residents_visible_to,
    villages_for_registration,
)
from participants.services import duplicate_nik_message
from programs.models import Enrollment, Program
from programs.selectors import program_seats_taken, programs_managed_by
from programs.services import enrollment_check, enrollment_status_check
from wilayah.models import Village

from .seen import SeenNiks

# The columns of the city's sheets: name -> (resident field, what it holds).
COLUMNS = {
    "nik": ("nik", gettext_lazy("NIK 16 digit, sebagai teks (bukan angka)")),
    "no_kk": ("kk_number", gettext_lazy("Nomor KK 16 digit, boleh kosong")),
    "nama": ("full_name", gettext_lazy("Nama lengkap sesuai KTP")),
    "jenis_kelamin": ("gender", gettext_lazy("L atau P (Laki-laki/Perempuan)")),
    "tempat_lahir": ("birth_place", gettext_lazy("Kota/kabupaten tempat lahir")),
    "tanggal_lahir": (
        "birth_date",
        gettext_lazy("YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY atau tanggal Excel"),
    ),
    "no_hp": ("phone", gettext_lazy("Nomor HP, misalnya 0812-3456-7890")),
    "alamat": ("address", gettext_lazy("Alamat domisili")),
    "rt": ("rt", gettext_lazy("RT, 1–999")),
    "rw": ("rw", gettext_lazy("RW, 1–999")),
    "kode_kelurahan": (
        "village",
        gettext_lazy("Kode Kemendagri kelurahan domisili, misalnya 31.73.08.1005"),
    ),
    "tanggal_daftar": (
        "registered_on",
        gettext_lazy(
            "Tanggal pendaftaran di Jakpreneur; kosong: tanggal_ikut, atau hari impor"
        ),
    ),
    "pendidikan": (
        "education",
        gettext_lazy(
            "Pendidikan terakhir: none, sd, smp, sma, diploma, s1 atau s2 (wajib untuk "
            "warga baru, seperti di formulir)"
        ),
    ),
    "kode_pelatihan": (
        "program",
        gettext_lazy("Kode pelatihan, misalnya JB-PPKUKM-2025-001; boleh kosong"),
    ),
    "tanggal_ikut": ("enrolled_on", gettext_lazy("Tanggal daftar pelatihan")),
    "status_ikut": (
        "status",
        gettext_lazy("terdaftar, hadir, lulus atau batal (kosong: terdaftar)"),
    ),
}
# Field -> its column, to name a field's error by the column the user sees.
_COLUMN_OF = {name: column for column, (name, _help) in COLUMNS.items()}
RESIDENT_COLUMNS = [
    "nik",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "no_hp",
    "alamat",
    "rt",
    "rw",
    "kode_kelurahan",
    "pendidikan",
]
ENROLMENT_COLUMNS = ["nik", "kode_pelatihan"]
# Resident fields an import writes (and compares, to tell an update from an unchanged row):
# those of the columns above that are the resident's own.
_RESIDENT_FIELD_NAMES = {f.name for f in Resident._meta.get_fields()}
RESIDENT_FIELDS = [
    name for name, _help in COLUMNS.values() if name in _RESIDENT_FIELD_NAMES
]
# Optional fields: an empty cell keeps what is stored.
KEEP_WHEN_EMPTY = {"kk_number", "registered_on", "education"}

# Values per column whose check is kept for the rows after (bounded: names, phones and
# addresses rarely repeat, and a million rows must not keep a million of them).
_KNOWN_VALUES = 2000
_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE][+-]?\d+\s*$")
# YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY (an Excel date cell arrives as a date already).
_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DAY_FIRST_DATE = re.compile(r"(?P<d>\d{1,2})([/-])(?P<m>\d{1,2})\2(?P<y>\d{4})")


class RowError(ValueError):
    """One cell's problem: (column, message)."""

    def __init__(self, column: str, message: Any) -> None:
        self.column = column
        self.message = str(message)
        super().__init__(self.message)


@dataclass
class RowResult:
    """What one row asks for and what the checks said about it."""

    number: int
    cells: list[Any]
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False
    nik: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # cleaned resident fields
    resident: Resident | None = None  # the stored resident, if the NIK exists
    resident_action: str = ""  # "new", "update", "same" ("" when not touched)
    changed: dict[str, Any] = field(default_factory=dict)
    program: Program | None = None
    enrolled_on: date | None = None
    status: str = ""
    enrollment: Enrollment | None = None  # the stored enrolment, if any
    enrollment_action: str = ""  # "new", "update", "same"

    @property
    def ok(self) -> bool:
        return not self.errors and not self.empty

    @property
    def unchanged(self) -> bool:
        return (
            self.ok
            and self.resident_action in ("", "same")
            and (self.enrollment_action in ("", "same"))
        )

    def error(self, column: str, message: Any) -> None:
        self.errors.append((column, str(message)))


class _FormRules(ResidentForm):
    """The registration form's field checks and warnings, run on one row at a time without
    building a form (no widgets, no querysets): the same code, so the same rules and
    messages. The warnings' lookups are answered from what the chunk looked up at once."""

    def __init__(self, *, user, today: date) -> None:  # noqa: D107 - no form set-up
        self.user = user
        self.today = today
        self.instance = Resident()
        self.fields = {"confirm_warnings": forms.BooleanField(required=False)}
        self.nik_info = None
        self.twins: dict = {}
        self.visible: set[int] = set()
        self.regions: dict[str, str] = {}

    def field(self, name: str, value: Any, clean: Callable | None = None) -> Any:
        """The value after the form's clean_<name> (or `clean`, that method as looked up
        once); ValidationError with its message."""
        self.cleaned_data = {name: value}
        return (clean or getattr(type(self), f"clean_{name}"))(self)

    def cross_checks(self, data: dict) -> list[tuple[str, str]]:
        """The form's clean(): checks between fields, as (field, message)."""
        self.cleaned_data = {**data, "confirm_warnings": True}
        self._errors = forms.utils.ErrorDict()
        self.row_errors: list[tuple[str, str]] = []
        ResidentForm.clean(self)
        return self.row_errors

    def add_error(self, field, error):
        messages = error.messages if isinstance(error, ValidationError) else [error]
        for message in messages:
            self.row_errors.append((field or "", str(message)))
            self._errors.setdefault(field or "__all__", []).append(str(message))

    def _region_name(self, district_code: str) -> str:
        if district_code not in self.regions:
            self.regions[district_code] = super()._region_name(district_code)
        return self.regions[district_code]

    def _possible_twins(self, data, village) -> list[Resident]:
        key = (name_key(data["full_name"]), data["birth_date"])
        return [
            twin
            for twin in self.twins.get(village.district.city_id, {}).get(key, [])
            if twin.pk != self.instance.pk
        ]

    def _visible_ids(self, residents) -> set[int]:
        return self.visible


# The searchable form of a name, computed once per name (checks, twins, the new row).
name_key = lru_cache(maxsize=8192)(name_normalize)


def _text(value: Any) -> str:
    if value.__class__ is str and value.isprintable():
        # Printable text holds no control character: text_clean would give it back as is.
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Control characters never enter the app (jakpreneur.text), from a sheet either.
    return text_clean(str(value)).strip()


def _date(value: Any, column: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = _ISO_DATE.fullmatch(text) or _DAY_FIRST_DATE.fullmatch(text)
    if match:
        parts = match.groupdict()
        try:
            return date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
        except ValueError:
            pass
    raise RowError(
        column,
        _(
            "Tanggal '%(value)s' tidak sah. Gunakan YYYY-MM-DD, DD/MM/YYYY atau "
            "DD-MM-YYYY, dan tanggal yang ada di kalender."
        )
        % {"value": text[:30]},
    )


def _identity_number(value: Any, column: str) -> str:
    """A NIK or KK cell as typed; a number Excel made of it is an error, never guessed."""
    if isinstance(value, (int, float)) or _SCIENTIFIC.match(_text(value)):
        raise RowError(
            column,
            _(
                "Excel mengubah nomor ini menjadi angka (%(value)s) dan digit terakhirnya "
                "hilang. Format kolom %(column)s sebagai Teks, ketik ulang nomornya, lalu "
                "impor lagi."
            )
            % {"value": _text(value)[:20], "column": column},
        )
    return nik_clean(_text(value))


_GENDERS = {
    **{g.value.lower(): g.value for g in Gender},
    "laki-laki": Gender.MALE.value,
    "laki laki": Gender.MALE.value,
    "perempuan": Gender.FEMALE.value,
}
_STATUSES = {
    **{str(label).lower(): value for value, label in Enrollment.Status.choices},
    **{value: value for value in Enrollment.Status.values},
}


class Checker:
    """Checks the rows of one file for one user; keeps what it saw across chunks (the same
    NIK twice in one file)."""

    def __init__(self, *, user, columns: list[str], today: date) -> None:
        self.user = user
        self.today = today
        self.columns = columns
        self.index = {name: n for n, name in reversed(list(enumerate(columns)))}
        self.formula_columns = [
            (name, n) for name, n in self.index.items() if name in COLUMNS
        ]
        self.rules = _FormRules(user=user, today=today)
        self.blank = Resident()
        self.villages = {
            v.code: v for v in Village.objects.select_related("district__city")
        }
        self.villages_by_pk = {v.pk: v for v in self.villages.values()}
        self.registrable = set(
            villages_for_registration(user=user).values_list("pk", flat=True)
        )
        # What earlier rows of the file said about each NIK (its first row, a fingerprint
        # of its resident data, its first programme's number + 1), 20 bytes a NIK: a
        # million rows must fit well under 300 MB. Further programmes of the same NIK
        # (rare): NIK << 20 | programme number -> row.
        self.seen = SeenNiks()
        self.seen_enrolments: dict[int, int] = {}
        self.program_numbers: dict[str, int] = {}
        self.educations = {
            **{str(label).lower(): value for value, label in Education.choices},
            **{value: value for value in Education.values},
        }
        # Seats left per programme; a writer empties it before each chunk it writes.
        self.seats: dict[int, int] = {}

        # How each resident cell is read: (column, field, cell reader, the form's
        # clean_<field> if it has one, the model field whose validators run on text,
        # what the first values of the column came to).
        def take(column, name, convert):
            return (
                column,
                name,
                convert,
                getattr(_FormRules, f"clean_{name}", None),
                Resident._meta.get_field(name),
                {},
            )

        self.take_registered_on = take("tanggal_daftar", "registered_on", _date)
        self.takes = [
            take(column, name, convert)
            for column, name, convert in [
                ("no_kk", "kk_number", _identity_number),
                ("nama", "full_name", None),
                ("jenis_kelamin", "gender", self._gender),
                ("tempat_lahir", "birth_place", None),
                ("tanggal_lahir", "birth_date", _date),
                ("no_hp", "phone", None),
                ("alamat", "address", None),
                ("rt", "rt", None),
                ("rw", "rw", None),
                ("pendidikan", "education", self._education),
            ]
        ]

    # --- The file's header ---------------------------------------------------

    def header_problems(self) -> tuple[list[str], list[str]]:
        """(errors, notices) about the columns: missing ones stop the file."""
        present = set(self.columns)
        wanted = RESIDENT_COLUMNS if self.registrable else ENROLMENT_COLUMNS
        missing = [name for name in wanted if name not in present]
        errors = []
        if missing:
            errors.append(
                _("Kolom wajib tidak ada: %(columns)s. Unduh templat untuk contohnya.")
                % {"columns": ", ".join(missing)}
            )
        extra = [name for name in self.columns if name and name not in COLUMNS]
        notices = []
        if not self.registrable and present & (set(RESIDENT_COLUMNS) - {"nik"}):
            notices.append(
                _(
                    "Kolom data warga diabaikan: petugas Sudin mendaftarkan ke pelatihan "
                    "warga yang sudah didaftarkan kelurahan atau kecamatannya."
                )
            )
        if extra:
            notices.append(
                _("Kolom yang tidak dikenal diabaikan: %(columns)s.")
                % {"columns": ", ".join(extra[:20])}
            )
        return errors, notices

    # --- One chunk -----------------------------------------------------------

    def check(self, rows: list[tuple[int, list[Any]]]) -> list[RowResult]:
        """Every row of the chunk checked; the database asked once per kind of lookup."""
        results = [self._parse(number, cells) for number, cells in rows]
        live = [r for r in results if r.ok]
        self._look_up_residents(live)
        self._look_up_programs(live)
        self._look_up_twins(live)
        for result in live:
            self._decide(result, self.seats)
        return results

    def _cell(self, cells: list[Any], name: str) -> Any:
        n = self.index.get(name)
        if n is None or n >= len(cells):
            return None
        value = cells[n]
        return value.strip() if isinstance(value, str) else value

    def _parse(self, number: int, cells: list[Any]) -> RowResult:
        result = RowResult(number=number, cells=cells)
        try:
            joined = "".join(cells)  # a row of text (CSV): both questions below at once
        except TypeError:
            joined = None
        if joined is not None and joined.isprintable():
            empty, maybe_formula = not joined.strip(), "=" in joined
        else:
            empty, maybe_formula = not any(_text(cell) for cell in cells), True
        if empty:
            result.empty = True
            return result
        for name, n in self.formula_columns if maybe_formula else ():
            cell = cells[n] if n < len(cells) else None
            if isinstance(cell, str) and cell.lstrip().startswith("="):
                result.error(
                    name,
                    _(
                        "Sel berisi rumus atau diawali '=': ketik nilainya saja "
                        "(rumus tidak diimpor)."
                    ),
                )
        if result.errors:
            return result
        try:
            result.nik = _identity_number(self._cell(cells, "nik"), "nik")
            self.rules.nik_info = nik_parse(result.nik, today=self.today)
        except RowError as error:
            result.error(error.column, error.message)
            return result
        except NikError as error:
            result.error("nik", error)
            return result
        result.data["_nik_info"] = self.rules.nik_info
        if "nama" in self.index and self.registrable:
            self._parse_resident(result, cells)
        if _text(self._cell(cells, "kode_pelatihan")):
            self._parse_enrolment(result, cells)
        return result

    def _parse_resident(self, result: RowResult, cells: list[Any]) -> None:
        data = result.data
        data["nik"] = result.nik

        for take in self.takes:
            self._take(result, cells, *take)
        village_code = _text(self._cell(cells, "kode_kelurahan"))
        village = self.villages.get(village_code)
        if village is None:
            result.error(
                "kode_kelurahan",
                _(
                    "Kode kelurahan '%(code)s' tidak dikenal. Gunakan kode Kemendagri, "
                    "misalnya 31.73.08.1005."
                )
                % {"code": village_code[:20]},
            )
        elif village.pk not in self.registrable:
            result.error(
                "kode_kelurahan",
                _(
                    "Kelurahan %(village)s di luar wilayah Anda: Anda hanya dapat mengimpor "
                    "warga wilayah Anda sendiri."
                )
                % {"village": village.name},
            )
        else:
            data["village"] = village
        if self._cell(cells, "tanggal_daftar") in (None, ""):
            data["registered_on"] = (
                None  # decided with the stored resident and the enrolment
            )
        else:
            self._take(result, cells, *self.take_registered_on)

    def _take(
        self, result, cells, column, name, convert, form_clean, model_field, known
    ):
        """One resident cell read, checked by the form's clean_<field> and the model
        field's validators, into result.data (or a row error).

        The checks depend on the cell alone (and the file's date), so what a value came to
        is kept for the next rows with the same value (a column's genders, kelurahan, RT,
        birth dates, education repeat), for the first _KNOWN_VALUES values of a column."""
        raw = self._cell(cells, column)
        # By type too: 1, 1.0 and True are equal keys of a dict but not the same cell.
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        try:
            value, error = known[key]
        except KeyError:
            value, error = self._cell_checked(
                raw, column, name, convert, form_clean, model_field
            )
            if len(known) < _KNOWN_VALUES:
                known[key] = value, error
        except TypeError:  # a value that cannot be a key
            value, error = self._cell_checked(
                raw, column, name, convert, form_clean, model_field
            )
        if error is None:
            result.data[name] = value
        else:
            result.error(*error)

    def _cell_checked(
        self, raw, column, name, convert, form_clean, model_field
    ) -> tuple[Any, Any]:
        """(value, None) or (None, (column, message))."""
        try:
            value = convert(raw, column) if convert else _text(raw)
            if value in ("", None):
                if name in KEEP_WHEN_EMPTY:
                    return None, None
                raise RowError(column, _("Wajib diisi."))
            if form_clean is not None:
                value = self.rules.field(name, value, form_clean)
            if isinstance(value, str):
                model_field.run_validators(value)
            return value, None
        except RowError as error:
            return None, (error.column, error.message)
        except ValidationError as error:
            return None, (column, " ".join(error.messages))

    def _gender(self, raw: Any, column: str) -> str:
        value = _GENDERS.get(_text(raw).lower())
        if value is None:
            raise RowError(
                column,
                _("Jenis kelamin '%(value)s' tidak dikenal: isi L atau P.")
                % {"value": _text(raw)[:20]},
            )
        return value

    def _education(self, raw: Any, column: str) -> str:
        text = _text(raw).lower()
        if not text:
            return ""
        if text in self.educations:
            return self.educations[text]
        raise RowError(
            column,
            _("Pendidikan '%(value)s' tidak dikenal: isi %(choices)s.")
            % {"value": text[:20], "choices": ", ".join(Education.values)},
        )

    def _parse_enrolment(self, result: RowResult, cells: list[Any]) -> None:
        result.data["_program_code"] = _text(self._cell(cells, "kode_pelatihan"))
        try:
            result.enrolled_on = _date(
                self._cell(cells, "tanggal_ikut"), "tanggal_ikut"
            )
        except RowError as error:
            result.error(error.column, error.message)
        status_text = _text(self._cell(cells, "status_ikut")).lower()
        if not status_text:
            result.status = Enrollment.Status.ENROLLED
        elif status_text in _STATUSES:
            result.status = _STATUSES[status_text]
        else:
            result.error(
                "status_ikut",
                _(
                    "Status '%(value)s' tidak dikenal: isi terdaftar, hadir, lulus atau "
                    "batal."
                )
                % {"value": status_text[:20]},
            )

    # --- Lookups, one query each per chunk ---------------------------------------

    def _look_up_residents(self, results: list[RowResult]) -> None:
        niks = {r.nik for r in results}
        stored = {r.nik: r for r in Resident.objects.filter(nik__in=niks)}
        village = Resident.village.field
        for resident in stored.values():
            # Their kelurahan (with its kecamatan and kota) as read once for the file.
            village.set_cached_value(resident, self.villages_by_pk[resident.village_id])
        ids = [r.pk for r in stored.values()]
        self.editable = set(
            residents_editable_by(user=self.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        self.enrollable = set(
            residents_enrollable_by(user=self.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        self.visible_residents = set(
            residents_visible_to(user=self.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        for result in results:
            result.resident = stored.get(result.nik)

    def _look_up_programs(self, results: list[RowResult]) -> None:
        codes = {r.data["_program_code"] for r in results if "_program_code" in r.data}
        self.programs = {
            p.code: p
            for p in Program.objects.select_related("agency__city").filter(
                code__in=codes
            )
        }
        self.managed = set(
            programs_managed_by(user=self.user)
            .filter(code__in=codes)
            .values_list("pk", flat=True)
        )
        residents = [r.resident.pk for r in results if r.resident is not None]
        self.enrollments = {
            (e.resident_id, e.program_id): e
            for e in Enrollment.objects.filter(
                resident_id__in=residents,
                program_id__in=[p.pk for p in self.programs.values()],
            )
        }

    def _look_up_twins(self, results: list[RowResult]) -> None:
        keys_by_city = defaultdict(set)
        for r in results:
            village = r.data.get("village")
            if village is not None and r.resident is None and r.data.get("birth_date"):
                keys_by_city[village.district.city_id].add(
                    (name_key(r.data["full_name"]), r.data["birth_date"])
                )
        self.rules.twins = {
            city_id: resident_twins(keys=keys, city_id=city_id)
            for city_id, keys in keys_by_city.items()
        }
        twin_ids = [
            twin.pk
            for by_key in self.rules.twins.values()
            for twins in by_key.values()
            for twin in twins
        ]
        self.rules.visible = set(
            residents_visible_to(user=self.user)
            .filter(pk__in=twin_ids)
            .values_list("pk", flat=True)
        )

    # --- Deciding what each row does --------------------------------------------

    def _decide(self, result: RowResult, seats: dict[int, int]) -> None:
        self._decide_resident(result)
        if result.errors:
            return
        if "_program_code" in result.data:
            self._decide_enrolment(result, seats)

    def _fingerprint(self, data: dict) -> int:
        parts = [
            str(data.get(name, "")) for name in RESIDENT_FIELDS if name != "village"
        ]
        village = data.get("village")
        parts.append(village.code if village is not None else "")
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=4).digest()
        return int.from_bytes(digest, "big")

    def _decide_resident(self, result: RowResult) -> None:
        data, stored = result.data, result.resident
        if "full_name" not in data:  # an enrolment-only file (Sudin)
            if stored is None or stored.pk not in self.enrollable:
                result.error(
                    "nik",
                    _(
                        "NIK ini belum terdaftar di Jakpreneur di kota Anda: warga "
                        "didaftarkan dulu oleh kelurahan atau kecamatannya."
                    ),
                )
            return
        if data.get("registered_on") is None:
            data["registered_on"] = (
                stored.registered_on
                if stored is not None
                else result.enrolled_on or self.today
            )
            try:
                data["registered_on"] = self.rules.field(
                    "registered_on", data["registered_on"]
                )
            except ValidationError as error:
                result.error("tanggal_daftar", " ".join(error.messages))
                return
        fingerprint = self._fingerprint(data)
        first = self.seen.get(int(result.nik))
        if first is not None and first[0] != result.number and first[1] != fingerprint:
            result.error(
                "nik",
                _(
                    "NIK ini sudah ada di baris %(row)d dengan data warga yang berbeda. "
                    "Satu warga satu data: samakan barisnya atau hapus salah satu."
                )
                % {"row": first[0]},
            )
            return
        for column, message in self._cross_checks(data):
            result.error(column, message)
        if result.errors:
            return
        if first is None:
            self.seen.put(
                int(result.nik), row=result.number, fingerprint=fingerprint, program=0
            )
        warnings = [("", message) for message in self.rules.warnings]
        if stored is not None:
            if stored.pk not in self.editable:
                if stored.pk in self.enrollable and not self._differs(result, stored):
                    result.resident_action = "same"
                    return
                result.error(
                    "nik",
                    duplicate_nik_message(
                        existing=stored, visible=stored.pk in self.visible_residents
                    ),
                )
                return
            if self._differs(result, stored):
                result.resident_action = "update"
                result.warnings += warnings
            else:
                result.resident_action = "same"
            return
        if first is not None and first[0] != result.number:
            result.resident_action = "same"  # created by its first row
            return
        if data.get("education") is None:
            result.error("pendidikan", _("Wajib diisi untuk warga baru."))
            return
        result.resident_action = "new"
        result.warnings += warnings

    def _cross_checks(self, data: dict) -> list[tuple[str, str]]:
        """The form's clean() on the row: its checks between fields, and its warnings
        (kept in self.rules.warnings)."""
        checked = {
            **data,
            "kk_number": data.get("kk_number") or "",
            "has_business": False,
        }
        self.rules.nik_info = data["_nik_info"]
        self.rules.instance = self.blank  # the form's warnings for a new registration
        self.rules.warnings = []
        return [
            (_COLUMN_OF.get(name, name), message)
            for name, message in self.rules.cross_checks(checked)
        ]

    def _differs(self, result: RowResult, stored: Resident) -> bool:
        changed = {}
        for name in RESIDENT_FIELDS:
            value = result.data.get(name)
            if value is None and name in KEEP_WHEN_EMPTY:
                continue
            if name == "village":
                if value.pk != stored.village_id:
                    changed[name] = value
            elif value != getattr(stored, name):
                changed[name] = value
        result.changed = changed
        return bool(changed)

    def _decide_enrolment(self, result: RowResult, seats: dict[int, int]) -> None:
        code = result.data["_program_code"]
        program = self.programs.get(code)
        if program is None or program.pk not in self.managed:
            result.error(
                "kode_pelatihan",
                _(
                    "Kode pelatihan '%(code)s' tidak dikenal atau bukan pelatihan yang Anda "
                    "kelola."
                )
                % {"code": code[:40]},
            )
            return
        first = self._first_enrolment_row(result, code)
        if first is not None:
            result.error(
                "kode_pelatihan",
                _("NIK dan pelatihan ini sudah ada di baris %(row)d.") % {"row": first},
            )
            return
        result.program = program
        resident = self._resident_as_enrolled(result)
        enrolled_on = result.enrolled_on or self.today
        result.enrolled_on = enrolled_on
        stored = (
            self.enrollments.get((result.resident.pk, program.pk))
            if result.resident is not None
            else None
        )
        try:
            if stored is None:
                enrollment_check(
                    program=program,
                    resident=resident,
                    enrolled_on=enrolled_on,
                    today=self.today,
                )
                enrollment_status_check(
                    program=program,
                    resident=resident,
                    old=None,
                    new=result.status,
                    today=self.today,
                )
                if program.pk not in seats:
                    seats[program.pk] = program.capacity - program_seats_taken(
                        program=program
                    )
                if result.status != Enrollment.Status.CANCELLED:
                    if seats[program.pk] <= 0:
                        raise ValidationError(_("Kuota pelatihan sudah penuh."))
                    seats[program.pk] -= 1
                result.enrollment_action = "new"
            else:
                result.enrollment = stored
                if stored.status == result.status:
                    result.enrollment_action = "same"
                else:
                    enrollment_status_check(
                        program=program,
                        resident=resident,
                        old=stored.status,
                        new=result.status,
                        today=self.today,
                    )
                    result.enrollment_action = "update"
        except ValidationError as error:
            column = (
                "tanggal_ikut"
                if "enrolled_on" in getattr(error, "error_dict", {})
                else "kode_pelatihan"
            )
            result.error(column, " ".join(error.messages))

    def _first_enrolment_row(self, result: RowResult, code: str) -> int | None:
        """The earlier row with this NIK and programme, if any; records this one."""
        number = self.program_numbers.setdefault(code, len(self.program_numbers)) + 1
        nik = int(result.nik)
        first = self.seen.get(nik)
        if first is None:  # an enrolment-only sheet: the NIK's first row
            self.seen.put(nik, row=result.number, fingerprint=0, program=number)
            return None
        row, fingerprint, program = first
        if program == 0 and row == result.number:  # the row that recorded the resident
            self.seen.put(nik, row=row, fingerprint=fingerprint, program=number)
            return None
        if program == number:
            return row if row != result.number else None
        key = nik << 20 | number
        if key in self.seen_enrolments:
            return self.seen_enrolments[key]
        self.seen_enrolments[key] = result.number
        return None

    def _resident_as_enrolled(self, result: RowResult):
        """The resident as they will be when the row's enrolment is made: what
        enrollment_check reads of them (a stand-in for one not written yet)."""
        stored = result.resident
        if stored is not None and not result.changed:
            return stored
        data = result.data
        village = data.get("village") or (stored.village if stored else None)
        return SimpleNamespace(
            is_void=stored.is_void if stored else False,
            village=village,
            full_name=data.get("full_name") or stored.full_name,
            registered_on=data.get("registered_on") or stored.registered_on,
        )
