"""The chunk writer past the ORM: what it writes reads back exactly as the ORM would have
written it, on PostgreSQL (COPY) and elsewhere (bulk_create)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from imports.copying import rows_insert
from participants.identity import name_normalize
from participants.models import Resident
from participants.tests.factories import ResidentFactory
from wilayah.models import Village

from .helpers import nik


def values(serial: int, **overrides) -> dict:
    village = Village.objects.get(code="31.73.08.1005")
    full_name = overrides.pop("full_name", f"Warga Salin {serial}")
    return {
        "nik": nik(serial),
        "full_name": full_name,
        "name_key": name_normalize(full_name),
        "gender": "P",
        "birth_place": "Jakarta",
        "birth_date": date(1990, 8, 5),
        "phone": "+6281234567890",
        "address": "Jl. Joglo Raya No. 1",
        "rt": "001",
        "rw": "002",
        "village_id": village.pk,
        "education": "sma",
        "registered_on": date(2025, 3, 1),
        **overrides,
    }


def test_rows_read_back_as_written_with_the_model_defaults(places):
    awkward = "Jl. Miring \\ No. 5\tBlok\nA\r"  # COPY's own escapes, in a value
    ids = rows_insert(
        Resident,
        [values(1, address=awkward, business_name=""), values(2, is_job_seeker=True)],
    )

    first, second = (Resident.objects.get(pk=pk) for pk in ids)
    assert first.nik == nik(1) and second.nik == nik(2)
    assert first.address == awkward
    assert first.birth_date == date(1990, 8, 5)
    assert (first.is_job_seeker, second.is_job_seeker) == (False, True)
    assert first.kk_number == "" and first.trained_on is None  # the model's defaults
    assert first.business_started_year is None and first.is_void is False
    assert first.created_at is not None and first.updated_at is not None


def test_a_duplicate_nik_is_an_integrity_error_and_writes_no_row(places):
    ResidentFactory(nik=nik(7))
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(Resident, [values(6), values(7)])
    assert not Resident.objects.filter(nik=nik(6)).exists()


def test_nothing_to_insert_asks_nothing(places, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_insert(Resident, []) == []
