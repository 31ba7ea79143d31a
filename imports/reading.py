"""Reading the city's spreadsheets: XLSX (python-calamine) or CSV, one row at a time.

Every problem with the file itself (empty, not a spreadsheet, a zip bomb, no header) is an
ImportFileError with a message for the user in Indonesian; nothing here raises anything else
for a bad file.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

# An XLSX is a zip of XML. A real sheet of 100,000 rows unpacks to some tens of MB and
# compresses about 10:1; a zip bomb unpacks to gigabytes at ratios of a thousand.
XLSX_MAX_UNPACKED = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200
CSV_SAMPLE = 64 * 1024
_SCAN_BLOCK = 1024 * 1024


class ImportFileError(ValueError):
    """The file cannot be read as a sheet; the message says why, in Indonesian."""


def column_key(name: Any) -> str:
    """A header cell as a column name: case-insensitive, spaces and dashes as '_'."""
    text = str(name or "").replace("\ufeff", "").strip().lower()
    return "_".join(text.replace("-", " ").split())


@dataclass
class Table:
    """A sheet's header (column keys) and its data rows as (row number, cells)."""

    columns: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    notices: list[str] = field(default_factory=list)


def table_open(source: str | Path | bytes, *, file_name: str, sheet: str = "") -> Table:
    """The sheet in `source` (a path, or the uploaded bytes); XLSX or CSV by the name."""
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_open(source, sheet=sheet)
    if suffix in (".csv", ".txt"):
        return _csv_open(source)
    raise ImportFileError(
        _("Jenis berkas %(suffix)s tidak didukung: unggah XLSX atau CSV.")
        % {"suffix": suffix or _("(tanpa akhiran)")}
    )


def _binary(source: str | Path | bytes) -> IO[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    return open(source, "rb")  # noqa: SIM115 - the caller's iterator closes it


def _size(source) -> int:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    return Path(source).stat().st_size


def _empty_file_error() -> ImportFileError:
    return ImportFileError(_("Berkas kosong (0 byte): tidak ada yang dapat diimpor."))


# --- XLSX ---------------------------------------------------------------------


def _xlsx_open(source, *, sheet: str) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    if _size(source) == 0:
        raise _empty_file_error()
    not_xlsx = ImportFileError(
        _(
            "Berkas ini bukan XLSX yang sah (mungkin berkas lain yang diganti namanya). "
            "Buka di Excel lalu simpan sebagai .xlsx atau .csv."
        )
    )
    with _binary(source) as handle:
        if not zipfile.is_zipfile(handle):
            raise not_xlsx
        handle.seek(0)
        _refuse_zip_bomb(handle)
        handle.seek(0)
        try:
            workbook = (
                CalamineWorkbook.from_filelike(handle)
                if isinstance(handle, io.BytesIO)
                else CalamineWorkbook.from_path(str(source))
            )
            names = workbook.sheet_names
            if sheet:
                if sheet not in names:
                    raise ImportFileError(
                        _(
                            "Lembar %(sheet)s tidak ada. Lembar di berkas ini: %(names)s."
                        )
                        % {"sheet": sheet, "names": ", ".join(names)}
                    )
                worksheet = workbook.get_sheet_by_name(sheet)
            else:
                if not names:
                    raise not_xlsx
                worksheet = workbook.get_sheet_by_index(0)
            rows = worksheet.iter_rows()
        except ImportFileError:
            raise
        except (CalamineError, ValueError, OSError) as error:
            raise not_xlsx from error
    start_row = (worksheet.start or (0, 0))[0] + 1  # rows as Excel numbers them
    return _table(rows, first_row=start_row)


def _refuse_zip_bomb(handle: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(_("Berkas XLSX rusak dan tidak dapat dibuka.")) from error
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if unpacked > XLSX_MAX_UNPACKED or unpacked / packed > XLSX_MAX_RATIO:
        raise ImportFileError(
            _(
                "Berkas XLSX ini membengkak menjadi %(mb)d MB saat dibuka (bom zip?), jauh "
                "di atas lembar kerja biasa: ditolak. Simpan ulang dari Excel atau kirim "
                "sebagai CSV."
            )
            % {"mb": unpacked // (1024 * 1024)}
        )


# --- CSV ----------------------------------------------------------------------


def _csv_open(source) -> Table:
    if _size(source) == 0:
        raise _empty_file_error()
    notices = []
    encoding = "utf-8-sig"
    with _binary(source) as handle:
        if not _is_utf8(handle):
            encoding = "cp1252"
            notices.append(
                _(
                    "Berkas CSV ini bukan UTF-8: dibaca sebagai Latin-1 (Windows-1252). "
                    "Periksa huruf beraksen di pratinjau; untuk hasil pasti, simpan dari "
                    "Excel sebagai 'CSV UTF-8'."
                )
            )
        handle.seek(0)
        sample = handle.read(CSV_SAMPLE)
    first_line = sample.split(b"\n", 1)[0]
    # Indonesian Excel saves with ';' (the decimal separator is ',').
    delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
    if b"\x00" in sample:
        raise ImportFileError(
            _("Berkas ini bukan CSV (berisi data biner). Unggah XLSX atau CSV.")
        )

    def rows():
        with _binary(source) as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
            yield from csv.reader(text, delimiter=delimiter)

    return _table(rows(), first_row=1, notices=notices)


def _is_utf8(handle: IO[bytes]) -> bool:
    """Whether the whole file decodes as UTF-8 (read in blocks: memory stays flat)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := handle.read(_SCAN_BLOCK):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# --- Both ---------------------------------------------------------------------


def _table(rows, *, first_row: int, notices: list[str] | None = None) -> Table:
    """The first non-empty row is the header; the rest are data rows, numbered."""
    iterator = iter(rows)
    number = first_row - 1
    header: list[Any] | None = None
    try:
        for cells in iterator:
            number += 1
            if any(_filled(cell) for cell in cells):
                header = list(cells)
                break
    except (UnicodeDecodeError, csv.Error) as error:
        raise ImportFileError(
            _("Berkas tidak dapat dibaca sebagai CSV: %(error)s") % {"error": error}
        ) from error
    if header is None:
        raise ImportFileError(_("Berkas tidak berisi baris judul kolom maupun data."))
    columns = [column_key(cell) for cell in header]

    def data(start=number):
        n = start
        try:
            for cells in iterator:
                n += 1
                yield n, list(cells)
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFileError(
                _("Baris %(row)d tidak dapat dibaca: %(error)s")
                % {"row": n + 1, "error": error}
            ) from error

    return Table(columns=columns, rows=data(), notices=list(notices or []))


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""
