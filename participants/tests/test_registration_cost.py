"""One registration asks the database only what the clerk must hear before the INSERT;
the database's constraints still refuse what the form would have refused, in its words."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import PASSWORD, staff_user
from participants.identity import nik_build
from participants.models import BreakdownCount, Resident, StageCount
from participants.services import resident_register, resident_update
from participants.tests.factories import ResidentFactory
from participants.tests.test_registration_form import form_data
from wilayah.models import Village

# Session; user with staff profile (one join, accounts.backends); the clerk's kelurahan;
# who holds the NIK; whether anyone has the same name and birth date; the service's
# transaction (BEGIN, INSERT resident, INSERT its history, the two counter UPSERTs,
# COMMIT; inside a test's transaction SAVEPOINT and RELEASE instead of BEGIN and COMMIT).
# PostgreSQL gets the two UPSERTs in one round trip (participants.counting._execute).
# Was 59.
REGISTRATION_QUERIES = 11


def registration_queries() -> int:
    return REGISTRATION_QUERIES - (connection.vendor == "postgresql")


def _fields(**overrides):
    fields = {
        "nik": nik_build(
            district_code="31.73.08", birth_date=date(1990, 8, 5), gender="P", serial=9
        ),
        "full_name": "Siti Aminah",
        "gender": "P",
        "birth_place": "Jakarta",
        "birth_date": date(1990, 8, 5),
        "phone": "+6281234567890",
        "address": "Jl. Joglo",
        "rt": "001",
        "rw": "002",
        "village": Village.objects.get(code="31.73.08.1005"),
        "education": "sma",
        "registered_on": date(2025, 3, 1),
        "heard_via": "outreach",
    }
    return fields | overrides


def test_a_registration_post_costs_at_most_eleven_statements(
    client, places, django_capture_on_commit_callbacks
):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    signed_in = client.post(
        reverse("login"), {"username": clerk.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    # A first registration of the process (what is read once per process is read here).
    other = nik_build(
        district_code="31.73.08", birth_date=date(1985, 1, 2), gender="L", serial=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("participants:create"),
            form_data(nik=other, full_name="Budi", gender="L", birth_date="1985-01-02"),
        )

    # The work after the commit (the dashboard cache told which kota moved) included.
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(reverse("participants:create"), form_data())

    assert callbacks, "the counters tell their listeners after the commit"
    resident = Resident.objects.exclude(nik=other).get()
    assert response.status_code == 302
    assert response.url == resident.get_absolute_url()
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == registration_queries(), "\n".join(statements)
    # Each thing asked once (the NIK's holder, the kelurahan); no constraint re-checked.
    assert sum('"participants_resident"."nik" =' in sql for sql in statements) == 1
    assert sum('FROM "wilayah_village"' in sql for sql in statements) == 1
    assert not any("_check" in sql for sql in statements)
    assert StageCount.objects.get(village=resident.village).count == 2


def test_a_check_constraint_refusal_is_said_on_its_field_and_writes_nothing(places):
    clerk = staff_user(Role.KELURAHAN)

    with pytest.raises(ValidationError) as refused:
        resident_register(registered_by=clerk, **_fields(kk_number="12345"))

    assert refused.value.message_dict == {
        "kk_number": ["Nomor KK harus 16 digit angka."]
    }
    assert not Resident.objects.exists()
    assert not StageCount.objects.exists()
    assert not BreakdownCount.objects.exists()


def test_a_constraint_on_two_fields_is_said_form_wide(places):
    clerk = staff_user(Role.KELURAHAN)

    with pytest.raises(ValidationError) as refused:
        resident_register(registered_by=clerk, **_fields(rt="1a4"))

    assert refused.value.message_dict == {
        "__all__": ["RT dan RW berupa angka, paling banyak 3 digit."]
    }


def test_a_nik_taken_by_the_time_of_the_insert_is_said_by_the_nik_rule(places):
    clerk = staff_user(Role.KELURAHAN)
    ResidentFactory(nik=_fields()["nik"])

    with pytest.raises(ValidationError) as refused:
        resident_register(registered_by=clerk, **_fields())

    [message] = refused.value.message_dict["nik"]
    assert "sudah terdaftar di Kelurahan Joglo" in message
    assert Resident.objects.count() == 1
    assert StageCount.objects.get().count == 1


def test_a_correction_refused_by_a_constraint_changes_nothing(places):
    clerk = staff_user(Role.KELURAHAN)
    resident = ResidentFactory()

    with pytest.raises(ValidationError) as refused:
        resident_update(
            resident=resident,
            user=clerk,
            registered_on=date(1980, 1, 1),
            today=date(2026, 1, 1),
        )

    assert refused.value.message_dict == {
        "registered_on": ["Tanggal pendaftaran tidak boleh sebelum tanggal lahir."]
    }
    resident.refresh_from_db()
    assert resident.registered_on == date(2025, 3, 1)


def test_a_registration_updates_only_the_indexes_some_query_needs(db):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(
            cursor, Resident._meta.db_table
        )
    indexes = {
        name: tuple(info["columns"])
        for name, info in found.items()
        if info["index"] and not info["primary_key"]
    }
    # resident_village_reg leads with village_id; nothing asks LIKE 'prefix%'.
    assert ("village_id",) not in indexes.values()
    assert not [name for name in indexes if name.endswith("_like")]
    declared = {index.name for index in Resident._meta.indexes}
    assert declared <= set(indexes)
    assert set(indexes) - declared <= {
        "participants_resident_nik_key",  # the NIK's unique constraint (PostgreSQL)
        "sqlite_autoindex_participants_resident_1",  # the same, on SQLite
        "participants_resident_registered_by_id_2f215202",
        "resident_name_key_trgm",
    }
