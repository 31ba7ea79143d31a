"""The dashboard's figures come from the shared cache (reports.cache) and are never stale:
every write that moves what it shows, once committed, changes the next load; the page around
the figures is each user's own; the day and the language are part of what is cached."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from imports.reading import table_open
from imports.services import rows_import
from imports.tests.helpers import csv_bytes, row
from participants.models import Resident, Stage, StageCount
from participants.services import resident_void, stage_record_create
from programs.models import Agency, Enrollment
from programs.services import field_lead_create, roster_update
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.models import DistrictTarget
from reports.services import district_target_spread
from reports.tests.factories import jakarta_barat_period, resident
from wilayah.models import District

KEMBANGAN = "31.73.08"


@pytest.fixture
def period(places):
    return jakarta_barat_period()


@pytest.fixture
def sekkota(client, places):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    return client


def load(client, **params):
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return response


def warm(client, **params):
    """Load twice: the second load must be served from the cache (no report computed)."""
    load(client, **params)
    response = load(client, **params)
    assert "report" not in response.context, "the second load was not a cache hit"
    return response


def headline(response) -> int:
    found = re.search(r'id="headline-count">([\d.,]+)<', response.content.decode())
    return int(re.sub(r"\D", "", found.group(1)))


def funnel(response) -> dict[str, int]:
    table = (
        response.content.decode().split('data-table="funnel"')[1].split("</table>")[0]
    )
    return {
        label: int(re.sub(r"\D", "", n))
        for label, n in re.findall(
            r'<th scope="row">([^<]+)</th><td class="text-end">([^<]+)</td>', table
        )
    }


def test_a_registration_shows_on_the_next_load(sekkota, period, commit):
    assert headline(warm(sekkota)) == 0

    commit(lambda: resident(registered_on=date(2025, 3, 1)))

    assert headline(load(sekkota)) == 1


def test_an_uncommitted_write_does_not_replace_the_cached_figures(sekkota, period):
    """Bumped after commit only: a page computed during the write is not kept as new."""
    warm(sekkota)
    resident(registered_on=date(2025, 3, 1))  # never committed in a test

    assert headline(load(sekkota)) == 0


def test_a_void_shows_on_the_next_load(sekkota, period, commit):
    siti = commit(lambda: resident(registered_on=date(2025, 3, 1)))
    assert headline(warm(sekkota)) == 1

    commit(
        lambda: resident_void(
            resident=siti, user=staff_user(Role.ADMIN), reason="Pendaftaran ganda"
        )
    )

    assert headline(load(sekkota)) == 0


def test_a_stage_record_shows_on_the_next_load(sekkota, period, commit):
    siti = commit(lambda: resident(registered_on=date(2025, 3, 1)))
    label = str(Stage.PENDAMPINGAN.label)
    assert funnel(warm(sekkota))[label] == 0

    commit(
        lambda: stage_record_create(
            resident=siti,
            user=staff_user(Role.ADMIN),
            stage=Stage.PENDAMPINGAN,
            reached_on=date(2025, 5, 1),
            mentor="Bu Rina",
        )
    )

    assert funnel(load(sekkota))[label] == 1


def test_attendance_shows_on_the_next_load(sekkota, period, commit):
    enrolment = commit(
        lambda: EnrollmentFactory(
            resident=resident(registered_on=date(2025, 3, 1)),
            program=ProgramFactory(),
        )
    )
    label = str(Stage.PELATIHAN.label)
    assert funnel(warm(sekkota))[label] == 0

    commit(
        lambda: roster_update(
            program=enrolment.program,
            statuses={enrolment.pk: Enrollment.Status.ATTENDED},
            user=staff_user(Role.ADMIN),
            today=date(2025, 4, 20),
        )
    )

    assert funnel(load(sekkota))[label] == 1


def test_an_import_shows_on_the_next_load(sekkota, period, commit):
    assert headline(warm(sekkota)) == 0
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")

    summary = commit(
        lambda: rows_import(
            table=table_open(csv_bytes([row(1), row(2)]), file_name="warga.csv"),
            user=clerk,
            write=True,
            today=date(2025, 6, 1),
        )
    )

    assert summary.new == 2
    assert headline(load(sekkota)) == 2


def test_rebuild_counts_shows_on_the_next_load(sekkota, period, commit):
    commit(lambda: resident(registered_on=date(2025, 3, 1)))
    StageCount.objects.all().delete()  # counters lost around the services, not bumped
    assert headline(warm(sekkota)) == 0

    commit(lambda: call_command("rebuild_counts", stdout=None))

    assert headline(load(sekkota)) == 1


def test_a_target_edit_by_service_shows_on_the_next_load(sekkota, period, commit):
    assert "dari target 1.600.000" in warm(sekkota).content.decode()
    target = DistrictTarget.objects.get(period=period, district__code=KEMBANGAN)

    def edit():
        target.total += 10_000
        target.save()
        district_target_spread(district_target=target)

    commit(edit)

    assert "dari target 1.610.000" in load(sekkota).content.decode()


def test_a_target_edit_in_the_admin_shows_on_the_next_load(
    client, sekkota, period, commit
):
    assert "dari target 1.600.000" in warm(sekkota).content.decode()
    admin = staff_user(Role.ADMIN)
    target = DistrictTarget.objects.get(period=period, district__code=KEMBANGAN)
    rows = list(target.semester_targets.order_by("semester"))
    data = {
        "total": "210000",
        "district": target.district_id,
        "period": period.pk,
        "semester_targets-TOTAL_FORMS": str(len(rows)),
        "semester_targets-INITIAL_FORMS": str(len(rows)),
        "semester_targets-MIN_NUM_FORMS": "0",
        "semester_targets-MAX_NUM_FORMS": "1000",
    }
    for n, semester_target in enumerate(rows):
        data |= {
            f"semester_targets-{n}-id": semester_target.pk,
            f"semester_targets-{n}-district_target": target.pk,
            f"semester_targets-{n}-semester": semester_target.semester,
            f"semester_targets-{n}-target": "30000"
            if n == 0
            else str(semester_target.target),
        }
    client.force_login(admin)
    url = reverse("admin:reports_districttarget_change", args=[target.pk])
    assert commit(lambda: client.post(url, data)).status_code == 302

    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    assert "dari target 1.610.000" in load(client).content.decode()


def test_a_field_lead_shows_on_the_next_load(sekkota, period, commit):
    assert "Pak Darto" not in warm(sekkota).content.decode()

    commit(
        lambda: field_lead_create(
            agency=Agency.objects.get(city__code="31.73", short_name="PPKUKM"),
            district=District.objects.get(code=KEMBANGAN),
            name="Pak Darto",
        )
    )

    assert "Pak Darto" in load(sekkota).content.decode()


def test_a_registration_recomputes_the_figures_but_not_coverage_or_targets(
    sekkota, period, commit
):
    warm(sekkota)

    commit(lambda: resident(registered_on=date(2025, 3, 1)))
    with CaptureQueriesContext(connection) as queries:
        response = load(sekkota)

    assert headline(response) == 1
    assert "report" in response.context  # the figures were computed again...
    tables = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "fieldlead" not in tables  # ...the coverage table was not...
    assert "districttarget" not in tables  # ...nor the targets
    assert "semestertarget" not in tables
    assert "Kasatlak/Kasatpel aktif per Suku Dinas" in response.content.decode()


def test_another_kota_s_registration_keeps_this_kota_s_figures_cached(
    sekkota, period, commit
):
    warm(sekkota)

    commit(lambda: resident(village="31.75.01.1001", registered_on=date(2025, 3, 1)))

    assert "report" not in load(sekkota).context


def test_two_users_never_see_each_other_s_page(client, period):
    """The figures are shared; the menu and the name around them are each user's own."""
    admin = staff_user(Role.ADMIN, first_name="Adi", last_name="Admin")
    chief = staff_user(Role.PIMPINAN, "31.73", first_name="Sekar", last_name="Kota")
    client.force_login(admin)
    admin_page = load(client, kota="31.73").content.decode()
    client.force_login(chief)
    chief_page = load(client, kota="31.73")

    assert "report" not in chief_page.context  # the admin's figures, served from cache
    chief_page = chief_page.content.decode()
    assert "Adi Admin" in admin_page
    assert reverse("admin:index") in admin_page
    assert "Sekar Kota" in chief_page
    assert "Adi Admin" not in chief_page
    assert reverse("admin:index") not in chief_page
    assert headline_text(admin_page) == headline_text(chief_page)


def headline_text(page: str) -> str:
    return re.search(r'id="headline-count">([^<]+)<', page).group(1)


def test_each_language_gets_its_own_figures(sekkota, period):
    indonesian = warm(sekkota).content.decode()
    sekkota.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    english = load(sekkota).content.decode()

    assert "Warga terhitung dalam periode" in indonesian
    assert "Residents counted in the period" in english
    assert "Warga terhitung dalam periode" not in english


def test_a_warm_load_reads_nothing_of_the_report(sekkota, period):
    resident(registered_on=date(2025, 3, 1))
    with CaptureQueriesContext(connection) as cold:
        load(sekkota)
    with CaptureQueriesContext(connection) as hot:
        response = load(sekkota)

    assert "report" not in response.context
    tables = " ".join(q["sql"] for q in hot.captured_queries)
    for table in ("targetperiod", "stagecount", "districttarget", "fieldlead"):
        assert table not in tables.lower(), table
    # Session, user with profile (one query), and the kota with those the user may
    # choose from: the report (its period included) reads nothing.
    assert len(hot) == 3, [q["sql"] for q in hot.captured_queries]
    assert len(hot) < len(cold)


def test_the_next_day_changes_the_target_to_date(sekkota, period, monkeypatch):
    today = timezone.localdate()
    first = warm(sekkota).content.decode()

    monkeypatch.setattr(
        timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=1)
    )
    second = load(sekkota)

    assert "report" in second.context  # a new day: computed again
    assert second.context["report"].today == today + timedelta(days=1)
    assert target_to_date(second.content.decode()) > target_to_date(first)


def target_to_date(page: str) -> int:
    """The kota's target to date, summed over its kecamatan cards."""
    return sum(
        int(re.sub(r"\D", "", n))
        for n in re.findall(
            r"Kumulatif / target sampai hari ini</dt><dd[^>]*>[\d.,]+ / ([\d.,]+)<",
            page,
        )
    )


def test_figures_identical_from_cache_and_computed(sekkota, period, commit):
    commit(lambda: resident(registered_on=date(2025, 3, 1)))
    cold = load(sekkota).content.decode()
    hot = load(sekkota)

    assert "report" not in hot.context
    # The whole page from the title on (above it, the request's own CSRF token).
    assert cold.split("<h1", 1)[1] == hot.content.decode().split("<h1", 1)[1]
    assert Resident.objects.count() == 1


def test_a_write_between_reading_and_storing_is_not_hidden(sekkota, period, commit):
    """A page computed from inputs that changed meanwhile is stored with the versions it
    read first, so the next load sees they are old and computes again."""
    from reports import cache as report_cache

    real_set = report_cache.Page.set
    written = []

    def set_after_a_write(page, value):
        # One registration, committed while a counted part was computed (the parts of
        # reference data alone, read first, are stored before the counters are read).
        if not written and not page.reference_only:
            written.append(commit(lambda: resident(registered_on=date(2025, 3, 1))))
        real_set(page, value)

    report_cache.Page.set = set_after_a_write
    try:
        assert headline(load(sekkota)) == 0
    finally:
        report_cache.Page.set = real_set

    assert headline(load(sekkota)) == 1


def test_swapped_semesters_are_said_on_a_cache_hit_too(sekkota, period):
    warm(sekkota, dari="2024-S2", sampai="2023-S1")

    response = load(sekkota, dari="2024-S2", sampai="2023-S1")

    assert "jatuh setelah" in response.content.decode()


def test_without_a_cache_the_page_is_computed(sekkota, period, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }

    first = load(sekkota)
    second = load(sekkota)

    assert "report" in first.context
    assert "report" in second.context


def test_a_cache_the_workers_do_not_share_is_not_used(sekkota, period, settings):
    settings.REPORTS_CACHE = False

    load(sekkota)

    assert "report" in load(sekkota).context


def test_drill_down_and_home_page_share_the_cached_report_and_stay_current(
    sekkota, period, commit
):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    district_url = reverse("reports:district", args=[KEMBANGAN])
    warm(sekkota)  # the kota's report is cached
    assert sekkota.get(district_url).context["area"].cumulative == 0

    commit(lambda: resident(registered_on=date(2025, 3, 1)))

    assert sekkota.get(district_url).context["area"].cumulative == 1
    sekkota.force_login(clerk)
    home = sekkota.get(reverse("home:home"), follow=True)
    assert home.context["figures"].district.cumulative == 1


@pytest.mark.parametrize(
    "params", [{"dari": "nanti"}, {"periode": "abc"}, {"sampai": "x" * 50}]
)
def test_odd_choices_are_computed_not_cached(sekkota, period, params):
    load(sekkota, **params)

    assert "report" in load(sekkota, **params).context


def test_a_cached_part_renders_nothing_of_the_user(rf, settings, django_user_model):
    """render_parts: the request's query string is there (the filter forms repeat it), the
    context processors are not (menu, user, messages): a part shared by every reader
    cannot carry one user's name."""
    from reports.cache import render_parts

    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "part.html": "[{{ request.GET.kota }}|{{ user.username }}|"
                            "{{ nav_items|length }}|{{ figure }}]"
                        },
                    )
                ],
            },
        }
    ]
    request = rf.get("/laporan/", {"kota": "31.73"})
    request.user = django_user_model(username="siti")
    assert render_parts(request, {"body": "part.html"}, {"figure": 7}) == {
        "body": "[31.73||0|7]"
    }
