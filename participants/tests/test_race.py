"""Two clerks submit the same NIK at the same moment: one resident, one clear message."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.identity import name_normalize, nik_build
from participants.models import Resident
from participants.services import resident_register
from wilayah.models import Village

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL"
)


def test_two_registrations_of_one_nik_at_once_make_one_resident(
    transactional_db, places
):
    village = Village.objects.get(code="31.73.08.1005")
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    nik = nik_build(
        district_code="31.73.08", birth_date=date(1990, 8, 5), gender="P", serial=77
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            resident_register(
                registered_by=clerk,
                nik=nik,
                full_name=name,
                gender="P",
                birth_place="Jakarta",
                birth_date=date(1990, 8, 5),
                phone="+6281234567890",
                address="Jl. Joglo",
                rt="001",
                rw="002",
                village=village,
                education="sma",
                registered_on=date(2025, 3, 1),
            )
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.message_dict["nik"][0])
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=register, args=(name,)) for name in ("Siti A", "Siti B")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Resident.objects.filter(nik=nik).count() == 1
    assert outcomes.count("created") == 1
    [message] = [outcome for outcome in outcomes if outcome != "created"]
    assert "sudah terdaftar di Kelurahan Joglo" in message
    assert name_normalize(Resident.objects.get(nik=nik).full_name) in {
        "siti a",
        "siti b",
    }
