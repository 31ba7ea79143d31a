"""Two clerks decide one application at the same moment: one decision stands."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts.models import Role
from accounts.tests.factories import staff_user
from applications.models import Application
from applications.services import application_accept, application_refuse
from participants.counting import stage_counts_differences
from participants.models import Resident

from .factories import ApplicationFactory
from .test_services import registration_fields

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL"
)


def test_an_acceptance_and_a_rejection_at_once_leave_one_decision(
    transactional_db, places
):
    application = ApplicationFactory()
    joglo = staff_user(Role.KELURAHAN, "31.73.08.1005")
    kembangan = staff_user(Role.KECAMATAN, "31.73.08")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept():
        try:
            barrier.wait(timeout=10)
            application_accept(
                application=application,
                user=joglo,
                **registration_fields(application),
            )
            outcomes.append("accepted")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    def reject():
        try:
            barrier.wait(timeout=10)
            application_refuse(
                application=application,
                user=kembangan,
                status="rejected",
                reason="Data tidak lengkap.",
            )
            outcomes.append("rejected")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept), threading.Thread(target=reject)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    stored = Application.objects.get()
    decided = [o for o in outcomes if o in ("accepted", "rejected")]
    assert len(decided) == 1 and decided[0] == stored.status
    [refused] = [o for o in outcomes if o not in ("accepted", "rejected")]
    assert "sudah ditangani" in refused
    assert Resident.objects.count() == (1 if stored.status == "accepted" else 0)
    assert stage_counts_differences() == []
