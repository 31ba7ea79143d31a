"""The rows an import refused, back as an XLSX with a column saying why: staff fix those
rows and upload the file again (the rows already written are unchanged by it)."""

from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from jakpreneur.text import text_clean

ERROR_COLUMN = "kesalahan"


def _cell(sheet, value: Any):
    """The cell as the user typed it (they fix and upload it again), less what a sheet
    cannot hold (jakpreneur.text: a control character would make the whole file fail)."""
    if isinstance(value, str):
        value = text_clean(value, multiline=True)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text as typed, never a formula
    return cell


def error_file_write(
    target: str | Path | IO[bytes],
    *,
    columns: list[str],
    rows: list[tuple[int, list[Any], list[tuple[str, str]]]],
) -> None:
    """rows: (row number, cells as read, [(column, message)]) of each refused row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("kesalahan")
    sheet.append([*columns, ERROR_COLUMN, "baris_asal"])
    width = len(columns)
    for number, cells, errors in rows:
        cells = (list(cells) + [None] * width)[:width]
        why = "; ".join(
            f"{column}: {message}" if column else message for column, message in errors
        )
        sheet.append([*(_cell(sheet, value) for value in cells), why, number])
    workbook.save(target)
