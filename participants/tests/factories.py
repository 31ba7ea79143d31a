from datetime import date

import factory

from participants.counting import counts_follow, state_of
from participants.identity import name_normalize, nik_build
from participants.models import Education, Gender, Resident, StageRecord
from participants.stages import resident_stages_sync
from wilayah.models import Village


class ResidentFactory(factory.django.DjangoModelFactory):
    """A valid resident of Joglo (Kembangan, Jakarta Barat) unless told otherwise."""

    class Meta:
        model = Resident

    village = factory.LazyFunction(lambda: Village.objects.get(code="31.73.08.1005"))
    gender = Gender.FEMALE
    birth_date = date(1990, 8, 5)
    nik = factory.Sequence(
        lambda n: nik_build(
            district_code="31.73.08",
            birth_date=date(1990, 8, 5),
            gender="P",
            serial=n + 1,
        )
    )
    full_name = factory.Sequence(lambda n: f"Warga Uji {n}")
    name_key = factory.LazyAttribute(lambda o: name_normalize(o.full_name))
    birth_place = "Jakarta"
    phone = "+6281234567890"
    address = "Jl. Joglo Raya No. 1"
    rt = "001"
    rw = "002"
    education = Education.SMA
    registered_on = date(2025, 3, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Written straight to the table, as a bulk load does; counted as a service counts.
        resident = super()._create(model_class, *args, **kwargs)
        counts_follow(None, state_of(resident))
        return resident


class StageRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageRecord

    resident = factory.SubFactory(ResidentFactory)
    stage = "pendampingan"
    reached_on = date(2025, 4, 1)
    mentor = "Pak Mentor"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        record = super()._create(model_class, *args, **kwargs)
        resident_stages_sync(resident_ids=[record.resident_id], stages=[record.stage])
        return record
