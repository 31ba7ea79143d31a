from datetime import date

from participants.tests.factories import ResidentFactory
from reports.services import period_create
from wilayah.models import City, Village

JOGLO = "31.73.08.1005"  # Kembangan
KAPUK = "31.73.01.1005"  # Cengkareng


def jakarta_barat_period(**kwargs):
    fields = {"name": "Uji 2023–2027", "start_semester": "2023-S1"}
    fields.update(kwargs)
    return period_create(city=City.objects.get(code="31.73"), **fields)


def resident(village=JOGLO, registered_on=date(2024, 3, 1), **kwargs):
    return ResidentFactory(
        village=Village.objects.get(code=village), registered_on=registered_on, **kwargs
    )
