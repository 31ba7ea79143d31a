"""The progress table as CSV, XLSX and JSON (the web exports and progress_report share these)."""

import csv
import io

from openpyxl import Workbook

from jakpreneur.spreadsheets import Column, csv_cell, xlsx_bytes, xlsx_sheet
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
    writer.writerows([csv_cell(v) for v in row] for row in progress_rows(report))
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
# Percentages are numbers shown with one decimal.
XLSX_FORMATS = [None] * 7 + ["0.0", "0.0"]


def _xlsx_row(row: list) -> list:
    """Numbers as numbers (the percentages come as "12.3" text from progress_rows)."""
    return [*row[:7], *[float(value) if value != "" else None for value in row[7:]]]


def progress_xlsx(report: ProgressReport) -> bytes:
    """The same table, plus one chart-ready sheet per stage (semesters × kecamatan)."""
    workbook = Workbook(write_only=True)
    xlsx_sheet(
        workbook,
        "capaian",
        [
            Column(header, width, number_format)
            for header, width, number_format in zip(
                XLSX_HEADER, XLSX_WIDTHS, XLSX_FORMATS, strict=True
            )
        ],
        (_xlsx_row(row) for row in progress_rows(report)),
    )
    districts = sorted(report.districts, key=lambda a: a.code)
    for stage in Stage:
        rows = []
        for n, semester in enumerate(report.period.semester_list):
            values = [
                report.stage_new(area=a, stage=stage.value, index=n) for a in districts
            ]
            rows.append([str(semester), *values, sum(values)])
        xlsx_sheet(
            workbook,
            str(stage.label),
            [
                Column("Semester", 10),
                *[Column(a.name, 12) for a in districts],
                Column(report.city.short_name, 12),
            ],
            rows,
            freeze_columns=1,
        )
    return xlsx_bytes(workbook)


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
