"""Overdue is counted in whole Jakarta days, per kecamatan, in one query."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from applications.selectors import applications_overdue, queue_counts
from wilayah.models import City, Village

from .factories import ApplicationFactory

pytestmark = pytest.mark.usefixtures("places")


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_an_application_is_overdue_from_the_fifteenth_day(today):
    ApplicationFactory(
        applied_at=at(today - timedelta(days=14), 0)
    )  # 14th day: not yet
    ApplicationFactory(applied_at=at(today - timedelta(days=15), 23))  # overdue
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")

    counts = queue_counts(user=clerk, today=today)

    assert (counts.waiting, counts.overdue) == (2, 1)


def test_overdue_is_grouped_per_kecamatan_of_the_kota_in_one_query(
    today, django_assert_num_queries
):
    old = today - timedelta(days=20)
    ApplicationFactory(applied_at=at(old, 9))
    ApplicationFactory(applied_at=at(old - timedelta(days=5), 9))
    ApplicationFactory(
        applied_at=at(old, 9), village=Village.objects.get(code="31.73.01.1005")
    )
    ApplicationFactory(
        applied_at=at(old, 9), village=Village.objects.get(code="31.75.01.1001")
    )
    ApplicationFactory(
        applied_at=at(old, 9), status="rejected", reason="x", handled_at=timezone.now()
    )

    city = City.objects.get(code="31.73")

    with django_assert_num_queries(1):
        rows = applications_overdue(city=city, today=today)

    assert [(r.district_name, r.count) for r in rows] == [
        ("Kembangan", 2),
        ("Cengkareng", 1),
    ]
