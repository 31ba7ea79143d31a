from datetime import date

import factory

from participants.models import Stage
from participants.stages import resident_stages_sync
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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        enrollment = super()._create(model_class, *args, **kwargs)
        resident_stages_sync(
            resident_ids=[enrollment.resident_id], stages=[Stage.PELATIHAN]
        )
        return enrollment
