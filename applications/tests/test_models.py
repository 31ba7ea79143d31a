"""The database guards an application's invariants, whatever writes it."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import CODE_ALPHABET, Application, code_display, code_generate
from participants.tests.factories import ResidentFactory

from .factories import ApplicationFactory

pytestmark = pytest.mark.usefixtures("places")


def refused(**changes) -> bool:
    application = ApplicationFactory()
    for name, value in changes.items():
        setattr(application, name, value)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        return True
    return False


def test_codes_are_eight_unambiguous_characters_read_in_two_groups():
    codes = {code_generate() for _ in range(200)}

    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set(CODE_ALPHABET) & set("0O1IL2Z5S8B")
    assert code_display("ACDEFGHJ") == "ACDE-FGHJ"


def test_a_code_is_given_once():
    first = ApplicationFactory()

    with pytest.raises(IntegrityError):
        ApplicationFactory(code=first.code)


def test_a_code_outside_the_alphabet_is_refused():
    assert refused(code="ABCD0OIL")


def test_a_rejection_or_a_visit_needs_a_reason_for_the_applicant():
    now = timezone.now()
    assert refused(status="rejected", reason="", handled_at=now)
    assert refused(status="needs_visit", reason="", handled_at=now)
    assert not refused(status="rejected", reason="NIK tidak cocok", handled_at=now)


def test_an_accepted_application_points_to_its_resident_and_only_then():
    now = timezone.now()
    assert refused(status="accepted", handled_at=now)
    assert not refused(status="accepted", handled_at=now, resident=ResidentFactory())
    assert refused(resident=ResidentFactory())  # still received


def test_a_decision_records_when_and_a_received_one_has_none():
    assert refused(status="rejected", reason="x", handled_at=None)
    assert refused(handled_at=timezone.now())


def test_an_unknown_status_or_a_nik_of_letters_is_refused():
    assert refused(status="lost")
    assert refused(nik="31730857049200a1")


def test_no_application_without_consent():
    assert refused(consent_version="")


def test_an_application_is_shown_with_a_masked_nik():
    application = ApplicationFactory(nik="3173085704920001")

    assert application.nik not in str(application)
    assert Application.objects.get().code_display in str(application)
