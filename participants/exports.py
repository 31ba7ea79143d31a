"""CSV and XLSX exports of resident lists (cells through jakpreneur.spreadsheets: no
control character, no formula)."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain, islice

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jakpreneur.spreadsheets import Column, csv_cell, xlsx_bytes, xlsx_sheet

from .counting import age_on
from .identity import nik_mask, phone_display
from .models import TARGET_GROUPS, Education, Gender, Sector

CHUNK = 2000
# Data rows per XLSX sheet: Excel's 1,048,576 rows less the header.
SHEET_ROWS = 1_048_575


def resident_columns(*, unmasked: bool) -> list[Column]:
    """The export's columns: the CSV's header (an interface) and the XLSX's, with widths."""
    return [
        Column(_("NIK"), 20),
        Column(_("Nomor KK"), 20),
        Column(_("Nama lengkap"), 28),
        Column(_("Jenis kelamin"), 12),
        Column(_("Tempat lahir"), 16),
        # Who sees masked NIKs sees an age, not the birth date the NIK is built from.
        Column(_("Tanggal lahir") if unmasked else _("Usia (tahun)"), 12),
        Column(_("Telepon"), 17),
        Column(_("Email"), 26),
        Column(_("Alamat"), 36),
        Column(_("RT"), 5),
        Column(_("RW"), 5),
        Column(_("Kelurahan"), 20),
        Column(_("Kecamatan"), 18),
        Column(_("Pendidikan"), 14),
        *[Column(str(label), 10) for label in TARGET_GROUPS.values()],
        Column(_("Nama usaha"), 24),
        Column(_("Bidang usaha"), 20),
        Column(_("Tahun mulai usaha"), 10),
        Column(_("Tanggal pendaftaran"), 12),
        Column(_("Status"), 11),
    ]


def resident_header(*, unmasked: bool) -> list[str]:
    return [column.header for column in resident_columns(unmasked=unmasked)]


class _Labels:
    """Choice labels and yes/no translated once per export, not once per cell."""

    def __init__(self):
        self.gender = {value: str(label) for value, label in Gender.choices}
        self.education = {value: str(label) for value, label in Education.choices}
        self.sector = {value: str(label) for value, label in Sector.choices}
        self.yes, self.no = _("ya"), _("tidak")
        self.void, self.active = _("dibatalkan"), _("aktif")
        self.today = timezone.localdate()


# What a row of the export reads: the resident's own columns and its kelurahan's and
# kecamatan's names, as plain values (no model instance a row: the export of a kota is
# more than a million rows).
ROW_FIELDS = [
    "nik",
    "kk_number",
    "full_name",
    "gender",
    "birth_place",
    "birth_date",
    "phone",
    "email",
    "address",
    "rt",
    "rw",
    "education",
    *TARGET_GROUPS,
    "business_name",
    "business_sector",
    "business_started_year",
    "registered_on",
    "is_void",
    "village__name",
    "village__district__name",
]


def resident_row(
    resident, *, unmasked: bool, labels: _Labels | None = None
) -> list[str | int | date | None]:
    """One resident's values (a row of ROW_FIELDS, by name): text, whole numbers and dates
    (each writer shows them)."""
    labels = labels or _Labels()
    show = (lambda v: v) if unmasked else nik_mask
    return [
        show(resident.nik),
        show(resident.kk_number) if resident.kk_number else "",
        resident.full_name,
        labels.gender.get(resident.gender, ""),
        resident.birth_place,
        resident.birth_date
        if unmasked
        else age_on(birth_date=resident.birth_date, day=labels.today),
        phone_display(resident.phone),
        resident.email,
        resident.address,
        resident.rt,
        resident.rw,
        resident.village__name,
        resident.village__district__name,
        labels.education.get(resident.education, ""),
        *[
            labels.yes if getattr(resident, field) else labels.no
            for field in TARGET_GROUPS
        ],
        resident.business_name,
        labels.sector.get(resident.business_sector, ""),
        resident.business_started_year,
        resident.registered_on,
        labels.void if resident.is_void else labels.active,
    ]


def resident_rows(residents, *, unmasked: bool) -> Iterator[list]:
    """Every resident of the queryset as export values, read in chunks (any size)."""
    labels = _Labels()
    values = residents.values_list(*ROW_FIELDS, named=True)
    for resident in values.iterator(chunk_size=CHUNK):
        yield resident_row(resident, unmasked=unmasked, labels=labels)


class _Echo:
    def write(self, value):
        return value


def csv_lines(residents, *, unmasked: bool) -> Iterator[str]:
    """The CSV as text pieces (UTF-8 BOM, header, one line per resident): streamed by the
    page, written in chunks by a background export: the same bytes either way."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(resident_header(unmasked=unmasked))
    for row in resident_rows(residents, unmasked=unmasked):
        yield writer.writerow([csv_cell(value) for value in row])


def csv_response(residents, *, unmasked: bool, filename: str) -> StreamingHttpResponse:
    """A streamed CSV (UTF-8 with BOM so Excel reads the names right)."""
    response = StreamingHttpResponse(
        csv_lines(residents, unmasked=unmasked),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def resident_workbook(rows: Iterable[list], *, unmasked: bool) -> Workbook:
    """The list as a write-only workbook (rows go to a temporary file as they come, text
    inline: memory stays flat): a sheet "Warga", then "Warga 2", … for every
    SHEET_ROWS rows, since Excel opens no sheet of more than 1,048,576 rows."""
    workbook = Workbook(write_only=True)
    columns = resident_columns(unmasked=unmasked)
    rows = iter(rows)
    first = next(rows, None)
    number = 1
    while True:
        sheet_rows = islice(rows, SHEET_ROWS - 1) if first is not None else ()
        head = [first] if first is not None else []
        title = _("Warga") if number == 1 else f"{_('Warga')} {number}"
        xlsx_sheet(workbook, title, columns, chain(head, sheet_rows))
        first = next(rows, None)
        if first is None:
            return workbook
        number += 1


def resident_xlsx(residents, *, unmasked: bool) -> bytes:
    """The list as a workbook people open in Excel (built whole before anything is sent)."""
    rows = resident_rows(residents, unmasked=unmasked)
    return xlsx_bytes(resident_workbook(rows, unmasked=unmasked))
