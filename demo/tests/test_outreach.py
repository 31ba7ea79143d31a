"""Demo outreach (issue 13): plausible activities, some kecamatan without any this semester,
and heard_via answers on the demo residents, all counted."""

from datetime import date

import pytest

from demo.outreach import demo_outreach
from jakpreneur.semesters import Semester
from outreach.models import OutreachActivity
from participants.counting import stage_counts_differences
from participants.models import BreakdownCount, Dimension, Resident
from wilayah.models import District

TODAY = date(2025, 8, 20)


def test_each_kecamatan_gets_a_few_activities_and_some_none_this_semester(places):
    added = demo_outreach(seed=7, today=TODAY)

    districts = District.objects.filter(city__code="31.73")
    now = Semester.of(TODAY)
    this_semester = {
        d: OutreachActivity.objects.filter(
            district=d, held_on__gte=now.start, held_on__lte=TODAY
        ).count()
        for d in districts
    }
    assert added == OutreachActivity.objects.count() > 8 * 5 * 2
    assert sum(1 for n in this_semester.values() if n == 0) == 2
    assert not OutreachActivity.objects.filter(held_on__gt=TODAY).exists()
    for activity in OutreachActivity.objects.all():
        activity.full_clean()


def test_it_adds_nothing_the_second_time_and_the_same_seed_gives_the_same(places):
    demo_outreach(seed=7, today=TODAY)
    first = list(OutreachActivity.objects.values_list("held_on", "people_reached"))

    assert demo_outreach(seed=7, today=TODAY) == 0
    OutreachActivity.objects.all().delete()
    demo_outreach(seed=7, today=TODAY)
    assert list(OutreachActivity.objects.values_list("held_on", "people_reached")) == (
        first
    )


@pytest.mark.django_db
def test_demo_residents_say_how_they_heard_and_are_counted(places, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", residents=200, stdout=open("/dev/null", "w"))  # noqa: SIM115

    answers = set(Resident.objects.values_list("heard_via", flat=True))
    assert {"outreach", "kelurahan", "family"} <= answers
    assert "" not in answers
    assert BreakdownCount.objects.filter(
        dimension=Dimension.HEARD, value="outreach"
    ).exists()
    assert OutreachActivity.objects.exists()
    assert stage_counts_differences() == []
