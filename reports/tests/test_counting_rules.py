"""DOMAIN.md counting rules 1–7, each on hand-made data."""

from datetime import date

import pytest

from jakpreneur.semesters import Semester
from participants.counting import stage_counts_rebuild
from participants.models import BreakdownCount, StageCount
from participants.services import resident_update, resident_void, stage_record_create
from participants.tests.factories import StageRecordFactory
from programs.models import Enrollment
from programs.services import roster_update
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.breakdowns import breakdowns, counted_headline
from reports.selectors import progress_report
from reports.services import district_target_spread
from reports.tests.factories import KAPUK, jakarta_barat_period, resident
from wilayah.models import District, Village

TODAY = date(2025, 11, 15)  # 2025-S2, the sixth semester of 2023-S1 … 2027-S2


def figures(period, code="31.73.08"):
    report = progress_report(period=period, today=TODAY)
    area = next(a for a in report.districts if a.code == code)
    return {str(f.semester): f.new for f in area.semesters}, area, report


@pytest.fixture
def period(places):
    return jakarta_barat_period()


def test_rule_1_registration_counts_in_the_semester_of_its_date(period):
    resident(registered_on=date(2024, 6, 30))
    resident(registered_on=date(2024, 7, 1))

    new, _area, _report = figures(period)

    assert new["2024-S1"] == 1 and new["2024-S2"] == 1


def test_rule_2_a_resident_counts_once_whatever_they_do_later(period):
    person = resident(registered_on=date(2024, 2, 1))
    StageRecordFactory(resident=person, reached_on=date(2024, 9, 1))
    EnrollmentFactory(
        resident=person,
        enrolled_on=date(2025, 1, 5),
        status=Enrollment.Status.COMPLETED,
    )

    new, area, _report = figures(period)

    assert sum(new.values()) == 1 and new["2024-S1"] == 1
    assert area.funnel == {
        "pendaftaran": 1,
        "pelatihan": 1,
        "pendampingan": 1,
        "perizinan": 0,
        "pemasaran": 0,
        "pelaporan_keuangan": 0,
        "permodalan": 0,
    }


def test_rule_2_outside_the_period_is_not_counted(places):
    period = jakarta_barat_period(
        start_semester="2024-S1", semesters=2
    )  # 2024-S1, 2024-S2
    resident(registered_on=date(2023, 12, 31))
    resident(registered_on=date(2024, 1, 1))
    resident(registered_on=date(2025, 1, 1))

    new, area, _report = figures(period)

    assert new == {"2024-S1": 1, "2024-S2": 0}
    assert area.cumulative == 1


def test_rule_2_a_period_counting_pelatihan_follows_cancellations(places):
    period = jakarta_barat_period(stage="pelatihan")
    person = resident(registered_on=date(2024, 1, 10))
    program = ProgramFactory(start_date=date(2024, 2, 1), end_date=date(2024, 2, 2))
    first = EnrollmentFactory(
        resident=person,
        program=program,
        enrolled_on=date(2024, 1, 20),
        status="attended",
    )
    EnrollmentFactory(resident=person, enrolled_on=date(2024, 8, 1), status="completed")
    assert figures(period)[0]["2024-S1"] == 1

    roster_update(
        program=program, statuses={first.pk: "cancelled"}, user=None, today=TODAY
    )

    new, _area, _report = figures(period)
    assert new["2024-S1"] == 0 and new["2024-S2"] == 1


def test_rule_2_a_voided_registration_leaves_every_count(period):
    person = resident(registered_on=date(2024, 3, 1))
    StageRecordFactory(resident=person, reached_on=date(2024, 4, 1))

    resident_void(resident=person, user=None, reason="ganda")

    _new, area, _report = figures(period)
    assert area.cumulative == 0
    assert sum(area.funnel.values()) == 0


def test_rule_3_the_kecamatan_of_domicile_counts_not_the_venue_nor_the_nik(period):
    # NIK issued in Kembangan, living in Kapuk (Cengkareng), trained in Kembangan.
    person = resident(village=KAPUK, registered_on=date(2024, 3, 1))
    EnrollmentFactory(resident=person, status="completed", enrolled_on=date(2024, 4, 1))

    assert figures(period, "31.73.08")[1].cumulative == 0
    assert figures(period, "31.73.01")[1].cumulative == 1

    resident_update(
        resident=person,
        user=None,
        village=Village.objects.get(code="31.73.08.1005"),
        today=TODAY,
    )

    assert figures(period, "31.73.01")[1].cumulative == 0
    assert figures(period, "31.73.08")[1].cumulative == 1
    assert figures(period, "31.73.08")[1].funnel["pelatihan"] == 1


def test_rule_3_editing_the_registration_date_moves_the_semester(period):
    person = resident(registered_on=date(2024, 3, 1))

    resident_update(
        resident=person, user=None, registered_on=date(2024, 8, 1), today=TODAY
    )

    new, _area, _report = figures(period)
    assert new["2024-S1"] == 0 and new["2024-S2"] == 1


def test_rule_5_targets_default_and_roll_up_to_the_kota(period):
    _new, area, report = figures(period)

    assert area.total == 200_000
    assert [f.target for f in area.semesters] == [20_000] * 10
    assert report.city_progress.total == 8 * 200_000
    assert report.city_progress.semesters[0].target == 8 * 20_000


def test_rule_6_figures_of_the_current_semester(places):
    period = jakarta_barat_period()
    target = period.district_targets.get(district__code="31.73.08")
    target.total = 100
    target.save()
    district_target_spread(district_target=target)  # 10 per semester
    for day in [date(2024, 8, 1)] * 4 + [date(2025, 2, 1)] * 6 + [date(2025, 8, 1)] * 3:
        resident(registered_on=day)

    _new, area, _report = figures(period)

    s = {str(f.semester): f for f in area.semesters}
    assert (s["2025-S1"].new, s["2025-S1"].target, s["2025-S1"].percent) == (
        6,
        10,
        60.0,
    )
    assert (s["2025-S1"].cumulative, s["2025-S1"].cumulative_target) == (10, 50)
    assert s["2025-S1"].cumulative_percent == 20.0
    assert area.cumulative == 13
    assert area.percent_of_total == 13.0
    # 87 to go over 2025-S2 … 2027-S2 (five semesters, the current one included).
    assert area.pace_needed == 18
    # Last two complete semesters: 2024-S2 (4) and 2025-S1 (6): 5 a semester.
    assert area.recent_pace == 5.0
    assert area.projected_total == 10 + 5 * 5
    assert area.status == "far_behind"


def test_rule_7_breakdowns_sum_to_the_headline_and_follow_the_first_enrolment(period):
    kembangan = District.objects.get(code="31.73.08")
    a = resident(
        registered_on=date(2024, 2, 1), gender="P", birth_date=date(1990, 8, 5)
    )
    b = resident(
        registered_on=date(2024, 3, 1), gender="L", birth_date=date(1960, 1, 1)
    )
    resident(registered_on=date(2024, 4, 1), gender="P", birth_date=date(2002, 1, 1))
    kpkp = ProgramFactory(
        agency=kembangan.city.agencies.get(short_name="KPKP"), category="minuman"
    )
    EnrollmentFactory(
        resident=a, program=kpkp, enrolled_on=date(2024, 3, 1), status="cancelled"
    )
    EnrollmentFactory(resident=a, enrolled_on=date(2024, 4, 1))  # PPKUKM, not attended
    EnrollmentFactory(
        resident=b, program=kpkp, enrolled_on=date(2024, 5, 1), status="completed"
    )
    c_later = EnrollmentFactory(
        resident=b, enrolled_on=date(2024, 6, 1), status="attended"
    )  # PPKUKM, after KPKP: the first hadir/lulus enrolment counts

    span = {"first": Semester(2023, 1), "last": Semester(2027, 2)}
    split = breakdowns(districts=[kembangan], stage=period.stage, **span)

    headline = figures(period)[1].cumulative
    assert headline == 3
    assert counted_headline(districts=[kembangan], stage=period.stage, **span) == 3
    for rows in split.values():
        assert sum(n for _label, n in rows) == headline
    # a has no hadir or lulus enrolment: "belum pelatihan", like the funnel says.
    assert dict(split["agency"]) == {"KPKP": 1, "Belum ikut pelatihan": 2}
    assert dict(split["category"]) == {"Minuman": 1, "Belum ikut pelatihan": 2}
    assert dict(split["gender"]) == {"Laki-laki": 1, "Perempuan": 2}
    assert dict(split["age"]) == {"< 25": 1, "25–34": 1, "≥ 55": 1}
    assert area_funnel_trained(period) == 1

    # Cancelling b's KPKP enrolment moves b to the PPKUKM class attended later.
    roster_update(
        program=kpkp,
        statuses={kpkp.enrollments.get(resident=b).pk: "cancelled"},
        user=None,
        today=TODAY,
    )
    split = breakdowns(districts=[kembangan], stage=period.stage, **span)
    assert dict(split["agency"]) == {"PPKUKM": 1, "Belum ikut pelatihan": 2}
    assert c_later.program.category == "makanan"
    assert dict(split["category"]) == {"Makanan": 1, "Belum ikut pelatihan": 2}


def area_funnel_trained(period) -> int:
    return figures(period)[1].funnel["pelatihan"]


def test_counters_match_a_recount(period):
    person = resident(registered_on=date(2024, 3, 1))
    stage_record_create(
        resident=person,
        user=None,
        stage="pendampingan",
        reached_on=date(2024, 5, 1),
        mentor="Bu A",
        today=TODAY,
    )
    kept = sorted(
        StageCount.objects.filter(count__gt=0).values_list(
            "village_id", "stage", "semester", "count"
        )
    )
    kept_breakdowns = sorted(
        BreakdownCount.objects.filter(count__gt=0).values_list(
            "village_id", "stage", "semester", "dimension", "value", "count"
        )
    )

    stage_counts_rebuild()

    assert (
        sorted(
            StageCount.objects.values_list("village_id", "stage", "semester", "count")
        )
        == kept
    )
    assert (
        sorted(
            BreakdownCount.objects.values_list(
                "village_id", "stage", "semester", "dimension", "value", "count"
            )
        )
        == kept_breakdowns
    )
