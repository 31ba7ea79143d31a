from datetime import date

import factory

from outreach.models import OutreachActivity
from wilayah.models import District


class OutreachActivityFactory(factory.django.DjangoModelFactory):
    """A face-to-face sosialisasi in Kembangan by its kantor kecamatan, unless told otherwise."""

    class Meta:
        model = OutreachActivity

    held_on = date(2025, 3, 10)
    district = factory.LazyFunction(lambda: District.objects.get(code="31.73.08"))
    office = OutreachActivity.Office.KECAMATAN
    kind = OutreachActivity.Kind.FACE_TO_FACE
    people_reached = 40
