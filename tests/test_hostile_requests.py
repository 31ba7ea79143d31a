"""The admin requests tests/test_fuzz.py found answering 500 or writing half, one test each.

Each goes through the real URL as an admin, and says what the admin sees and what the
database holds afterwards.
"""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.admin_tools import INLINE_ROWS_MAX, GuardedAdminMixin
from participants.models import Resident
from participants.tests.factories import ResidentFactory
from programs.models import Agency
from reports.models import DistrictTarget
from reports.tests.factories import jakarta_barat_period
from tests.test_fuzz import PageParser, _base_data


@pytest.fixture
def admin_client(client, places):
    client.force_login(staff_user(Role.ADMIN))
    return client


def _form_data(client, url: str) -> dict:
    """The change form as the admin's browser would post it unchanged."""
    parser = PageParser()
    parser.feed(client.get(url).content.decode())
    forms = [f for f in parser.forms if f.method == "post"]
    return _base_data(max(forms, key=lambda f: len(f.fields)))


def test_every_registered_admin_is_guarded():
    unguarded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, GuardedAdminMixin)
    ]

    assert unguarded == []


@pytest.mark.parametrize("object_id", ["abc", "'", "²"])
def test_history_of_an_id_that_is_not_one_is_not_found(admin_client, object_id):
    url = reverse("admin:participants_resident_history", args=[object_id])

    assert admin_client.get(url).status_code == 404


def test_old_version_with_ids_that_are_not_ones_is_not_found(admin_client):
    resident = ResidentFactory()
    url = reverse("admin:participants_resident_simple_history", args=[resident.pk, "x"])
    other = reverse("admin:participants_resident_simple_history", args=["x", "1"])

    assert admin_client.get(url).status_code == 404
    assert admin_client.get(other).status_code == 404


def test_old_version_is_shown_but_never_saved_back(admin_client):
    resident = ResidentFactory(full_name="Nama Lama")
    version = resident.history.earliest()
    Resident.objects.filter(pk=resident.pk).update(full_name="Nama Baru")
    url = reverse(
        "admin:participants_resident_simple_history",
        args=[resident.pk, version.history_id],
    )
    data = _form_data(admin_client, url)

    page = admin_client.get(url)
    response = admin_client.post(url, data)

    assert page.status_code == 200
    assert b"Nama Lama" in page.content
    assert response.status_code == 405
    resident.refresh_from_db()
    assert resident.full_name == "Nama Baru"
    assert resident.history.count() == 1


def test_refused_inline_undoes_what_the_service_saved(admin_client):
    resident = ResidentFactory(full_name="Nama Tetap")
    url = reverse("admin:participants_resident_change", args=[resident.pk])
    data = _form_data(admin_client, url)
    data["full_name"] = "Nama Diubah"
    # The stage records' management form, tampered with: the inline is refused.
    total = next(name for name in data if name.endswith("-TOTAL_FORMS"))
    data[total] = "x"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.full_name == "Nama Tetap"
    assert resident.history.count() == 1


def test_district_target_without_period_says_so(admin_client):
    district = jakarta_barat_period().district_targets.first().district
    before = DistrictTarget.objects.count()

    response = admin_client.post(
        reverse("admin:reports_districttarget_add"),
        {
            "district": district.pk,
            "period": "",
            "total": "1000",
            "semester_targets-TOTAL_FORMS": "0",
            "semester_targets-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["period"]
    assert DistrictTarget.objects.count() == before


@pytest.mark.parametrize("start", ["²", "2025-S9", "0-S1"])
def test_period_with_a_refused_start_semester_is_shown_again(admin_client, start):
    period = jakarta_barat_period()
    url = reverse("admin:reports_targetperiod_change", args=[period.pk])
    data = _form_data(admin_client, url)
    data["start_semester"] = start

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["start_semester"]
    period.refresh_from_db()
    assert period.start_semester == "2023-S1"


@pytest.mark.parametrize("field", ["village", "registered_by"])
def test_autocomplete_field_with_a_value_that_is_no_id_says_so(admin_client, field):
    resident = ResidentFactory(full_name="Nama Tetap")
    url = reverse("admin:participants_resident_change", args=[resident.pk])
    data = _form_data(admin_client, url)
    data[field] = "²"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]


def test_inline_autocomplete_field_with_a_value_that_is_no_id_says_so(admin_client):
    agency = Agency.objects.filter(city__code="31.73").first()
    url = reverse("admin:programs_agency_change", args=[agency.pk])
    data = _form_data(admin_client, url)
    data.update(
        {
            "field_leads-TOTAL_FORMS": "1",
            "field_leads-0-district": "²",
            "field_leads-0-name": "Kasatpel Uji",
            "field_leads-0-title": "kasatpel",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["district"]


def test_empty_to_field_means_the_primary_key(admin_client):
    group = Group.objects.create(name="Grup uji")
    url = reverse("admin:auth_group_delete", args=[group.pk])

    response = admin_client.get(url, {"_to_field": ""})

    assert response.status_code == 200
    assert b"Grup uji" in response.content


@pytest.mark.parametrize("selected", ["", "abc", "²", "1 OR 1=1"])
def test_admin_action_on_rows_that_are_no_ids_does_nothing(admin_client, selected):
    group = Group.objects.create(name="Grup uji")

    response = admin_client.post(
        reverse("admin:auth_group_changelist"),
        {
            "action": "delete_selected",
            helpers.ACTION_CHECKBOX_NAME: [str(group.pk), selected],
            "post": "yes",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "Pilihan baris tidak dikenal" in response.content.decode()
    assert Group.objects.filter(pk=group.pk).exists()


def test_inline_builds_no_more_rows_than_the_cap(admin_client):
    agency = Agency.objects.filter(city__code="31.73").first()
    url = reverse("admin:programs_agency_change", args=[agency.pk])
    data = _form_data(admin_client, url)
    total = next(name for name in data if name.endswith("-TOTAL_FORMS"))
    data[total] = "99999999"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) <= INLINE_ROWS_MAX
    assert formset.non_form_errors()
