from datetime import date

import factory

from programs.models import Agency, Enrollment, Program
from wilayah.models import District


class ProgramFactory(factory.django.DjangoModelFactory):
    """A PPKUKM Jakarta Barat training in Kembangan, open, 30 seats."""

    class Meta:
        model = Program

    agency = factory.LazyFunction(
        lambda: Agency.objects.get(city__code="31.73", short_name="PPKUKM")
    )
    code = factory.Sequence(lambda n: f"JB-PPKUKM-2025-{n + 1:03d}")
    title = "Pelatihan Olahan Makanan"
    category = "makanan"
    district = factory.LazyFunction(lambda: District.objects.get(code="31.73.08"))
    venue = "Kantor Kecamatan Kembangan"
    start_date = date(2025, 4, 10)
    end_date = date(2025, 4, 12)
    capacity = 30
    status = Program.Status.OPEN


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    program = factory.SubFactory(ProgramFactory)
    resident = factory.SubFactory("participants.tests.factories.ResidentFactory")
    enrolled_on = date(2025, 4, 1)
