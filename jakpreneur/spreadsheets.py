"""The one cell writer and the one XLSX sheet writer every export uses (residents, training
rosters, progress reports): no export can fail on, or run, what is stored.

- `cell_text`: text with no control character a spreadsheet file cannot hold
  (jakpreneur.text.text_clean; line breaks as \n) and no leading =, +, -, @ (formula
  injection: it gets a quote).
- `xlsx_sheet`: a sheet people open in Excel: header in words, header row frozen, column
  widths that fit, dates as Excel dates shown dd/mm/yyyy, numbers as numbers.
"""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from .text import text_clean

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
# What Excel refuses in a sheet's name.
_NOT_IN_TITLES = re.compile(r"[\\/?*\[\]:']")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_text(value) -> str:
    """Text a spreadsheet can hold and will never run (every CSV and XLSX text cell)."""
    text = "" if value is None else text_clean(str(value), multiline=True)
    # One line break inside a cell, as Excel writes it (an XLSX reader turns \r into \n).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value) -> str:
    """A CSV field: dates as dd/mm/yyyy, numbers as written, text through cell_text."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return cell_text(value)


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters; widened to fit the header
    number_format: str | None = None  # for numbers, e.g. "0.0"; dates get DATE_FORMAT


def _xlsx_cell(sheet, value, number_format: str | None):
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if not number_format:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    return cell_text(value)


def xlsx_sheet(
    workbook: Workbook,
    title: str,
    columns: list[Column],
    rows: Iterable[list],
    *,
    above: Iterable[list] = (),
    freeze_columns: int = 0,
) -> None:
    """Add a sheet: `above` rows (a title line), the header, then `rows` (dates, numbers,
    text), with everything up to the header frozen (and the first `freeze_columns`)."""
    above = list(above)
    sheet = workbook.create_sheet(
        _NOT_IN_TITLES.sub("", text_clean(str(title))).strip()[:31] or "-"
    )
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = max(
            column.width, len(str(column.header)) + 2
        )
    sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{len(above) + 2}"
    for row in above:
        sheet.append([_xlsx_cell(sheet, value, None) for value in row])
    sheet.append([cell_text(column.header) for column in columns])
    formats = [column.number_format for column in columns]
    for row in rows:
        sheet.append(
            [
                _xlsx_cell(sheet, value, formats[n] if n < len(formats) else None)
                for n, value in enumerate(row)
            ]
        )


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
