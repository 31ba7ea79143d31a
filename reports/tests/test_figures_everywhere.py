"""Every figure on every report page and export equals a brute-force count.

After a few hundred random writes through the services, the dashboard, each kecamatan's
drill-down (with its kelurahan table and breakdowns), the breakdowns page, the print page
and the CSV, XLSX and JSON exports are read as a user gets them and compared with
reports.tests.world.brute_force(), which reads only the source rows.
"""

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.semesters import Semester
from participants.models import Stage
from reports.services import semester_target_map
from reports.tests.world import brute_force, play, setup_world
from wilayah.models import District

BREAKDOWN_KEYS = ["agency", "category", "gender", "age"]


class Tables(HTMLParser):
    """The tables of a page: {data attribute value: [[cell text, ...], ...]}."""

    def __init__(self, html: str, attribute: str):
        super().__init__()
        self.attribute, self.tables, self.current, self.row, self.cell = (
            attribute,
            {},
            None,
            None,
            None,
        )
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and self.attribute in attrs:
            self.current = self.tables.setdefault(attrs[self.attribute], [])
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def number(text: str) -> int:
    return int(text.replace(".", "").replace(",", ""))


def percent(part: int, whole: int) -> str:
    if not whole:
        return ""
    value = (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value:.1f}"


@pytest.fixture
def world(places):
    period = setup_world()
    play(seed=11, steps=260)
    return period, brute_force()


@pytest.fixture
def sekkota(client, places):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    return client


def expected_rows(period, truth):
    """The CSV/XLSX table, computed from the source rows and the stored targets."""
    rows = []
    semesters = period.semester_list
    totals = {s: [0, 0] for s in semesters}
    for target in period.district_targets.select_related("district", "period"):
        code = target.district.code
        targets = semester_target_map(district_target=target)
        cumulative = cumulative_target = 0
        for semester in semesters:
            new = truth.new(district=code, stage=period.stage, index=semester.index)
            cumulative += new
            cumulative_target += targets[semester]
            totals[semester][0] += targets[semester]
            totals[semester][1] += new
            rows.append(
                [
                    code,
                    target.district.name,
                    str(semester),
                    str(targets[semester]),
                    str(new),
                    str(cumulative),
                    str(cumulative_target),
                    percent(new, targets[semester]),
                    percent(cumulative, cumulative_target),
                ]
            )
    rows.sort(key=lambda row: (row[0], row[2]))
    cumulative = cumulative_target = 0
    for semester in semesters:
        target, new = totals[semester]
        cumulative += new
        cumulative_target += target
        rows.append(
            [
                period.city.code,
                period.city.short_name,
                str(semester),
                str(target),
                str(new),
                str(cumulative),
                str(cumulative_target),
                percent(new, target),
                percent(cumulative, cumulative_target),
            ]
        )
    return rows


def test_csv_and_xlsx_rows_equal_the_brute_force_count(sekkota, world):
    period, truth = world
    expected = expected_rows(period, truth)
    assert sum(int(row[4]) for row in expected) > 20  # the world is not empty

    csv_rows = list(
        csv.reader(
            io.StringIO(
                sekkota.get(reverse("reports:export_csv")).content.decode("utf-8-sig")
            )
        )
    )
    assert csv_rows[1:] == expected

    workbook = load_workbook(
        io.BytesIO(sekkota.get(reverse("reports:export_xlsx")).content)
    )
    sheet_rows = [
        [
            "" if v is None else f"{float(v):.1f}" if n >= 7 else str(v)
            for n, v in enumerate(row)
        ]
        for row in workbook["capaian"].iter_rows(min_row=2, values_only=True)
    ]
    assert sheet_rows == expected
    districts = sorted(
        period.district_targets.select_related("district"),
        key=lambda t: t.district.code,
    )
    for stage in Stage:
        sheet = workbook[str(stage.label)[:31]]
        for semester, row in zip(
            period.semester_list,
            sheet.iter_rows(min_row=2, values_only=True),
            strict=True,
        ):
            wanted = [
                truth.new(
                    district=t.district.code, stage=stage.value, index=semester.index
                )
                for t in districts
            ]
            assert list(row) == [str(semester), *wanted, sum(wanted)]


def test_json_equals_the_brute_force_count(sekkota, world):
    period, truth = world
    data = json.loads(sekkota.get(reverse("reports:export_json")).content)
    rows = {(r[0], r[2]): r for r in expected_rows(period, truth)}
    indexes = [s.index for s in period.semester_list]
    for area in [data["kota"], *data["kecamatan"]]:
        for figures in area["semester"]:
            row = rows[(area["kode"], figures["semester"])]
            assert figures["baru"] == int(row[4])
            assert figures["kumulatif"] == int(row[5])
            assert figures["target_kumulatif"] == int(row[6])
            assert (
                "" if figures["persen"] is None else f"{figures['persen']:.1f}"
            ) == row[7]
        codes = (
            [d["kode"] for d in data["kecamatan"]]
            if area is data["kota"]
            else [area["kode"]]
        )
        for stage in Stage:
            assert area["tahapan"][stage.value] == sum(
                truth.new(district=code, stage=stage.value, index=i)
                for code in codes
                for i in indexes
            )
        assert area["kumulatif"] == sum(
            truth.new(district=code, stage=period.stage, index=i)
            for code in codes
            for i in indexes
        )


def test_dashboard_and_print_page_show_the_brute_force_count(sekkota, world):
    period, truth = world
    indexes = [s.index for s in period.semester_list]
    codes = list(period.district_targets.values_list("district__code", flat=True))
    total = sum(
        truth.new(district=code, stage=period.stage, index=i)
        for code in codes
        for i in indexes
    )

    page = sekkota.get(reverse("reports:dashboard"))
    html = page.content.decode()
    assert f'id="headline-count">{total}<' in html
    funnel = Tables(html, "data-table")
    assert {row[0]: number(row[1]) for row in funnel.tables["funnel"]} == {
        str(stage.label): sum(
            truth.new(district=code, stage=stage.value, index=i)
            for code in codes
            for i in indexes
        )
        for stage in Stage
    }
    semester_rows = Tables(html, "data-table").tables["semesters"][1:]
    expected = {
        row[2]: row for row in expected_rows(period, truth) if row[0] == "31.73"
    }
    for cells in semester_rows:
        row = expected[cells[0]]
        assert [number(c) for c in cells[1:3]] == [int(row[3]), int(row[4])]
        assert cells[3].rstrip("%").replace(",", ".") == (row[7] or "–")

    printed = Tables(
        sekkota.get(reverse("reports:print")).content.decode(), "data-table"
    )
    by_name = {row[0]: row for row in printed.tables["districts"][1:]}
    for target in period.district_targets.select_related("district"):
        cumulative = sum(
            truth.new(district=target.district.code, stage=period.stage, index=i)
            for i in indexes
        )
        assert number(by_name[target.district.name][4]) == cumulative


@pytest.mark.parametrize("span", [{}, {"dari": "2024-S1", "sampai": "2025-S1"}])
def test_drill_down_and_breakdowns_show_the_brute_force_count(sekkota, world, span):
    period, truth = world
    first = Semester.parse(span.get("dari", str(period.first_semester)))
    last = Semester.parse(span.get("sampai", str(period.last_semester)))
    indexes = [s.index for s in period.semester_list if first <= s <= last]
    all_codes = []
    for district in District.objects.filter(city__code="31.73"):
        all_codes.append(district.code)
        html = sekkota.get(
            reverse("reports:district", args=[district.code]), span
        ).content.decode()
        tables = Tables(html, "data-table")
        villages = truth.villages(
            district=district.code, stage=period.stage, indexes=indexes
        )
        shown = {
            row[0]: number(row[-1])
            for row in tables.tables["kelurahan-semester"][1:-1]
            if number(row[-1])
        }
        assert shown == dict(villages)
        headline = number(tables.tables["kelurahan-semester"][-1][-1])
        assert headline == sum(villages.values())
        split = truth.split(
            districts=[district.code], stage=period.stage, indexes=indexes
        )
        breakdowns = Tables(html, "data-dimension").tables
        for key in BREAKDOWN_KEYS:
            rows = {row[0]: number(row[1]) for row in breakdowns[key][:-1]}
            assert rows == dict(split.get(key, {})), (district.code, key)
            assert number(breakdowns[key][-1][1]) == headline

    html = sekkota.get(reverse("reports:breakdowns"), span).content.decode()
    breakdowns = Tables(html, "data-dimension").tables
    split = truth.split(districts=all_codes, stage=period.stage, indexes=indexes)
    headline = sum(
        truth.new(district=code, stage=period.stage, index=i)
        for code in all_codes
        for i in indexes
    )
    assert headline > 0
    for key in BREAKDOWN_KEYS:
        rows = {row[0]: number(row[1]) for row in breakdowns[key][:-1]}
        assert rows == dict(split.get(key, {})), key
        assert number(breakdowns[key][-1][1]) == headline
