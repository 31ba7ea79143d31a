"""The public pages: open to anyone, aggregates and official contacts only, the same figures
as the staff dashboard, and never stale once a write has committed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.semesters import Semester
from participants.tests.factories import ResidentFactory
from programs.models import Agency, Enrollment, Program
from programs.selectors import programs_taking_enrolments
from programs.services import field_lead_create
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.services import period_create
from wilayah.models import City, District, Village

KEMBANGAN = "31.73.08"
JOGLO = "31.73.08.1005"
KAPUK = "31.73.01.1005"  # Cengkareng


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def period(places, today):
    """Jakarta Barat's period, started two years ago so that this semester is in it."""
    start = Semester.of(today - timedelta(days=730))
    return period_create(
        city=City.objects.get(code="31.73"),
        name="Periode Publik Uji",
        start_semester=str(start),
    )


def kembangan() -> District:
    return District.objects.get(code=KEMBANGAN)


def open_program(today, **fields) -> Program:
    values = {
        "start_date": today + timedelta(days=10),
        "end_date": today + timedelta(days=12),
        "status": Program.Status.OPEN,
    }
    values.update(fields)
    return ProgramFactory(**values)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def district_url(slug="kembangan"):
    return reverse("public:district", args=[slug])


def figure(html: str, name: str) -> int:
    found = re.search(rf'data-figure="{re.escape(name)}">([\d.,]+)<', html)
    assert found, f"no figure {name}"
    return int(re.sub(r"\D", "", found.group(1)))


def seats(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-seats-left="(\d+)"', html)]


# --- Slugs ----------------------------------------------------------------------------------


def test_every_kecamatan_has_its_name_as_a_unique_slug(places):
    slugs = list(District.objects.values_list("slug", flat=True))

    assert len(slugs) == 44
    assert len(set(slugs)) == 44
    assert kembangan().slug == "kembangan"
    assert District.objects.get(code="31.01.01").slug == "kepulauan-seribu-utara"
    # The application form and the status page live beside the kecamatan pages.
    assert not {"daftar", "status"} & set(slugs)


def test_a_name_that_repeats_gets_its_kota_in_both_slugs(places):
    from wilayah.services import district_slugs_refresh

    timur = City.objects.get(code="31.75")
    twin = District.objects.create(code="31.75.99", name="Kembangan", city=timur)

    assert twin.slug == "kembangan-jakarta-timur"  # the name was taken
    assert district_slugs_refresh() == 1
    assert kembangan().slug == "kembangan-jakarta-barat"
    assert district_slugs_refresh() == 0


def test_the_slug_is_unique_in_the_database(places):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        District.objects.filter(code="31.73.01").update(slug="kembangan")


# --- Pages ----------------------------------------------------------------------------------


def test_anyone_opens_the_programme_page_with_every_kota_and_kecamatan(client, places):
    html = page(client, reverse("public:index"))

    assert "Tujuh langkah Jakpreneur" in html
    assert html.count('href="/program/') >= 44
    assert f'href="{district_url()}"' in html
    assert 'href="/program/daftar/"' in html
    assert 'href="/program/status/"' in html
    assert "Kepulauan Seribu" in html
    # The public header: a staff sign-in link, no staff menu.
    assert "Masuk petugas" in html
    assert 'href="/warga/"' not in html


def test_an_unknown_kecamatan_is_404(client, places):
    assert client.get(district_url("atlantis")).status_code == 404


def test_the_kecamatan_page_links_to_the_application_with_its_slug(client, places):
    html = page(client, district_url())

    assert 'href="/program/daftar/?kecamatan=kembangan"' in html
    assert "<h1" in html and "Kecamatan Kembangan" in html


def test_signed_in_staff_see_the_same_public_page(client, places):
    client.force_login(staff_user(Role.KELURAHAN, JOGLO))

    html = page(client, district_url())

    assert "Masuk petugas" in html


def test_pages_say_browsers_must_ask_again(client, places):
    response = client.get(district_url())

    assert "no-cache" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_open_trainings_here_and_in_the_kota_with_seats_left(client, places, today):
    here = open_program(today, title="Keripik Kembangan", capacity=5)
    EnrollmentFactory.create_batch(2, program=here, enrolled_on=today)
    EnrollmentFactory(
        program=here, enrolled_on=today, status=Enrollment.Status.CANCELLED
    )
    open_program(
        today,
        title="Batik Cengkareng",
        district=District.objects.get(code="31.73.01"),
        agency=Agency.objects.get(city__code="31.73", short_name="Parekraf"),
    )
    open_program(today, title="Sudah Selesai", status=Program.Status.DONE)
    open_program(today, title="Dibatalkan", status=Program.Status.CANCELLED)
    open_program(
        today,
        title="Masih Jauh",
        start_date=today + timedelta(days=200),
        end_date=today + timedelta(days=201),
    )
    open_program(
        today,
        title="Sudah Lewat",
        start_date=today - timedelta(days=10),
        end_date=today - timedelta(days=1),
    )
    open_program(
        today,
        title="Pelatihan Timur",
        agency=Agency.objects.get(city__code="31.75", short_name="PPKUKM"),
        district=District.objects.get(code="31.75.01"),
    )

    html = page(client, district_url())

    here_list = html.split('data-list="here"')[1].split('data-list="elsewhere"')[0]
    elsewhere = html.split('data-list="elsewhere"')[1].split('data-list="contacts"')[0]
    assert "Keripik Kembangan" in here_list
    assert "Sudin PPKUKM" in here_list
    assert seats(here_list) == [
        3
    ]  # 5 less two enrolled; the cancelled one gave its seat back
    assert "Batik Cengkareng" in elsewhere and "Kec. Cengkareng" in elsewhere
    for title in (
        "Sudah Selesai",
        "Dibatalkan",
        "Masih Jauh",
        "Sudah Lewat",
        "Pelatihan Timur",
    ):
        assert title not in html


def test_a_full_training_says_so(client, places, today):
    full = open_program(today, capacity=1)
    EnrollmentFactory(program=full, enrolled_on=today)

    html = page(client, district_url())

    assert seats(html) == [0]
    assert "Penuh" in html


def test_open_trainings_are_one_query(places, today, django_assert_num_queries):
    for _n in range(3):
        EnrollmentFactory(program=open_program(today), enrolled_on=today)
    city = City.objects.get(code="31.73")

    with django_assert_num_queries(1):
        programs = list(programs_taking_enrolments(city=city, today=today))

    assert [p.seats_left for p in programs] == [29, 29, 29]
    assert programs[0].agency.short_name == "PPKUKM"


def test_field_leads_with_office_phone_and_plain_words_where_a_sudin_has_none(
    client, places
):
    district = kembangan()
    district.office_address = "Jl. Raya Kembangan No. 1"
    district.office_phone = "(021) 5890 1000"
    district.save()
    ppkukm = Agency.objects.get(city__code="31.73", short_name="PPKUKM")
    field_lead_create(
        agency=ppkukm,
        district=district,
        name="Budi Santoso",
        phone="0812-9999-0001",  # may be his own: never public
        office_phone="(021) 5890 2000",
    )
    parekraf = Agency.objects.get(city__code="31.73", short_name="Parekraf")
    parekraf.office_address = "Jl. Kembangan Raya No. 2, Kantor Walikota Jakarta Barat"
    parekraf.office_phone = "(021) 5835 0000"
    parekraf.save()

    html = page(client, district_url())

    contacts = html.split('data-list="contacts"')[1]
    assert "Budi Santoso" in contacts and "(021) 5890 2000" in contacts
    assert "0812-9999-0001" not in html
    parekraf_item = contacts.split('data-agency="Parekraf"')[1].split("</li>")[0]
    assert (
        "Sudin Parekraf belum punya Kasatlak/Kasatpel di Kecamatan Kembangan"
        in parekraf_item
    )
    assert "(021) 5835 0000" in parekraf_item
    assert "Jl. Raya Kembangan No. 1" in html and "(021) 5890 1000" in html


def test_no_resident_data_on_the_public_pages(client, places, period, today):
    siti = ResidentFactory(full_name="Siti Rahasia Publik", registered_on=today)
    EnrollmentFactory(program=open_program(today), resident=siti, enrolled_on=today)

    for url in (reverse("public:index"), district_url()):
        html = page(client, url)
        assert "Siti Rahasia Publik" not in html
        assert siti.nik not in html and siti.nik[:6] + "•" not in html
        assert siti.phone not in html
        assert not re.search(r"\d{16}", html)


# --- Figures --------------------------------------------------------------------------------


def test_public_figures_equal_the_staff_dashboard(client, places, period, today):
    ResidentFactory.create_batch(3, registered_on=today)
    ResidentFactory(
        village=Village.objects.get(code=KAPUK),
        registered_on=today - timedelta(days=200),
    )
    trained = ResidentFactory(registered_on=today)
    program = open_program(
        today, start_date=today - timedelta(days=1), end_date=today + timedelta(days=1)
    )
    EnrollmentFactory(
        program=program,
        resident=trained,
        enrolled_on=today,
        status=Enrollment.Status.ATTENDED,
    )

    public_index = page(client, reverse("public:index"))
    public_district = page(client, district_url())
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    dashboard = page(client, reverse("reports:dashboard"))
    drill_down = page(client, reverse("reports:district", args=[KEMBANGAN]))

    staff_city = int(
        re.sub(r"\D", "", re.search(r'id="headline-count">([\d.,]+)<', dashboard)[1])
    )
    assert staff_city == 5
    assert figure(public_index, "city-31.73-cumulative") == staff_city
    assert figure(public_district, "city-cumulative") == staff_city
    staff_district = int(
        re.sub(
            r"\D",
            "",
            re.search(
                r'Kumulatif</div><div class="fs-4 fw-semibold">([\d.,]+)<', drill_down
            )[1],
        )
    )
    assert figure(public_district, "district-cumulative") == staff_district == 4
    table = public_district.split('data-table="district-semesters"')[1]
    current = re.search(r'<tr class="fw-semibold">(.*?)</tr>', table, re.S)[1]
    numbers = [re.sub(r"\D", "", n) for n in re.findall(r">([\d.,]+)<", current)]
    assert numbers[1:3] == ["4", "1"]  # registered, trained this semester


# --- Cache ----------------------------------------------------------------------------------


def test_a_new_training_shows_on_the_next_load(client, places, today, commit):
    assert seats(page(client, district_url())) == []

    commit(lambda: open_program(today, capacity=12))

    assert seats(page(client, district_url())) == [12]


def test_an_enrolment_moves_the_seats_left_on_the_next_load(
    client, places, today, commit
):
    program = commit(lambda: open_program(today, capacity=12))
    assert seats(page(client, district_url())) == [12]

    commit(lambda: EnrollmentFactory(program=program, enrolled_on=today))

    assert seats(page(client, district_url())) == [11]


def test_a_registration_shows_on_the_next_load(client, places, period, today, commit):
    assert figure(page(client, district_url()), "district-cumulative") == 0
    assert figure(page(client, reverse("public:index")), "city-31.73-cumulative") == 0

    commit(lambda: ResidentFactory(registered_on=today))

    assert figure(page(client, district_url()), "district-cumulative") == 1
    assert figure(page(client, reverse("public:index")), "city-31.73-cumulative") == 1


def test_a_field_lead_shows_on_the_next_load(client, places, commit):
    assert "Ani Lestari" not in page(client, district_url())

    commit(
        lambda: field_lead_create(
            agency=Agency.objects.get(city__code="31.73", short_name="KPKP"),
            district=kembangan(),
            name="Ani Lestari",
        )
    )

    assert "Ani Lestari" in page(client, district_url())


def test_a_warm_load_reads_one_row(
    client, places, period, today, django_assert_num_queries
):
    open_program(today)
    page(client, district_url())

    with django_assert_num_queries(1):  # the kecamatan by its slug; the rest is cached
        page(client, district_url())


def test_an_uncommitted_write_is_not_kept_as_the_new_page(client, places, today):
    page(client, district_url())
    open_program(today)  # never committed in a test: no version bumped

    assert seats(page(client, district_url())) == []


def test_another_kota_s_training_keeps_this_page_cached(
    client, places, today, commit, django_assert_num_queries
):
    page(client, district_url())
    commit(
        lambda: open_program(
            today,
            agency=Agency.objects.get(city__code="31.75", short_name="PPKUKM"),
            district=District.objects.get(code="31.75.01"),
        )
    )

    with django_assert_num_queries(1):
        page(client, district_url())


def test_each_language_gets_its_own_body(client, places, settings):
    page(client, district_url())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = page(client, district_url())

    assert '<html lang="en">' in html
