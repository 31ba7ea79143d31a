"""Personal data stays masked (UU PDP): no page or export gives a NIK away to whom may not
see it, NIK lookups are logged and limited, and NIKs stay out of URLs."""

import csv
import io
import re
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.identity import nik_build
from participants.models import AccessLog
from participants.tests.factories import ResidentFactory, StageRecordFactory
from programs.tests.factories import EnrollmentFactory, ProgramFactory


def birth_date_forms(day: date) -> list[str]:
    return [day.strftime("%d/%m/%Y"), day.isoformat(), day.strftime("%d%m%y")]


def texts_of(response) -> str:
    """What a user gets from a response: the page, or every cell of an export."""
    kind = response.get("Content-Type", "")
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(body))
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "csv" in kind:
        return "\n".join(
            " ".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))
        )
    return body.decode()


def rebuilt(nik: str, text: str, born: date) -> bool:
    """Could someone holding `text` write down the whole NIK?"""
    if nik in text:
        return True
    # A masked NIK that shows its serial, next to the birth date it encodes, is the NIK.
    shows_serial = re.search(re.escape(nik[:6]) + r"•+" + nik[-4:], text)
    shows_birth = any(form in text for form in birth_date_forms(born))
    return bool(shows_serial and shows_birth)


@pytest.fixture
def world(places):
    born = date(1988, 3, 14)
    residents = [
        ResidentFactory(
            nik=nik_build(
                district_code="31.73.08", birth_date=born, gender="P", serial=n
            ),
            birth_date=born,
            full_name=f"Rahasia {n}",
            registered_on=date(2025, 3, 1),
        )
        for n in (7, 8)
    ]
    program = ProgramFactory()
    for resident in residents:
        EnrollmentFactory(resident=resident, program=program, status="attended")
        StageRecordFactory(resident=resident, reached_on=date(2025, 4, 1))
    return residents, program, born


@pytest.mark.parametrize(
    ("role", "scope"), [(Role.PIMPINAN, "31.73"), (Role.SUDIN, "31.73:PPKUKM")]
)
def test_no_page_or_export_lets_a_reader_rebuild_a_nik(client, world, role, scope):
    residents, program, born = world
    client.force_login(staff_user(role, scope))
    urls = [
        reverse("participants:list"),
        reverse("participants:export_csv") + "?status=all",
        reverse("participants:export_xlsx") + "?status=all",
        reverse("programs:detail", args=[program.pk]),
        reverse("programs:roster_xlsx", args=[program.pk]),
        reverse("programs:attendance_sheet", args=[program.pk]),
        *[r.get_absolute_url() for r in residents],
    ]
    opened = 0
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        text = texts_of(response)
        for resident in residents:
            assert not rebuilt(resident.nik, text, born), (url, resident.full_name)
    assert opened >= 3
    lookup = client.post(reverse("participants:lookup"), {"nik": residents[0].nik})
    if lookup.status_code == 200:
        assert not rebuilt(residents[1].nik, texts_of(lookup), born)


def test_keepers_see_birth_dates_and_readers_see_ages(client, world):
    residents, _program, born = world
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    assert (
        "14 Maret 1988" in client.get(residents[0].get_absolute_url()).content.decode()
    )

    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    page = client.get(residents[0].get_absolute_url()).content.decode()
    assert "1988" not in page
    assert "tahun" in page


@override_settings(NIK_LOOKUPS_PER_HOUR=3)
def test_nik_lookups_are_logged_without_the_nik_and_limited(client, world):
    residents, program, _born = world
    user = staff_user(Role.SUDIN, "31.73:PPKUKM")
    client.force_login(user)
    url = reverse("participants:lookup")

    answers = [
        client.post(url, {"nik": nik}).status_code
        for nik in (residents[0].nik, "3173084503880099", residents[1].nik)
    ]
    refused = client.post(url, {"nik": residents[0].nik})

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert "Terlalu banyak pencarian NIK" in refused.content.decode()
    logs = AccessLog.objects.filter(user=user, action=AccessLog.Action.LOOKUP_NIK)
    assert [log.detail for log in logs.order_by("at", "pk")] == [
        "ditemukan",
        "tidak ditemukan",
        "ditemukan",
    ]
    assert not any(r.nik in log.detail + log.reason for log in logs for r in residents)
    enrol = client.post(
        reverse("programs:enroll_nik", args=[program.pk]),
        {"nik": residents[0].nik, "enrolled_on": "2025-04-01"},
    )
    assert "Terlalu banyak pencarian NIK" in enrol.content.decode()


@pytest.mark.parametrize(
    "typed", ["317308450388000", "3173 0845 0388 0007 1", "31730845"]
)
def test_a_mistyped_nik_in_the_search_never_lands_in_the_url(client, world, typed):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))

    response = client.post(reverse("participants:list"), {"q": typed, "status": "all"})

    assert response.status_code == 302
    digits = typed.replace(" ", "")
    assert digits[:10] not in response.url.replace("+", "").replace("%20", "")


def test_a_nik_written_into_any_url_is_dropped_from_it(client, world):
    residents, _program, _born = world
    client.force_login(staff_user(Role.ADMIN))

    for url in (
        reverse("participants:list"),
        reverse("admin:participants_resident_changelist"),
    ):
        response = client.get(url, {"q": residents[0].nik, "status": "all"})
        assert response.status_code == 302
        assert residents[0].nik not in response.url
        assert "status=all" in response.url


def test_editing_shows_the_nik_and_kk_masked_and_keeps_them(client, world):
    residents, _program, _born = world
    resident = residents[0]
    resident.kk_number = "3173081203100004"
    resident.save(update_fields=["kk_number"])
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    url = reverse("participants:edit", args=[resident.pk])

    page = client.get(url).content.decode()
    form = client.get(url).context["form"]
    data = {
        name: "" if value is None else value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and name != "village"
    }
    data.update(
        village=resident.village_id, full_name="Rahasia Baru", phone="081234567890"
    )
    saved = client.post(url, {k: v for k, v in data.items() if v is not False})

    assert resident.nik not in page and resident.kk_number not in page
    assert "317308••••••••••" in page
    assert saved.status_code == 302, saved.context["form"].errors
    resident.refresh_from_db()
    assert resident.full_name == "Rahasia Baru"
    assert resident.nik == residents[0].nik
    assert resident.kk_number == "3173081203100004"


def test_admin_change_page_masks_the_nik_and_kk(client, world):
    residents, _program, _born = world
    client.force_login(staff_user(Role.ADMIN))

    page = client.get(
        reverse("admin:participants_resident_change", args=[residents[0].pk])
    ).content.decode()

    assert residents[0].nik not in page
    assert "317308••••••••••" in page


def test_the_live_nik_check_says_what_the_submit_says_and_is_logged(client, world):
    residents, _program, _born = world
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    client.force_login(clerk)
    url = reverse("participants:nik_info")

    own = client.post(url, {"nik": residents[0].nik}).content.decode()
    own_edit = client.post(
        url, {"nik": residents[0].nik, "resident": residents[0].pk}
    ).content.decode()
    client.force_login(staff_user(Role.KELURAHAN, "31.73.01.1005"))
    elsewhere = client.post(url, {"nik": residents[0].nik}).content.decode()

    assert 'data-nik="duplicate"' in own and "Kelurahan Joglo" in own
    assert 'data-nik="duplicate"' not in own_edit
    assert "wilayah lain" in elsewhere and "Joglo" not in elsewhere
    assert AccessLog.objects.filter(action="lookup_nik").count() == 3
