"""Writes for Suku Dinas and their field leads."""

from dataclasses import dataclass

from django.db import transaction

from wilayah.models import City, District

from .models import Agency, FieldLead

# The standard Suku Dinas every kota has (short name, full name).
STANDARD_AGENCIES = [
    ("Nakertransgi", "Suku Dinas Tenaga Kerja, Transmigrasi dan Energi"),
    ("KPKP", "Suku Dinas Ketahanan Pangan, Kelautan dan Pertanian"),
    (
        "PPKUKM",
        "Suku Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah",
    ),
    ("Sosial", "Suku Dinas Sosial"),
    ("Parekraf", "Suku Dinas Pariwisata dan Ekonomi Kreatif"),
    (
        "PPAPP",
        "Suku Dinas Pemberdayaan, Perlindungan Anak dan Pengendalian Penduduk",
    ),
]


@dataclass
class AgencyLoadResult:
    created: int
    total: int
    cities: int

    def summary(self) -> str:
        return (
            f"Suku Dinas: {self.total} di {self.cities} kota "
            f"(baru {self.created}, tetap {self.total - self.created})"
        )


@transaction.atomic
def agencies_load_standard() -> AgencyLoadResult:
    """Give every kota the standard Suku Dinas; existing ones are left as admins set them."""
    created = 0
    cities = list(City.objects.all())
    for city in cities:
        for short_name, name in STANDARD_AGENCIES:
            _agency, was_created = Agency.objects.get_or_create(
                city=city, short_name=short_name, defaults={"name": name}
            )
            created += was_created
    return AgencyLoadResult(
        created=created, total=Agency.objects.count(), cities=len(cities)
    )


@transaction.atomic
def field_lead_create(
    *,
    agency: Agency,
    district: District,
    name: str,
    phone: str = "",
    title: str = FieldLead.Title.KASATPEL,
) -> FieldLead:
    """Appoint the active field lead of an agency in a kecamatan."""
    lead = FieldLead(
        agency=agency, district=district, name=name, phone=phone, title=title
    )
    lead.full_clean()
    lead.save()
    return lead
