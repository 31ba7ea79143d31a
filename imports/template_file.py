"""The template XLSX offered on the import page: header, one example row, and a sheet
explaining each column."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .rows import COLUMNS, RESIDENT_COLUMNS

EXAMPLE = {
    "nik": "3173084508900001",
    "no_kk": "3173080101900001",
    "nama": "Siti Contoh",
    "jenis_kelamin": "P",
    "tempat_lahir": "Jakarta",
    "tanggal_lahir": "1990-08-05",
    "no_hp": "0812-3456-7890",
    "alamat": "Jl. Joglo Raya No. 5",
    "rt": "005",
    "rw": "002",
    "kode_kelurahan": "31.73.08.1005",
    "tanggal_daftar": "2025-03-01",
    "pendidikan": "sma",
    "kode_pelatihan": "",
    "tanggal_ikut": "",
    "status_ikut": "",
}


def template_xlsx() -> bytes:
    workbook = Workbook()
    data = workbook.active
    data.title = "data"
    data.append(list(COLUMNS))
    data.append([EXAMPLE[name] for name in COLUMNS])
    for column in data.iter_cols(min_row=1, max_row=2):
        column[1].number_format = "@"  # text: Excel must not turn a NIK into a number
    guide = workbook.create_sheet(_("petunjuk"))
    guide.append([_("kolom"), _("wajib"), _("isi")])
    for name, (_field, help_text) in COLUMNS.items():
        guide.append(
            [name, _("ya") if name in RESIDENT_COLUMNS else "", str(help_text)]
        )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
