from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Role
from demo.accounts import DEMO_ACCOUNTS
from participants.models import Resident, StageCount
from programs.models import Enrollment, FieldLead, Program

User = get_user_model()


def seed(**kwargs) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_refuses_when_debug_is_off(places, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG mati"):
        seed()

    assert not User.objects.exists()


def test_creates_demo_accounts_with_their_roles(places, settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-sandi-123"

    out = seed()

    for username, _role, _scope, _name in DEMO_ACCOUNTS:
        assert username in out
        assert User.objects.get(username=username).check_password("demo-sandi-123")
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="sekkota").staff.city.code == "31.73"
    assert User.objects.get(username="kelurahan.joglo").staff.village.name == "Joglo"
    assert (
        User.objects.get(username="kelurahan.kapuk").staff.village.code
        == "31.73.01.1005"
    )
    assert (
        User.objects.get(username="kecamatan.kembangan").staff.district.code
        == "31.73.08"
    )
    assert User.objects.get(username="sudin.parekraf").staff.role == Role.SUDIN


def test_every_jakarta_barat_sudin_but_parekraf_has_a_lead_in_every_kecamatan(
    places, settings
):
    settings.DEBUG = True

    seed()

    leads = FieldLead.objects.filter(agency__city__code="31.73", active=True)
    assert not leads.filter(agency__short_name="Parekraf").exists()
    for short_name in ["Nakertransgi", "KPKP", "PPKUKM", "Sosial", "PPAPP"]:
        assert leads.filter(agency__short_name=short_name).count() == 8
    assert all(lead.phone.startswith("08") for lead in leads)


def test_running_again_changes_nothing_and_keeps_user_changes(places, settings):
    settings.DEBUG = True
    seed()
    joglo = User.objects.get(username="kelurahan.joglo")
    joglo.set_password("sandi-baru-pilihan-sendiri")
    joglo.save()
    lead = FieldLead.objects.filter(agency__short_name="KPKP").first()
    lead.name = "Nama Diubah Admin"
    lead.save()
    counts = (User.objects.count(), FieldLead.objects.count())

    out = seed()

    assert "sudah ada, tidak diubah" in out
    assert (User.objects.count(), FieldLead.objects.count()) == counts
    assert User.objects.get(username="kelurahan.joglo").check_password(
        "sandi-baru-pilihan-sendiri"
    )
    lead.refresh_from_db()
    assert lead.name == "Nama Diubah Admin"


def test_same_seed_gives_the_same_field_leads(places, settings):
    settings.DEBUG = True
    seed(seed=7)
    first = list(
        FieldLead.objects.order_by("agency__short_name", "district__code").values_list(
            "name", "phone"
        )
    )
    FieldLead.objects.all().delete()

    seed(seed=7)

    assert (
        list(
            FieldLead.objects.order_by(
                "agency__short_name", "district__code"
            ).values_list("name", "phone")
        )
        == first
    )


def test_residents_option_adds_residents_trainings_and_their_counters(places, settings):
    settings.DEBUG = True

    out = seed(residents=300)

    assert "Warga demo: 300 baru" in out
    assert "Pelatihan demo: " in out
    assert "Hitungan tahap Jakarta Barat: " in out
    assert Resident.objects.count() == 300
    assert Program.objects.filter(agency__city__code="31.73").exists()
    assert Enrollment.objects.exists()
    assert StageCount.objects.exists()


def test_residents_option_adds_nothing_the_second_time(places, settings):
    settings.DEBUG = True
    seed(residents=50)
    counts = (Resident.objects.count(), Program.objects.count())

    out = seed(residents=50)

    assert "sudah berisi warga" in out and "sudah berisi pelatihan" in out
    assert "Hitungan tahap" not in out
    assert (Resident.objects.count(), Program.objects.count()) == counts


def test_demo_targets_fit_the_demo_so_the_dashboard_shows_a_mix(places, settings):
    """A few thousand demo residents against the real 200,000 per kecamatan would show
    every kecamatan at 0.2 % and 'jauh tertinggal': the seeded kota's targets fit it."""
    from reports.models import DEFAULT_DISTRICT_TOTAL, TargetPeriod
    from reports.selectors import progress_report

    settings.DEBUG = True

    seed(residents=1500)

    period = TargetPeriod.objects.get(city__code="31.73")
    assert period.default_total < DEFAULT_DISTRICT_TOTAL
    report = progress_report(period=period)
    assert 70 <= report.city_progress.percent_to_date <= 110
    assert len({area.status for area in report.districts}) >= 2
    other = TargetPeriod.objects.get(city__code="31.71")  # no demo residents there
    assert other.default_total == DEFAULT_DISTRICT_TOTAL


def test_demo_fills_office_contacts_for_the_public_pages_and_keeps_admins_edits(
    places, settings
):
    from programs.models import Agency
    from wilayah.models import District

    settings.DEBUG = True
    parekraf = Agency.objects.get(city__code="31.73", short_name="Parekraf")
    parekraf.office_phone = "(021) 5555 0000"
    parekraf.save()

    seed()

    assert not Agency.objects.filter(office_phone="").exists()
    assert not District.objects.filter(office_phone="").exists()
    assert all(d.office_address for d in District.objects.all())
    leads = FieldLead.objects.filter(active=True)
    assert leads.exists()
    # Office landlines, never the lead's own mobile.
    assert all(lead.office_phone.startswith("(021) ") for lead in leads)
    assert all(lead.office_phone != lead.phone for lead in leads)
    parekraf.refresh_from_db()
    assert parekraf.office_phone == "(021) 5555 0000"
    assert "baru 0" in seed().split("Kontak kantor demo")[1].splitlines()[0]
