"""How a resident heard of Jakpreneur: asked at registration, counted as a breakdown."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from participants.counting import stage_counts_differences
from participants.models import BreakdownCount, Channel, Dimension, Resident
from participants.services import resident_update
from participants.tests.factories import ResidentFactory
from participants.tests.test_registration_form import form_data


def heard_counts() -> dict[str, int]:
    return {
        value: count
        for value, count in BreakdownCount.objects.filter(
            dimension=Dimension.HEARD, stage="pendaftaran"
        ).values_list("value", "count")
        if count
    }


@pytest.fixture
def joglo_client(client, places):
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))
    return client


def test_a_new_registration_must_say_how_the_resident_heard(joglo_client):
    response = joglo_client.post(
        reverse("participants:create"), form_data(heard_via="")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["heard_via"] == [
        "Bidang ini tidak boleh kosong."
    ]
    assert not Resident.objects.exists()


def test_the_answer_is_kept_and_counted_as_a_breakdown(joglo_client):
    joglo_client.post(reverse("participants:create"), form_data(heard_via="outreach"))

    resident = Resident.objects.get()
    assert (resident.heard_via, resident.channel) == ("outreach", Channel.DESK)
    assert heard_counts() == {"outreach": 1}
    assert stage_counts_differences() == []


def test_an_older_record_may_stay_unanswered_when_edited(joglo_client, places):
    resident = ResidentFactory(heard_via="")

    form = joglo_client.get(reverse("participants:edit", args=[resident.pk]))

    assert form.context["form"].fields["heard_via"].required is False


def test_a_changed_answer_moves_its_counter(places):
    resident = ResidentFactory(heard_via="family")
    user = staff_user(Role.KELURAHAN, "31.73.08.1005")

    resident_update(resident=resident, user=user, heard_via="field_lead")

    assert heard_counts() == {"field_lead": 1}
    assert stage_counts_differences() == []


def test_the_migration_files_earlier_residents_under_not_asked(places):
    """Migration 0009's SQL: each kelurahan × stage × semester of the gender rows gets
    the same total under heard = '' (every earlier resident was not asked)."""
    from importlib import import_module

    migration = import_module(
        "participants.migrations.0009_resident_heard_via_and_channel"
    )
    ResidentFactory(heard_via="", registered_on=date(2025, 3, 1))
    ResidentFactory(heard_via="", registered_on=date(2025, 9, 1))
    BreakdownCount.objects.filter(dimension=Dimension.HEARD).delete()

    with connection.cursor() as cursor:
        cursor.execute(migration.HEARD_FROM_GENDER)

    assert sorted(
        BreakdownCount.objects.filter(
            dimension=Dimension.HEARD, stage="pendaftaran"
        ).values_list("value", "semester", "count")
    ) == [("", 2025 * 2, 1), ("", 2025 * 2 + 1, 1)]
    assert stage_counts_differences() == []


def test_the_resident_page_shows_how_they_heard_and_their_door(joglo_client):
    answered = ResidentFactory(heard_via="outreach")
    older = ResidentFactory(heard_via="")

    page = joglo_client.get(reverse("participants:detail", args=[answered.pk]))
    old_page = joglo_client.get(reverse("participants:detail", args=[older.pk]))

    text = page.content.decode()
    assert "Kegiatan sosialisasi di sekitar saya" in text
    assert "Meja layanan (petugas)" in text
    assert "Tidak ditanyakan (data lama)" in old_page.content.decode()
