"""CSV and XLSX exports of resident lists (formula injection neutralised)."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .counting import age_on
from .identity import nik_mask, phone_display
from .models import TARGET_GROUPS, Education, Gender, Resident, Sector

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def cell(value) -> str:
    """Text a spreadsheet will never run: a leading =, +, -, @ gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def resident_header(*, unmasked: bool) -> list[str]:
    return [
        _("NIK"),
        _("Nomor KK"),
        _("Nama lengkap"),
        _("Jenis kelamin"),
        _("Tempat lahir"),
        # Who sees masked NIKs sees an age, not the birth date the NIK is built from.
        _("Tanggal lahir") if unmasked else _("Usia (tahun)"),
        _("Telepon"),
        _("Email"),
        _("Alamat"),
        _("RT"),
        _("RW"),
        _("Kelurahan"),
        _("Kecamatan"),
        _("Pendidikan"),
        *[str(label) for label in TARGET_GROUPS.values()],
        _("Nama usaha"),
        _("Bidang usaha"),
        _("Tahun mulai usaha"),
        _("Tanggal pendaftaran"),
        _("Status"),
    ]


class _Labels:
    """Choice labels and yes/no translated once per export, not once per cell."""

    def __init__(self):
        self.gender = {value: str(label) for value, label in Gender.choices}
        self.education = {value: str(label) for value, label in Education.choices}
        self.sector = {value: str(label) for value, label in Sector.choices}
        self.yes, self.no = _("ya"), _("tidak")
        self.void, self.active = _("dibatalkan"), _("aktif")
        self.today = timezone.localdate()


def resident_row(
    resident: Resident, *, unmasked: bool, labels: _Labels | None = None
) -> list[str]:
    labels = labels or _Labels()
    show = (lambda v: v) if unmasked else nik_mask
    return [
        cell(value)
        for value in [
            show(resident.nik),
            show(resident.kk_number) if resident.kk_number else "",
            resident.full_name,
            labels.gender.get(resident.gender, ""),
            resident.birth_place,
            resident.birth_date.strftime("%d/%m/%Y")
            if unmasked
            else age_on(birth_date=resident.birth_date, day=labels.today),
            phone_display(resident.phone),
            resident.email,
            resident.address,
            resident.rt,
            resident.rw,
            resident.village.name,
            resident.village.district.name,
            labels.education.get(resident.education, ""),
            *[
                labels.yes if getattr(resident, field) else labels.no
                for field in TARGET_GROUPS
            ],
            resident.business_name,
            labels.sector.get(resident.business_sector, ""),
            resident.business_started_year or "",
            resident.registered_on.strftime("%d/%m/%Y"),
            labels.void if resident.is_void else labels.active,
        ]
    ]


def _rows(residents, *, unmasked: bool) -> Iterator[list[str]]:
    yield resident_header(unmasked=unmasked)
    labels = _Labels()
    for resident in residents.iterator(chunk_size=CHUNK):
        yield resident_row(resident, unmasked=unmasked, labels=labels)


class _Echo:
    def write(self, value):
        return value


def csv_response(residents, *, unmasked: bool, filename: str) -> StreamingHttpResponse:
    """A streamed CSV (UTF-8 with BOM so Excel reads the names right)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff"
        for row in _rows(residents, unmasked=unmasked):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(residents, *, unmasked: bool, filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Warga"))
    for row in _rows(residents, unmasked=unmasked):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
