from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from programs.models import Agency, FieldLead
from programs.selectors import coverage_matrix
from programs.services import field_lead_create
from wilayah.models import City, District


def test_every_kota_has_the_six_standard_sudin(places):
    for city in City.objects.all():
        assert sorted(city.agencies.values_list("short_name", flat=True)) == sorted(
            ["Nakertransgi", "KPKP", "PPKUKM", "Sosial", "Parekraf", "PPAPP"]
        )


def test_load_agencies_twice_changes_nothing(places):
    Agency.objects.filter(short_name="Sosial", city__code="31.73").update(
        name="Diubah admin"
    )
    out = StringIO()

    call_command("load_agencies", stdout=out)

    assert "Suku Dinas: 36 di 6 kota (baru 0, tetap 36)" in out.getvalue()
    assert (
        Agency.objects.get(short_name="Sosial", city__code="31.73").name
        == "Diubah admin"
    )


def _ppkukm():
    return Agency.objects.get(city__code="31.73", short_name="PPKUKM")


def test_one_active_field_lead_per_sudin_and_kecamatan(places):
    kembangan = District.objects.get(code="31.73.08")
    field_lead_create(agency=_ppkukm(), district=kembangan, name="Andi")

    with pytest.raises(ValidationError, match="sudah punya Kasatlak/Kasatpel aktif"):
        field_lead_create(agency=_ppkukm(), district=kembangan, name="Budi")
    with pytest.raises(IntegrityError), transaction.atomic():
        FieldLead.objects.create(agency=_ppkukm(), district=kembangan, name="Budi")
    FieldLead.objects.create(
        agency=_ppkukm(), district=kembangan, name="Lama", active=False
    )


def test_field_lead_must_work_in_the_sudin_kota(places):
    gambir = District.objects.get(code="31.71.01")

    with pytest.raises(ValidationError) as error:
        field_lead_create(agency=_ppkukm(), district=gambir, name="Andi")

    assert "district" in error.value.message_dict


def test_coverage_matrix_shows_gaps(places):
    jakarta_barat = City.objects.get(code="31.73")
    kembangan = District.objects.get(code="31.73.08")
    lead = field_lead_create(agency=_ppkukm(), district=kembangan, name="Andi")

    rows = {row.agency.short_name: row for row in coverage_matrix(city=jakarta_barat)}

    assert len(rows) == 6
    assert rows["PPKUKM"].gaps == 7
    assert dict(rows["PPKUKM"].cells)[kembangan] == lead
    assert rows["Parekraf"].gaps == 8
