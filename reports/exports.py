"""The progress table as CSV, XLSX and JSON (the web exports and progress_report share these)."""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from participants.models import Stage

from .selectors import AreaProgress, ProgressReport, percent_number

HEADER = [
    "kode",
    "wilayah",
    "semester",
    "target",
    "baru",
    "kumulatif",
    "target_kumulatif",
    "persen",
    "persen_kumulatif",
]


def one_decimal(value) -> str:
    """12.3 (dot separator), as reports.selectors.percent rounded it; empty without target."""
    return "" if value is None else f"{value:.1f}"


def _area_rows(area: AreaProgress) -> list[list]:
    return [
        [
            area.code,
            area.name,
            str(figures.semester),
            figures.target,
            figures.new,
            figures.cumulative,
            figures.cumulative_target,
            one_decimal(figures.percent),
            one_decimal(figures.cumulative_percent),
        ]
        for figures in area.semesters
    ]


def progress_rows(report: ProgressReport) -> list[list]:
    """One row per kecamatan per semester (by code), then one per semester for the kota."""
    rows = []
    for area in sorted(report.districts, key=lambda a: a.code):
        rows += _area_rows(area)
    return rows + _area_rows(report.city_progress)


def progress_csv(report: ProgressReport) -> str:
    """The documented header (an interface), UTF-8 with a BOM so Excel as Indonesian
    offices use it reads it right; the web export and progress_report send these bytes."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(progress_rows(report))
    return buffer.getvalue()


# The spreadsheet's own header: Indonesian words for people (the CSV keeps the field names).
XLSX_HEADER = [
    "Kode",
    "Wilayah",
    "Semester",
    "Target",
    "Baru",
    "Kumulatif",
    "Target kumulatif",
    "% capaian",
    "% kumulatif",
]
XLSX_WIDTHS = [12, 22, 10, 12, 10, 12, 17, 11, 12]


def _xlsx_row(sheet, row: list) -> list:
    """Numbers as numbers; percentages as numbers shown with one decimal."""
    cells = [row[0], row[1], row[2], *row[3:7]]
    for value in row[7:]:
        if value == "":
            cells.append(None)
        else:
            cell = WriteOnlyCell(sheet, value=float(value))
            cell.number_format = "0.0"
            cells.append(cell)
    return cells


def progress_xlsx(report: ProgressReport) -> bytes:
    """The same table, plus one chart-ready sheet per stage (semesters × kecamatan)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("capaian")
    sheet.freeze_panes = "A2"
    for n, width in enumerate(XLSX_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    sheet.append(XLSX_HEADER)
    for row in progress_rows(report):
        sheet.append(_xlsx_row(sheet, row))
    districts = sorted(report.districts, key=lambda a: a.code)
    for stage in Stage:
        stage_sheet = workbook.create_sheet(str(stage.label)[:31])
        stage_sheet.freeze_panes = "B2"
        stage_sheet.column_dimensions["A"].width = 10
        stage_sheet.append(
            ["Semester", *[a.name for a in districts], report.city.short_name]
        )
        for n, semester in enumerate(report.period.semester_list):
            values = [
                report.stage_new(area=a, stage=stage.value, index=n) for a in districts
            ]
            stage_sheet.append([str(semester), *values, sum(values)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _area_json(area: AreaProgress) -> dict:
    return {
        "kode": area.code,
        "wilayah": area.name,
        "target_total": area.total,
        "kumulatif": area.cumulative,
        "persen_total": percent_number(area.percent_of_total),
        "target_sampai_hari_ini": area.target_to_date,
        "persen_target_sampai_hari_ini": percent_number(area.percent_to_date),
        "status": area.status,
        "laju_dibutuhkan_per_semester": area.pace_needed,
        "proyeksi_total": area.projected_total,
        "tahapan": area.funnel,
        "semester": [
            {
                "semester": str(f.semester),
                "target": f.target,
                "baru": f.new,
                "kumulatif": f.cumulative,
                "target_kumulatif": f.cumulative_target,
                "persen": percent_number(f.percent),
                "persen_kumulatif": percent_number(f.cumulative_percent),
            }
            for f in area.semesters
        ],
    }


def progress_json(report: ProgressReport) -> dict:
    period = report.period
    return {
        "periode": {
            "id": period.pk,
            "nama": period.name,
            "semester_awal": str(period.first_semester),
            "semester_akhir": str(period.last_semester),
            "tahap": period.stage,
        },
        "tanggal": report.today.isoformat(),
        "kota": _area_json(report.city_progress),
        "kecamatan": [
            _area_json(a) for a in sorted(report.districts, key=lambda a: a.code)
        ],
    }
