import hashlib
from datetime import date

import pytest
from django.db import connection

from demo import bulk
from demo.residents import DemoResult, demo_residents
from demo.tests.helpers import kept, kept_after_full_rebuild, schema, wipe
from participants.identity import name_normalize, nik_parse, phone_normalize
from participants.models import (
    RECORDED_STAGES,
    Resident,
    Stage,
    StageRecord,
)
from participants.tests.factories import ResidentFactory
from wilayah.models import District, Village

TODAY = date(2026, 6, 15)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def digest() -> str:
    """The demo data as one hash, independent of database ids."""
    text = repr(
        [
            list(
                Resident.objects.order_by("id").values_list("nik", "full_name", "phone")
            ),
            list(
                StageRecord.objects.order_by("id").values_list(
                    "resident__nik", "stage", "reached_on", "licence_number", "amount"
                )
            ),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def seeded(places):
    return demo_residents(count=300, seed=7, today=TODAY)


def test_creates_the_residents_asked_for_in_the_kota(seeded):
    residents = Resident.objects.filter(village__district__city__code="31.73")

    assert seeded.residents == 300
    assert residents.count() == Resident.objects.count() == 300
    assert seeded.stage_records == StageRecord.objects.count() > 0
    assert seeded.summary().startswith("Warga demo: 300 baru, ")


def test_every_jakarta_barat_kecamatan_has_residents(seeded):
    kecamatan = District.objects.filter(city__code="31.73")

    assert kecamatan.count() == 8
    for district in kecamatan:
        assert Resident.objects.filter(village__district=district).exists(), district
    assert Resident.objects.values("village").distinct().count() > 40


def test_niks_are_valid_unique_and_match_birth_date_and_gender(seeded):
    residents = list(Resident.objects.select_related("village__district"))
    moved = 0

    assert len({r.nik for r in residents}) == len(residents)
    for resident in residents:
        info = nik_parse(resident.nik, today=TODAY)
        assert info.birth_date == resident.birth_date, resident.nik
        assert info.gender == resident.gender, resident.nik
        moved += info.district_code != resident.village.district.code
    # About 15% had their NIK issued elsewhere, as people who moved do.
    assert 0.05 * len(residents) < moved < 0.3 * len(residents)


def test_residents_have_plausible_personal_data(seeded):
    residents = list(Resident.objects.all())
    women = sum(r.gender == "P" for r in residents)

    assert 0.45 < women / len(residents) < 0.65
    for r in residents:
        assert date(2023, 1, 1) <= r.registered_on <= TODAY
        assert age_on(r.birth_date, r.registered_on) >= 18
        assert age_on(r.birth_date, TODAY) <= 65
        assert r.name_key == name_normalize(r.full_name)
        assert phone_normalize(r.phone) == r.phone.strip()
        assert r.phone.startswith("+628")
        assert r.kk_number == "" or (len(r.kk_number) == 16 and r.kk_number.isdigit())
        assert r.address.startswith("Jl. ") and " No. " in r.address
        assert "001" <= r.rt <= "015" and len(r.rt) == 3
        assert "001" <= r.rw <= "015" and len(r.rw) == 3
        assert r.registered_by_id is None
        assert r.created_at is not None and r.updated_at is not None
        assert r.created_at.date() <= TODAY
        assert not r.is_void or r.void_reason
        if r.has_business:
            assert r.business_name and r.business_sector
            assert r.birth_date.year < r.business_started_year <= r.registered_on.year
        else:
            assert r.business_started_year is None
    assert sum(r.has_business for r in residents) > 60


def test_stage_records_follow_registration_in_funnel_order(seeded):
    stages_by_resident: dict[int, list[StageRecord]] = {}
    for record in StageRecord.objects.select_related("resident").order_by(
        "reached_on", "id"
    ):
        stages_by_resident.setdefault(record.resident_id, []).append(record)

    for records in stages_by_resident.values():
        resident = records[0].resident
        assert not resident.is_void
        # Each resident reached a prefix of the stages, in order, after registering.
        assert [r.stage for r in records] == RECORDED_STAGES[: len(records)]
        previous = resident.registered_on
        for record in records:
            assert previous < record.reached_on <= TODAY
            previous = record.reached_on
            if record.stage == Stage.PERIZINAN:
                assert record.licence_type and record.licence_number
            elif record.stage == Stage.PEMASARAN:
                assert record.channel
            elif record.stage == Stage.PERMODALAN:
                assert record.lender and 5_000_000 <= record.amount <= 50_000_000
            elif record.stage == Stage.PENDAMPINGAN:
                assert record.mentor
    counts = [
        StageRecord.objects.filter(stage=stage).count() for stage in RECORDED_STAGES
    ]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > 3 * counts[-1]
    assert seeded.per_stage == dict(zip(RECORDED_STAGES, counts, strict=True))


def test_stage_dates_and_counters_are_those_the_services_keep(seeded):
    loaded = kept()

    assert loaded == kept_after_full_rebuild()
    assert Resident.objects.filter(mentored_on__isnull=False).exists()
    assert seeded.counters == len(loaded[1]) > 0


def test_same_seed_gives_the_same_data_and_another_seed_does_not(places):
    demo_residents(count=120, seed=11, today=TODAY)
    first = digest()
    wipe(StageRecord, Resident)
    demo_residents(count=120, seed=11, today=TODAY)
    again = digest()
    wipe(StageRecord, Resident)
    demo_residents(count=120, seed=12, today=TODAY)

    assert again == first
    assert digest() != first


def test_running_again_adds_nothing(seeded):
    before = digest()

    result = demo_residents(count=300, seed=8, today=TODAY)

    assert result.already_seeded
    assert result.residents == result.stage_records == 0
    assert "sudah berisi warga" in result.summary()
    assert Resident.objects.count() == 300
    assert digest() == before


def test_skips_niks_already_taken_elsewhere(places):
    demo_residents(count=20, seed=3, today=TODAY)
    taken = Resident.objects.order_by("id").values_list("nik", flat=True)[0]
    wipe(StageRecord, Resident)
    # A resident of Jakarta Selatan who holds the NIK the demo would give first.
    ResidentFactory(nik=taken, village=Village.objects.get(code="31.74.01.1001"))

    demo_residents(count=20, seed=3, today=TODAY)

    demo_niks = set(
        Resident.objects.filter(village__district__city__code="31.73").values_list(
            "nik", flat=True
        )
    )
    assert len(demo_niks) == 20
    assert taken not in demo_niks
    assert taken[:12] + "0002" in demo_niks


def test_summary_is_one_indonesian_line():
    result = DemoResult(residents=5000, stage_records=6543, seconds=3.2)

    assert result.summary() == "Warga demo: 5.000 baru, 6.543 catatan tahap (3,2 detik)"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="index rebuild is PostgreSQL only"
)
def test_bulk_load_on_postgresql_puts_every_index_and_constraint_back(
    places, monkeypatch
):
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1)
    before = schema(Resident, StageRecord)

    demo_residents(count=200, seed=5, today=TODAY)

    assert schema(Resident, StageRecord) == before
    assert Resident.objects.count() == 200
    # The id sequence moved past the demo rows: ordinary inserts still work.
    ResidentFactory(village=Village.objects.get(code="31.74.01.1001"))
