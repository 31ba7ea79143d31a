"""The drill-down, breakdowns, print page and exports are served from the same cache as the
dashboard (reports.cache) and are as current: a committed registration shows on the next load
of each, a void removes it, another kota's write keeps them cached, and what a page shows of
the request itself (the time of printing, the chosen semesters, the language) is its own."""

import io
import json
import re
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.services import resident_void
from reports.tests.factories import jakarta_barat_period, resident

KEMBANGAN = "31.73.08"
REGISTERED = date(2025, 3, 1)


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def district_count(response) -> int:
    footer = response.content.decode().split("<tfoot>")[1]
    return _number(re.search(r'fw-semibold">([\d.,]+)<', footer).group(1))


def breakdowns_count(response) -> int:
    found = re.search(r"([\d.,]+) warga; setiap rincian", response.content.decode())
    return _number(found.group(1))


def print_count(response) -> int:
    found = re.search(r"Sampai hari ini ([\d.,]+) warga", response.content.decode())
    return _number(found.group(1))


def csv_count(response) -> int:
    lines = response.content.decode("utf-8-sig").splitlines()
    return sum(
        int(cells[4])
        for cells in (line.split(",") for line in lines[1:])
        if cells[0] == "31.73"
    )


def xlsx_count(response) -> int:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["capaian"]
    return sum(
        row[4]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] == "31.73"
    )


def json_count(response) -> int:
    return json.loads(response.content)["kota"]["kumulatif"]


PAGES = {
    "district": (reverse("reports:district", args=[KEMBANGAN]), district_count),
    "breakdowns": (reverse("reports:breakdowns"), breakdowns_count),
    "print": (reverse("reports:print"), print_count),
    "csv": (reverse("reports:export_csv"), csv_count),
    "xlsx": (reverse("reports:export_xlsx"), xlsx_count),
    "json": (reverse("reports:export_json"), json_count),
}


@pytest.fixture
def period(places):
    return jakarta_barat_period()


@pytest.fixture
def sekkota(client, places):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    return client


def load(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def reads_the_report(client, url, **params) -> bool:
    """Whether a load computed the page (read the counters or targets) or was a hit."""
    with CaptureQueriesContext(connection) as queries:
        load(client, url, **params)
    tables = " ".join(q["sql"] for q in queries.captured_queries).lower()
    return any(t in tables for t in ("stagecount", "districttarget", "targetperiod"))


@pytest.mark.parametrize("name", PAGES)
def test_a_registration_shows_and_a_void_goes_on_the_next_load(
    sekkota, period, commit, name
):
    url, count = PAGES[name]
    assert count(load(sekkota, url)) == 0
    assert not reads_the_report(sekkota, url), "the second load was not a cache hit"

    siti = commit(lambda: resident(registered_on=REGISTERED))
    assert count(load(sekkota, url)) == 1
    assert not reads_the_report(sekkota, url)

    commit(
        lambda: resident_void(
            resident=siti, user=staff_user(Role.ADMIN), reason="Pendaftaran ganda"
        )
    )
    assert count(load(sekkota, url)) == 0


@pytest.mark.parametrize("name", PAGES)
def test_another_kota_s_registration_keeps_the_page_cached(
    sekkota, period, commit, name
):
    url, _count = PAGES[name]
    load(sekkota, url)

    commit(lambda: resident(village="31.75.01.1001", registered_on=REGISTERED))

    assert not reads_the_report(sekkota, url)


@pytest.mark.parametrize("name", PAGES)
def test_cached_and_computed_are_the_same_bytes(sekkota, period, commit, name):
    url, _count = PAGES[name]
    commit(lambda: resident(registered_on=REGISTERED))
    cold = load(sekkota, url).content.decode("utf-8", "replace")
    hot = load(sekkota, url).content.decode("utf-8", "replace")
    if name in ("district", "breakdowns"):  # above the title: the request's CSRF token
        cold, hot = cold.split("<h1", 1)[1], hot.split("<h1", 1)[1]
    if name == "print":  # the time of printing is each request's own
        cold, hot = cold.split("Dicetak", 1)[0], hot.split("Dicetak", 1)[0]
        assert cold.split("</div>", 3)[-1] == hot.split("</div>", 3)[-1]
    if name == "xlsx":  # a zip: compare what it holds
        cold, hot = (
            _cells(load(sekkota, url).content),
            _cells(load(sekkota, url).content),
        )
    assert cold == hot


def _cells(body: bytes):
    book = load_workbook(io.BytesIO(body), read_only=True)
    return {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets}


def test_each_choice_of_semesters_is_its_own_page(sekkota, period, commit):
    commit(lambda: resident(registered_on=date(2024, 3, 1)))
    url = PAGES["district"][0]

    whole = district_count(load(sekkota, url))
    later = district_count(load(sekkota, url, dari="2025-S1", sampai="2027-S2"))

    assert (whole, later) == (1, 0)
    assert not reads_the_report(sekkota, url, dari="2025-S1", sampai="2027-S2")


def test_swapped_semesters_are_said_on_a_cache_hit_too(sekkota, period):
    url = PAGES["breakdowns"][0]
    load(sekkota, url, dari="2024-S2", sampai="2023-S1")

    response = load(sekkota, url, dari="2024-S2", sampai="2023-S1")

    assert "jatuh setelah" in response.content.decode()


def test_the_print_time_is_each_request_s_own(sekkota, period, monkeypatch):
    from django.utils import timezone

    url = PAGES["print"][0]
    load(sekkota, url)
    later = timezone.localtime().replace(hour=23, minute=59)
    monkeypatch.setattr(timezone, "localtime", lambda *args, **kwargs: later)

    assert "23.59" in load(sekkota, url).content.decode()


def test_each_language_gets_its_own_breakdowns(sekkota, period):
    url = PAGES["breakdowns"][0]
    indonesian = load(sekkota, url).content.decode()
    sekkota.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    english = load(sekkota, url).content.decode()

    assert "Per kelurahan" in indonesian
    assert "Per kelurahan" not in english


def test_an_unknown_kecamatan_is_not_found_and_not_cached(sekkota, period):
    url = reverse("reports:district", args=["31.71.01"])  # Jakarta Pusat's

    assert sekkota.get(url).status_code == 404
    assert sekkota.get(url).status_code == 404


def test_a_kota_the_user_may_not_read_is_refused_on_a_cache_hit(client, period):
    client.force_login(staff_user(Role.ADMIN))
    url = PAGES["district"][0]
    load(client, url, kota="31.73")
    client.force_login(staff_user(Role.PIMPINAN, "31.75"))

    assert client.get(url, {"kota": "31.73"}).status_code == 403
