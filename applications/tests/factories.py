from datetime import date

import factory
from django.utils import timezone

from applications.models import NOTICE_VERSION, Application, code_generate
from participants.identity import nik_build
from wilayah.models import Village


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A received application from a woman of Joglo (Kembangan, Jakarta Barat)."""

    class Meta:
        model = Application

    code = factory.LazyFunction(code_generate)
    nik = factory.Sequence(
        lambda n: nik_build(
            district_code="31.73.08",
            birth_date=date(1992, 4, 17),
            gender="P",
            serial=5000 + n,
        )
    )
    full_name = factory.Sequence(lambda n: f"Pemohon Uji {n}")
    gender = "P"
    birth_date = date(1992, 4, 17)
    phone = "+6281298765432"
    village = factory.LazyFunction(lambda: Village.objects.get(code="31.73.08.1005"))
    address = "Jl. Joglo Baru No. 7"
    interests = factory.LazyFunction(lambda: ["makanan"])
    heard_via = "outreach"
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = NOTICE_VERSION
    applied_at = factory.LazyFunction(timezone.now)
