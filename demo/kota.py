"""Demo residents and trainings of several kota in one load (`seed_demo`, the benchmarks).

demo_residents and demo_programs each load one kota in a transaction of their own, and each
drops the big tables' indexes, writes, rebuilds the stage dates and counters and builds the
indexes again over the whole table. Loading residents and then trainings of a kota that way
rewrites the residents twice and builds every resident index twice; loading five kota one
after the other builds them five times over an ever larger table. Here every kota's rows go
in under one `bulk.unindexed`, the counters are rebuilt once for all of them, and each index
is built once. A kota whose residents and trainings are both made here has its resident rows
held in memory until its enrolments are made, and written once with their final stage dates;
only residents already stored (a kota given trainings alone) get their stage dates rebuilt
after. Same rows as the two loaders (same seed, same today), except that NIK serials run
on across the kota of one load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import connection, transaction

from demo import bulk
from demo.programs import (
    DemoProgramsResult,
    programs_plan,
    programs_present,
    programs_write,
)
from demo.residents import (
    OUTSIDE_DKI_REGIONS,
    DemoResult,
    HeldResidents,
    NikBook,
    residents_present,
    residents_write,
    residents_write_held,
)
from participants.models import BreakdownCount, Resident, StageCount, StageRecord
from programs.models import Enrollment, Program
from wilayah.models import District

# Enrolments per resident, to decide before planning whether the enrolment table's indexes
# are dropped for the load (the demo makes about 0.85).
ENROLMENTS_PER_RESIDENT = 1


def demo_kota_load(
    *,
    residents: Mapping[str, int],
    programs: Iterable[str] = (),
    seed: int,
    today: date | None = None,
    phases: bulk.Phases | None = None,
) -> tuple[list[DemoResult], list[DemoProgramsResult]]:
    """Residents of each kota (code -> how many), then trainings of the kota in `programs`,
    in one transaction. A kota that already has residents (or trainings) gets none added.
    `phases` gathers the seconds of each part (benchmarks)."""
    programs = list(programs)
    phases = phases if phases is not None else bulk.Phases()
    people: list[DemoResult] = []
    trainings: list[DemoProgramsResult] = []
    with transaction.atomic(), connection.cursor() as cursor:
        bulk.lock(cursor, Resident, Program, Enrollment)
        to_fill = []
        for code, count in residents.items():
            city, day = bulk.kota_and_today(city_code=code, today=today)
            result = DemoResult(city_name=city.name)
            people.append(result)
            if count <= 0:
                continue
            if residents_present(city):
                result.already_seeded = True
            else:
                to_fill.append((city, day, count, result))
        to_train = []
        for code in programs:
            city, day = bulk.kota_and_today(city_code=code, today=today)
            result = DemoProgramsResult(city_name=city.name)
            trainings.append(result)
            if programs_present(city):
                result.already_seeded = True
            else:
                to_train.append((city, day, result))
        total = sum(count for _city, _day, count, _result in to_fill)
        expected = {
            Resident: total,
            StageRecord: total,
            Enrollment: ENROLMENTS_PER_RESIDENT * total,
        }
        trained_here = {city.pk for city, _day, _result in to_train}
        # Trainings and counters: a few tens of thousands of rows, analyzed too.
        analyzed = [Program, StageCount, BreakdownCount]
        with bulk.unindexed(cursor, expected, analyzed=analyzed, phases=phases):
            niks = None
            held: dict[int, HeldResidents] = {}
            # Ids of every kota's residents at once: held rows are not in the table yet
            # when the next kota reserves its ids (SQLite reserves from the highest id).
            first_id = bulk.reserve_ids(cursor, Resident, count=total) if total else 0
            for city, day, count, result in to_fill:
                if niks is None:
                    niks = NikBook.read(_region_prefixes())
                if city.pk in trained_here:
                    held[city.pk] = HeldResidents(today=day.toordinal())
                step = "held" if city.pk in held else "and COPY"
                with (
                    phases("residents (rows and COPY)"),
                    phases.detail(
                        f"residents: rows made ({step}), stage records' COPY"
                    ),
                ):
                    residents_write(
                        cursor,
                        city=city,
                        count=count,
                        seed=seed,
                        today=day,
                        result=result,
                        niks=niks,
                        hold=held.get(city.pk),
                        first_id=first_id,
                    )
                first_id += count
            for city, day, result in to_train:
                with phases("trainings planned"):
                    calendar = programs_plan(
                        city=city, seed=seed, today=day, held=held.get(city.pk)
                    )
                with phases("trainings (rows and COPY)"):
                    programs_write(cursor, calendar=calendar, result=result)
                if city.pk in held:
                    with (
                        phases("residents (rows and COPY)"),
                        phases.detail("residents: held rows' COPY, with Pelatihan"),
                    ):
                        residents_write_held(
                            cursor,
                            held=held.pop(city.pk),
                            trained=calendar.trained_fields,
                        )
            filled = [c for c, *_rest in to_fill]
            cities = filled + [c for c, _day, _result in to_train]
            if cities:
                counters = bulk.counted_rebuild(
                    cities=list(dict.fromkeys(cities)),
                    # Residents made here were written with their stage dates.
                    restage=[c for c, _day, _result in to_train if c not in filled],
                    phases=phases,
                )
                for result in [*people, *trainings]:
                    if not result.already_seeded:
                        result.counters = counters
    # Each result's time runs to the end of the whole load (indexes, rebuild, commit).
    return [r.done() for r in people], [r.done() for r in trainings]


def _region_prefixes() -> list[str]:
    """Every region of issue a demo NIK may have (the same for every kota of DKI)."""
    codes = list(District.objects.order_by("code").values_list("code", flat=True))
    codes += [code for code, _place in OUTSIDE_DKI_REGIONS]
    return [code.replace(".", "") for code in codes]
