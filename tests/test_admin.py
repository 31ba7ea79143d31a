import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur import admin_tools
from jakpreneur.admin_tools import LargeTablePaginator
from participants.models import AccessLog, BreakdownCount, StageCount
from reports.models import SemesterTarget
from wilayah.models import Village

# Rows nobody adds by hand: the access log, the counters, semester targets (with their kecamatan).
READ_ONLY = {AccessLog, StageCount, BreakdownCount, SemesterTarget}

PROJECT_APPS = ["wilayah", "accounts", "participants", "programs", "reports"]
# History tables are browsed through each record's "History" page in the admin.
PROJECT_MODELS = [
    model
    for app in PROJECT_APPS
    for model in apps.get_app_config(app).get_models()
    if not model.__name__.startswith("Historical")
]


def test_every_project_model_is_in_the_admin():
    missing = [
        model.__name__
        for model in PROJECT_MODELS
        if not admin.site.is_registered(model)
    ]

    assert missing == []


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_add_pages_open(client, places, model):
    staff_user(Role.KELURAHAN)
    client.force_login(staff_user(Role.ADMIN))
    info = (model._meta.app_label, model._meta.model_name)

    changelist = client.get(
        reverse("admin:{}_{}_changelist".format(*info)), {"q": "Joglo"}
    )
    add = client.get(reverse("admin:{}_{}_add".format(*info)))

    assert changelist.status_code == 200
    assert add.status_code == (403 if model in READ_ONLY else 200)


def test_village_changelist_filters_by_kota(client, places):
    client.force_login(staff_user(Role.ADMIN))
    jakarta_barat = (
        Village.objects.filter(district__city__code="31.73").first().district.city
    )

    response = client.get(
        reverse("admin:wilayah_village_changelist"),
        {"district__city__id__exact": jakarta_barat.pk},
    )

    assert response.status_code == 200
    assert "56" in response.content.decode()


def test_paginator_counts_small_tables_exactly(places):
    assert LargeTablePaginator(Village.objects.all(), 50).count == 267


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner estimates are PostgreSQL's"
)
def test_paginator_uses_the_planner_estimate_on_big_unfiltered_tables(
    places, monkeypatch
):
    monkeypatch.setattr(admin_tools, "ESTIMATE_ABOVE", 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE wilayah_village")

    with CaptureQueriesContext(connection) as queries:
        count = LargeTablePaginator(Village.objects.all(), 50).count

    assert count == 267
    assert not any("COUNT(" in query["sql"].upper() for query in queries)
