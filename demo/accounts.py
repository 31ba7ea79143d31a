"""Demo accounts and field leads for a newcomer's first look (seed_demo)."""

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Role
from accounts.services import staff_save
from demo.residents import (
    FEMALE_NAMES,
    FEMALE_SURNAMES,
    MALE_NAMES,
    MALE_SURNAMES,
    SHARED_SURNAMES,
)
from programs.models import Agency, FieldLead
from programs.services import agencies_load_standard, field_lead_create
from wilayah.models import City, District
from wilayah.services import wilayah_import, wilayah_read_csv

User = get_user_model()

DEMO_CITY = "31.73"  # Jakarta Barat, where the news report came from
# username, role, scope, full name
DEMO_ACCOUNTS = [
    ("admin", Role.ADMIN, "", "Admin Kota"),
    ("sekkota", Role.PIMPINAN, DEMO_CITY, "Sekretaris Kota Jakarta Barat"),
    ("kelurahan.joglo", Role.KELURAHAN, "31.73.08.1005", "Petugas Kelurahan Joglo"),
    ("kelurahan.kapuk", Role.KELURAHAN, "31.73.01.1005", "Petugas Kelurahan Kapuk"),
    ("kecamatan.kembangan", Role.KECAMATAN, "31.73.08", "Meja PKT Kembangan"),
    ("sudin.ppkukm", Role.SUDIN, f"{DEMO_CITY}:PPKUKM", "Petugas Sudin PPKUKM"),
    ("sudin.parekraf", Role.SUDIN, f"{DEMO_CITY}:Parekraf", "Petugas Sudin Parekraf"),
]
# The city's complaint: Parekraf has no field lead in any kecamatan.
AGENCIES_WITHOUT_LEADS = {"Parekraf"}


def demo_name(rng: random.Random) -> str:
    """A given name and a family name of one gender, from the demo residents' names."""
    if rng.random() < 0.5:
        return f"{rng.choice(FEMALE_NAMES)} {rng.choice(FEMALE_SURNAMES + SHARED_SURNAMES)}"
    return f"{rng.choice(MALE_NAMES)} {rng.choice(MALE_SURNAMES + SHARED_SURNAMES)}"


def demo_phone(rng: random.Random) -> str:
    return f"08{rng.choice('1258')}{rng.randrange(10**8, 10**9)}"


@transaction.atomic
def demo_places_and_agencies() -> list[str]:
    """Load places and the standard Sudin if the database has none yet."""
    lines = []
    if not City.objects.exists():
        lines.append(wilayah_import(rows=wilayah_read_csv()).summary())
    lines.append(agencies_load_standard().summary())
    return lines


@transaction.atomic
def demo_accounts(*, password: str) -> list[tuple[str, str, bool]]:
    """Create the demo accounts that do not exist yet; existing ones are left untouched."""
    result = []
    for username, role, scope, full_name in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user, _created = staff_save(
                username=username,
                role=role,
                scope=scope,
                password=password,
                full_name=full_name,
                demo=True,
            )
        result.append((username, Role(role).label, created))
    return result


@transaction.atomic
def demo_field_leads(*, seed: int) -> int:
    """Field leads for every Jakarta Barat Sudin in every kecamatan, except Parekraf."""
    rng = random.Random(seed)
    created = 0
    districts = list(District.objects.filter(city__code=DEMO_CITY))
    for agency in Agency.objects.filter(city__code=DEMO_CITY).order_by("short_name"):
        if agency.short_name in AGENCIES_WITHOUT_LEADS or agency.field_leads.exists():
            continue
        for district in districts:
            field_lead_create(
                agency=agency,
                district=district,
                name=demo_name(rng),
                phone=demo_phone(rng),
                title=rng.choice(FieldLead.Title.values),
            )
            created += 1
    return created


def demo_office_phone(rng: random.Random) -> str:
    """A Jakarta landline in the form offices print it: (021) 5xxx xxxx."""
    return f"(021) {rng.randrange(5000, 9000)} {rng.randrange(1000, 10000)}"


@transaction.atomic
def demo_office_contacts(*, seed: int) -> int:
    """Office addresses and landlines of every Sudin and kantor kecamatan, and an office
    extension for every field lead (never their own phone): what the public pages show.
    Fills only empty fields, so a contact an admin entered is kept."""
    rng = random.Random(seed + 1)
    filled = 0
    for agency in Agency.objects.select_related("city").filter(office_phone=""):
        agency.office_address = (
            agency.office_address
            or f"Kantor Wali Kota Administrasi {agency.city.short_name}, "
            f"Gedung Blok {rng.choice('ABC')} Lantai {rng.randrange(2, 9)}"
        )
        agency.office_phone = demo_office_phone(rng)
        agency.save(update_fields=["office_address", "office_phone"])
        filled += 1
    for district in District.objects.filter(office_phone=""):
        district.office_address = (
            district.office_address or f"Kantor Kecamatan {district.name}"
        )
        district.office_phone = demo_office_phone(rng)
        district.save(update_fields=["office_address", "office_phone"])
        filled += 1
    for lead in FieldLead.objects.select_related("district").filter(
        active=True, office_phone=""
    ):
        # The satlak desk at the kantor kecamatan: its landline with an extension.
        lead.office_phone = (
            f"{lead.district.office_phone} ext. {rng.randrange(201, 260)}"
        )
        lead.save(update_fields=["office_phone"])
        filled += 1
    return filled
