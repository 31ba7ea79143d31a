"""Demo programme calendar and enrolments for `seed_demo`, after the demo residents.

Every Suku Dinas of the kota gets trainings from DEMO_START to `today`, plus some open or
planned ones in the next two months, and the kota's residents (demo.residents) enrol in
them with realistic attendance. Made for volume like demo.residents: rows bypass the ORM
(COPY on PostgreSQL, executemany elsewhere), in one transaction, with ids reserved up front,
no Model.save (so created_at/updated_at are written here) and no django-simple-history rows.
Every row satisfies the models' constraints, and the enrolment rules of programs.services.

How the calendar is made (demand first, then classes):

- Each resident draws whether and when they want a training: residents who reached
  Pendampingan want one before it (mentoring follows training), others with a probability
  set so that about TRAINED_SHARE of all residents end up trained (attended or completed)
  at least once, as in the province's figures (176,891 trained of 284,164 registered).
  Some take a second training months later.
- Wishes go to the resident's own kecamatan mostly, sorted by date; consecutive wishes fill a
  class of 20-40 seats to 80-95% (a Sudin without an active Kasatlak/Kasatpel in that
  kecamatan fills only 50-75%: word of its trainings does not reach residents there; with
  no field lead recorded in the kota at all, nobody is held back). The class starts on the
  day of its last wish, or a week before a member's Pendampingan, but never before a member
  registered, and not on a weekend: nobody waits long where demand is dense. With few
  residents, kecamatan share classes, or a class would wait a year to fill.
- Codes are what program_next_code would give, counted per Sudin and start year in start
  date order, after the highest code already stored for that prefix.
- Nothing here runs the services or their signals. Residents already in the table get
  their Pelatihan dates rebuilt after the load, in the same transaction, by the code that
  keeps them (demo.bulk.counted_rebuild), and so do the kota's counters; residents made in
  the same load (demo.kota) are planned from their rows in memory and written once, with
  the Pelatihan of their first hadir/lulus enrolment as made here (`trained_fields`; a
  test holds it to participants.stages' rule). Planning reads the Pendampingan dates that
  the residents' load left.

Deterministic: one random.Random(seed) drives everything and `today` is a parameter.
Idempotent per kota: if the kota already has any programme, nothing is added.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils.translation import gettext as _

from demo import bulk
from demo.residents import HeldResidents
from participants.models import Resident, Sector, Stage
from participants.stages import SOURCES
from programs.models import Agency, Enrollment, FieldLead, Program
from wilayah.models import City, District, Village

HORIZON = 60  # days ahead that open and planned trainings are scheduled
TRAINED_SHARE = 0.62  # of residents trained at least once (province: 176,891 / 284,164)
# Chance that a wish for training becomes a trained enrolment, for the calibration of how
# many residents without Pendampingan want training (cancellations, no-shows, recent
# registrants whose class lies ahead).
MENTORED_TRAINED = 0.93
OTHERS_TRAINED = 0.68
SECOND_TRAINING = {
    True: 0.22,
    False: 0.12,
}  # by whether the resident reached Pendampingan
OWN_KECAMATAN = 0.85  # share of wishes for the resident's own kecamatan
POOL_SPAN = 90  # a class should fill within about this many days, or kecamatan share
CANCELLED_PROGRAMS = 0.03  # of ended trainings
OPEN_WITHIN = 30  # days: a training starting sooner is open; later ones open or planned

# --- Vocabulary ----------------------------------------------------------------
# ASCII without tab, newline or backslash: rows go through COPY text format unescaped.

TOPICS = {
    Sector.MAKANAN: [
        "Olahan Kue Basah", "Kue Kering", "Roti dan Pastry", "Olahan Frozen Food",
        "Aneka Keripik", "Olahan Ikan dan Hasil Laut", "Nugget dan Abon Ikan",
        "Sambal Kemasan", "Dimsum dan Siomay", "Kue Tradisional Betawi", "Katering Sehat",
        "Olahan Tempe dan Tahu", "Bakso dan Olahan Daging", "Cake dan Bolu",
        "Olahan Jamur Tiram", "Makanan Pendamping ASI", "Kerak Telor dan Kuliner Betawi",
    ],
    Sector.MINUMAN: [
        "Kopi Kekinian", "Minuman Herbal dan Jamu", "Bir Pletok Betawi", "Minuman Boba",
        "Sari Buah Kemasan", "Aneka Es Kekinian", "Teh Racik", "Susu Kedelai dan Susu Nabati",
        "Minuman Serbuk Instan",
    ],
    Sector.JASA: [
        "Barista", "Tata Rias Pengantin", "Tata Rias Wajah", "Pangkas Rambut", "Servis AC",
        "Servis Telepon Seluler", "Perbaikan Sepeda Motor", "Teknisi Listrik Rumah Tangga",
        "Laundry dan Dry Cleaning", "Spa dan Pijat Refleksi", "Perawatan Lansia",
        "Pengasuhan Anak (Baby Sitter)", "Tata Boga Katering", "Desain Grafis",
    ],
    Sector.KERAJINAN: [
        "Batik Tulis", "Batik Betawi", "Anyaman", "Anyaman Bambu", "Ecoprint",
        "Kerajinan Daur Ulang Sampah Plastik", "Sulam Pita", "Kerajinan Resin",
        "Ondel-ondel Mini", "Merangkai Bunga", "Lilin Aromaterapi", "Kerajinan Kulit",
        "Makrame", "Tas Rajut",
    ],
    Sector.FASHION: [
        "Menjahit Busana Muslim", "Menjahit Dasar", "Desain Busana", "Jahit Tas dan Dompet",
        "Sablon Kaos", "Bordir Komputer", "Hijab Lukis", "Menjahit Seragam Sekolah",
        "Pola dan Potong Busana", "Jahit Mukena",
    ],
    Sector.LAINNYA: [
        "Digital Marketing UMKM", "Pembukuan Sederhana UMKM", "Fotografi Produk",
        "Jualan di Marketplace", "Kemasan dan Label Produk", "Perizinan Usaha (NIB dan P-IRT)",
        "Konten Kreatif Media Sosial", "Budidaya Ikan Lele", "Hidroponik", "Budidaya Maggot",
    ],
}  # fmt: skip
# Categories each standard Sudin trains in, with weights; other Sudin train in any.
AGENCY_CATEGORIES = {
    "KPKP": [(Sector.MAKANAN, 70), (Sector.MINUMAN, 30)],
    "Nakertransgi": [(Sector.JASA, 65), (Sector.FASHION, 35)],
    "PPKUKM": [
        (Sector.MAKANAN, 34), (Sector.MINUMAN, 12), (Sector.JASA, 12),
        (Sector.KERAJINAN, 12), (Sector.FASHION, 14), (Sector.LAINNYA, 16),
    ],
    "Sosial": [(Sector.KERAJINAN, 55), (Sector.JASA, 45)],
    "Parekraf": [(Sector.FASHION, 35), (Sector.KERAJINAN, 30), (Sector.LAINNYA, 35)],
    "PPAPP": [(Sector.MAKANAN, 55), (Sector.KERAJINAN, 45)],
}  # fmt: skip
# How many of the trainings each Sudin runs (relative); other Sudin get OTHER_AGENCY_WEIGHT.
AGENCY_WEIGHTS = {
    "PPKUKM": 30, "Nakertransgi": 22, "KPKP": 16, "Parekraf": 12, "Sosial": 10, "PPAPP": 10,
}  # fmt: skip
OTHER_AGENCY_WEIGHT = 8
CAPACITIES = [(20, 3), (24, 1), (25, 3), (30, 5), (32, 1), (35, 2), (36, 1), (40, 3)]
FILL = (0.80, 0.95)
FILL_WITHOUT_LEAD = (0.50, 0.75)
DURATIONS = [(1, 15), (2, 25), (3, 30), (4, 15), (5, 15)]  # days
RPTRA_NAMES = [
    "Anggrek", "Melati", "Kenanga", "Cempaka", "Flamboyan", "Bougenville", "Teratai",
    "Seruni", "Mawar", "Dahlia", "Sejahtera", "Harmoni", "Ceria", "Bahagia", "Pelangi",
    "Cendrawasih", "Rajawali", "Kasuari", "Nusa Indah", "Asoka", "Kamboja", "Tanjung",
]  # fmt: skip
# Enrolment statuses in an ended training. Residents who later reached Pendampingan nearly
# all finished it; everyone else makes up the rest, so that all together come to about
# completed 75%, attended 12%, cancelled 8%, no-show 5%.
ENDED_MENTORED = [
    ("completed", 80),
    ("attended", 13),
    ("cancelled", 4),
    ("enrolled", 3),
]
ENDED_OTHERS = [("completed", 69), ("attended", 11), ("cancelled", 13), ("enrolled", 7)]
RUNNING = [("attended", 75), ("enrolled", 25)]

PROGRAM_FIELDS = [
    "id", "code", "title", "agency", "category", "district", "venue", "start_date",
    "end_date", "capacity", "status", "created_by", "created_at",
]  # fmt: skip
ENROLLMENT_FIELDS = [
    "id", "resident", "program", "enrolled_on", "status", "enrolled_by", "updated_at",
]  # fmt: skip

DONE, CANCELLED = Program.Status.DONE.value, Program.Status.CANCELLED.value
RUNNING_, OPEN, PLANNED = (
    Program.Status.RUNNING.value,
    Program.Status.OPEN.value,
    Program.Status.PLANNED.value,
)
TRAINED = {status.value for status in Enrollment.TRAINED}


@dataclass
class DemoProgramsResult(bulk.LoadResult):
    programs: int = 0
    enrollments: int = 0
    residents: int = 0  # the kota's non-void residents considered
    trained: int = 0  # of them, with an attended or completed enrolment
    per_program_status: dict[str, int] = field(default_factory=dict)
    per_enrollment_status: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return self._summary(
            _(
                "Pelatihan demo: %(city)s sudah berisi pelatihan, tidak ada yang ditambah"
            ),
            _(
                "Pelatihan demo: %(programs)s pelatihan, %(enrollments)s peserta "
                "(%(seconds)s detik)"
            ),
            programs=self.programs,
            enrollments=self.enrollments,
        )


def demo_programs(
    *, seed: int, city_code: str = "31.73", today: date | None = None
) -> DemoProgramsResult:
    """Trainings of every Sudin of the kota and its residents' enrolments, unless it has any."""
    city, today = bulk.kota_and_today(city_code=city_code, today=today)
    result = DemoProgramsResult(city_name=city.name)

    with transaction.atomic(), connection.cursor() as cursor:
        bulk.lock(cursor, Program, Enrollment)
        if programs_present(city):
            result.already_seeded = True
            return result.done()
        calendar = programs_plan(city=city, seed=seed, today=today)
        with bulk.unindexed(
            cursor,
            {
                Program: len(calendar.programs),
                Enrollment: calendar.enrollment_count,
                # counted_rebuild rewrites the kota's residents whose stage dates
                # change (once each): most of them, as most get trained.
                Resident: len(calendar.resident_ids),
            },
        ):
            programs_write(cursor, calendar=calendar, result=result)
            result.counters = bulk.counted_rebuild(cities=[city])
    return result.done()


def programs_present(city: City) -> bool:
    return Program.objects.filter(agency__city=city).exists()


def programs_plan(
    *, city: City, seed: int, today: date, held: HeldResidents | None = None
) -> _Calendar:
    """The kota's trainings and enrolments planned from its residents (nothing written):
    those in the table, or `held`, all of the kota's residents, not written yet."""
    agencies = list(Agency.objects.filter(city=city).order_by("short_name"))
    if not agencies:
        raise ValueError(f"kota {city.code} has no Suku Dinas: load them first")
    calendar = _Calendar(
        rng=random.Random(seed),
        city=city,
        agencies=agencies,
        today=today,
    )
    if held is None:
        calendar.read_residents()
    else:
        calendar.take_residents(held)
    calendar.plan()
    return calendar


def programs_write(cursor, *, calendar: _Calendar, result: DemoProgramsResult) -> None:
    """Write a planned calendar (the caller holds the locks and rebuilds stage dates and
    counters after)."""
    if calendar.programs:
        first_program = bulk.reserve_ids(cursor, Program, count=len(calendar.programs))
        program_rows = calendar.program_rows(first_program)
        first_enrollment = bulk.reserve_ids(
            cursor, Enrollment, count=calendar.enrollment_count
        )
        enrollment_rows = calendar.enrollment_rows(first_program, first_enrollment)
        bulk.write(cursor, Program, PROGRAM_FIELDS, program_rows)
        bulk.write(cursor, Enrollment, ENROLLMENT_FIELDS, enrollment_rows)
    result.programs = len(calendar.programs)
    result.enrollments = sum(calendar.per_enrollment_status.values())
    result.residents = len(calendar.resident_ids)
    result.trained = calendar.trained_count()
    result.per_program_status = calendar.per_program_status
    result.per_enrollment_status = calendar.per_enrollment_status


class _Calendar:
    """Plans trainings from the residents' wishes and makes the rows; one seeded Random.

    Residents live in compact arrays (index = position in id order). A wish for a training is
    one int: group (kecamatan or pool of kecamatan), day and resident index packed together,
    so sorting a plain list of ints puts each group's wishes in date order. A planned
    training is a slice of that sorted list.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        city: City,
        agencies: list[Agency],
        today: date,
    ):
        self.rng = rng
        self.city = city
        self.null = bulk.null()
        self.today = today.toordinal()
        self.agencies = agencies
        self.districts = list(District.objects.filter(city=city).order_by("code"))
        if not self.districts:
            raise ValueError(f"kota {city.code} has no kecamatan: load places first")
        self.district_index = {d.pk: i for i, d in enumerate(self.districts)}
        self.villages: list[list[str]] = [[] for _d in self.districts]
        self.village_district: dict[int, int] = {}
        for village_id, district_id, name in (
            Village.objects.filter(district__city=city)
            .order_by("code")
            .values_list("id", "district_id", "name")
        ):
            self.villages[self.district_index[district_id]].append(name)
            self.village_district[village_id] = self.district_index[district_id]
        leads = set(
            FieldLead.objects.filter(active=True, agency__in=agencies).values_list(
                "agency_id", "district_id"
            )
        )
        # With no field leads recorded at all (a bare database), nobody is penalised.
        self.lacks_lead = {
            (a, d)
            for a, agency in enumerate(agencies)
            for d, district in enumerate(self.districts)
            if leads and (agency.pk, district.pk) not in leads
        }
        self.agency_bag = bulk.bag(
            (a, AGENCY_WEIGHTS.get(agency.short_name, OTHER_AGENCY_WEIGHT))
            for a, agency in enumerate(agencies)
        )
        all_categories = [(sector.value, 1) for sector in Sector]
        self.category_bags = [
            bulk.bag(
                (str(sector), weight)
                for sector, weight in AGENCY_CATEGORIES.get(
                    agency.short_name, all_categories
                )
            )
            for agency in agencies
        ]
        self.capacities = bulk.bag(CAPACITIES)
        self.durations = bulk.bag(DURATIONS)
        self.ended_mentored = bulk.bag(ENDED_MENTORED)
        self.ended_others = bulk.bag(ENDED_OTHERS)
        self.running = bulk.bag(RUNNING)

        # Day ordinals from a month before DEMO_START to past the horizon.
        self.days = bulk.Days(
            first=bulk.DEMO_START.toordinal() - 62,
            last=self.today + HORIZON + 9,
            today=today,
        )
        self.first_day, self.iso = self.days.first, self.days.iso

        self.resident_ids = array("q")
        self.registered = array("l")  # day ordinals
        self.resident_district = array("b")
        self.mentored = array("l")  # day ordinal of Pendampingan, 0 if none
        self.wishes: list[int] = []
        # (start, end, group, first, stop, district, agency, capacity, status), by start
        self.programs: list[tuple] = []
        self.enrollment_count = 0
        self.trained = bytearray()  # 1 where the resident has a trained enrolment
        # Each resident's first trained enrolment: day ordinal (0: none) and programme.
        self.trained_on = array("l")
        self.trained_in = array("l")
        # Each programme's Sudin (id) and category, by number, for trained_fields.
        self.program_facts: list[tuple[int, str]] = []
        self.per_program_status: dict[str, int] = {}
        self.per_enrollment_status: dict[str, int] = {}

    # --- Reading ---------------------------------------------------------------

    def read_residents(self) -> None:
        """The kota's non-void residents in id order (id, registration day, kecamatan, first
        Pendampingan day), streamed into arrays. The Pendampingan day is read from its
        source rows by the one definition (participants.stages), so that planning works
        before the residents' stage dates are rebuilt (one load of residents and trainings)."""
        in_kota = Resident.objects.filter(
            # Village ids, not a join: the planner then reads the table in id order.
            village_id__in=list(self.village_district),
            is_void=False,
            registered_on__lte=date.fromordinal(self.today),
        )
        mentored_on = dict(
            SOURCES[Stage.PENDAMPINGAN]
            .earliest()
            .filter(s_resident__in=in_kota.order_by().values("pk"))
            .values_list("s_resident", "s_date")
            .iterator(chunk_size=20_000)
        )
        rows = (
            in_kota.order_by("id")
            .values_list("id", "registered_on", "village_id")
            .iterator(chunk_size=20_000)
        )
        village_district = self.village_district
        ids, registered = self.resident_ids, self.registered
        districts, mentored = self.resident_district, self.mentored
        for resident_id, registered_on, village_id in rows:
            ids.append(resident_id)
            registered.append(registered_on.toordinal())
            districts.append(village_district[village_id])
            day = mentored_on.get(resident_id)
            mentored.append(day.toordinal() if day else 0)
        self._untrained()

    def take_residents(self, held: HeldResidents) -> None:
        """What read_residents reads, from rows not written yet (the same residents)."""
        self.resident_ids = held.ids
        self.registered = held.registered
        village_district = self.village_district
        self.resident_district = array(
            "b", (village_district[village_id] for village_id in held.villages)
        )
        self.mentored = held.mentored
        self._untrained()

    def _untrained(self) -> None:
        count = len(self.resident_ids)
        self.trained = bytearray(count)
        self.trained_on = array("l", bytes(count * array("l").itemsize))
        self.trained_in = array("l", bytes(count * array("l").itemsize))

    # --- Planning --------------------------------------------------------------

    def plan(self) -> None:
        count = len(self.resident_ids)
        if not count:
            return
        self.resident_bits = count.bit_length()
        self.day_bits = 16
        self._wish()
        self._classes()
        self._every_agency_runs_something()

    def _wish(self) -> None:
        """Each resident's wishes for a training: day and kecamatan."""
        random_ = self.rng.random
        count = len(self.resident_ids)
        registered, mentored = self.registered, self.mentored
        districts = self.resident_district
        district_count = len(self.districts)
        # Residents without Pendampingan want training with the probability that brings
        # the kota to about TRAINED_SHARE trained.
        share_mentored = sum(1 for day in mentored if day) / count
        want = (TRAINED_SHARE - share_mentored * MENTORED_TRAINED) / (
            max(1 - share_mentored, 1e-9) * OTHERS_TRAINED
        )
        want = min(max(want, 0.05), 1.0)
        first, last = bulk.DEMO_START.toordinal(), self.today + HORIZON
        base = self.first_day
        resident_bits = self.resident_bits
        day_shift = resident_bits
        group_shift = resident_bits + self.day_bits
        wishes = self.wishes
        append = wishes.append
        second_chance = SECOND_TRAINING
        for index in range(count):
            day = registered[index]
            mentored_on = mentored[index]
            if mentored_on:
                # Between registering and mentoring, mostly soon after registering.
                r = random_()
                day += int(max(mentored_on - day, 1) * r * r)
            elif random_() < want:
                r = random_()
                day += 3 + int(177 * r * r)  # after registering: mostly a few weeks
            else:
                continue
            if day < first:  # registered before the demo calendar begins
                day = first
            for _wish in range(2):
                if day > last:
                    break
                district = districts[index]
                if random_() >= OWN_KECAMATAN:
                    district = int(random_() * district_count)
                append((district << group_shift) | ((day - base) << day_shift) | index)
                if random_() >= second_chance[bool(mentored_on)]:
                    break
                day += 30 + int(335 * random_())  # a second training months later

        # Where a kecamatan's wishes would take too long to fill a class, kecamatan share.
        if wishes:
            days = max(last - max(first, min(registered)) + 1, 1)
            mean_size = 27
            pools = round(len(wishes) * POOL_SPAN / (days * mean_size))
            pools = min(max(pools, 1), district_count)
        else:
            pools = district_count
        self.pools = [
            [d for d in range(district_count) if d % pools == p] for p in range(pools)
        ]
        if pools < district_count:
            low = (1 << group_shift) - 1
            wishes[:] = [
                ((wish >> group_shift) % pools) << group_shift | (wish & low)
                for wish in wishes
            ]
        wishes.sort()

    def _classes(self) -> None:
        """Cut each group's wishes, in date order, into classes."""
        random_ = self.rng.random
        wishes = self.wishes
        total = len(wishes)
        resident_mask = (1 << self.resident_bits) - 1
        day_mask = (1 << self.day_bits) - 1
        day_shift = self.resident_bits
        group_shift = self.resident_bits + self.day_bits
        base, today = self.first_day, self.today
        calendar_start = bulk.DEMO_START.toordinal()
        registered, mentored = self.registered, self.mentored
        pools, lacks_lead = self.pools, self.lacks_lead
        agency_bag, capacities, durations = (
            self.agency_bag,
            self.capacities,
            self.durations,
        )
        programs = self.programs
        position = 0
        while position < total:
            group = wishes[position] >> group_shift
            pool = pools[group]
            district = pool[int(random_() * len(pool))]
            agency = agency_bag[int(random_() * len(agency_bag))]
            capacity = capacities[int(random_() * len(capacities))]
            low, high = FILL_WITHOUT_LEAD if (agency, district) in lacks_lead else FILL
            fill = low + (high - low) * random_()
            size = max(1, round(capacity * fill))
            first = position
            members: set[int] = set()
            day = latest_registration = 0
            earliest_mentoring = 1 << 30
            while position < total and len(members) < size:
                wish = wishes[position]
                if wish >> group_shift != group:
                    break
                resident = wish & resident_mask
                if resident in members:  # both of a resident's wishes in one class
                    wishes[position] = -1
                else:
                    members.add(resident)
                    day = (wish >> day_shift) & day_mask
                    if registered[resident] > latest_registration:
                        latest_registration = registered[resident]
                    mentoring = mentored[resident]
                    if base + day < mentoring < earliest_mentoring:
                        earliest_mentoring = mentoring
                position += 1
            if len(members) < size:  # the last of its group: fewer seats, not emptier
                capacity = min(max(20, math.ceil(len(members) / fill)), capacity)
            # The class starts with its last wish, but a week before any member's
            # mentoring if it can: never before a member registered (nor the calendar).
            earliest = max(latest_registration, calendar_start)
            start = max(min(base + day, earliest_mentoring - 7), earliest)
            if len(members) < size and start > today:
                # Not full and ahead: scheduled anywhere in the weeks to come, not all on
                # the horizon's last day.
                spread = today + 7 + int((HORIZON - 7) * random_())
                start = max(min(start, spread), earliest)
            weekday = (start - 1) % 7  # ordinal 1 was a Monday
            if weekday >= 5:  # to the Friday before, or else the Monday after
                friday = start - (weekday - 4)
                start = friday if friday >= earliest else start + 7 - weekday
            end = start + durations[int(random_() * len(durations))] - 1
            if end < today:
                status = CANCELLED if random_() < CANCELLED_PROGRAMS else DONE
            elif start <= today:
                status = RUNNING_
            elif start - today <= OPEN_WITHIN or random_() < 0.5:
                status = OPEN
            else:
                status = PLANNED
            programs.append(
                (start, end, group, first, position, district, agency, capacity, status)
            )
        # Ids and codes follow start dates.
        programs.sort()

    def _every_agency_runs_something(self) -> None:
        """Give a Sudin that drew no class one from the busiest Sudin (few residents)."""
        programs = self.programs
        if len(programs) < len(self.agencies):
            return
        per_agency: dict[int, list[int]] = {a: [] for a in range(len(self.agencies))}
        for number, program in enumerate(programs):
            per_agency[program[6]].append(number)
        for agency, numbers in per_agency.items():
            if numbers:
                continue
            busiest = max(per_agency.values(), key=len)
            number = busiest.pop(int(self.rng.random() * len(busiest)))
            numbers.append(number)
            program = list(programs[number])
            program[6] = agency
            programs[number] = tuple(program)

    # --- Rows ------------------------------------------------------------------

    def _timestamp(self, ordinal: int) -> str:
        return self.days.timestamp(ordinal, self.rng.random())

    def program_rows(self, first_id: int) -> list[tuple]:
        """Programme rows in PROGRAM_FIELDS order, with codes and titles; counts enrolments."""
        random_ = self.rng.random
        abbreviation = self.city.abbreviation
        prefixes = [f"{abbreviation}-{a.short_name.upper()}-" for a in self.agencies]
        highest = _highest_codes(abbreviation)
        batches: dict[tuple[int, str, int], int] = {}
        district_names = [d.name for d in self.districts]
        iso, first_day, null = self.iso, self.first_day, self.null
        wishes = self.wishes
        per_status = self.per_program_status
        rows = []
        for number, (
            start,
            end,
            _group,
            first,
            stop,
            district,
            agency,
            capacity,
            status,
        ) in enumerate(self.programs):
            year = int(iso[start - first_day][:4])
            prefix = f"{prefixes[agency]}{year}-"
            sequence = highest.get(prefix, 0) + 1
            highest[prefix] = sequence
            categories = self.category_bags[agency]
            category = categories[int(random_() * len(categories))]
            topics = TOPICS[category]
            topic = topics[int(random_() * len(topics))]
            batch = batches.get((agency, topic, year), 0) + 1
            batches[(agency, topic, year)] = batch
            created = max(start - 30 - int(45 * random_()), first_day)
            rows.append(
                (
                    first_id + number,
                    f"{prefix}{sequence:03d}",
                    f"Pelatihan {topic} Angkatan {batch}",
                    self.agencies[agency].pk,
                    category,
                    self.districts[district].pk,
                    self._venue(district_names[district], district),
                    iso[start - first_day],
                    iso[end - first_day],
                    capacity,
                    status,
                    null,
                    self._timestamp(min(created, self.today)),
                )
            )
            per_status[status] = per_status.get(status, 0) + 1
            self.enrollment_count += stop - first - wishes[first:stop].count(-1)
            self.program_facts.append((self.agencies[agency].pk, category))
        return rows

    def trained_count(self) -> int:
        """Residents with a trained enrolment (known once the enrolment rows are made)."""
        return self.trained.count(1)

    def trained_fields(self, resident: int) -> tuple | None:
        """The n-th resident's Pelatihan date, and the Sudin and category of the training
        that put them there (demo.residents.TRAINED_FIELDS), or None if not trained;
        known once the enrolment rows are made."""
        day = self.trained_on[resident]
        if not day:
            return None
        agency_id, category = self.program_facts[self.trained_in[resident]]
        return self.iso[day - self.first_day], agency_id, category

    def _venue(self, district_name: str, district: int) -> str:
        random_ = self.rng.random
        villages = self.villages[district] or [district_name]
        village = villages[int(random_() * len(villages))]
        kind = random_()
        if kind < 0.40:
            return f"Aula Kantor Kecamatan {district_name}"
        if kind < 0.60:
            return f"Aula Kantor Kelurahan {village}, Kecamatan {district_name}"
        if kind < 0.85:
            name = RPTRA_NAMES[int(random_() * len(RPTRA_NAMES))]
            return f"RPTRA {name}, Kelurahan {village}, Kecamatan {district_name}"
        rw = 1 + int(random_() * 12)
        return (
            f"Balai Warga RW {rw:03d}, Kelurahan {village}, Kecamatan {district_name}"
        )

    def enrollment_rows(self, first_program: int, first_id: int) -> Iterator[tuple]:
        """Enrolment rows in ENROLLMENT_FIELDS order, made as they are written.

        Enrolled within four weeks before the start (never before registering, never after
        today); statuses follow the training's dates. A training ahead has only the
        residents who already signed up: fewer the further ahead it starts.
        """
        random_ = self.rng.random
        wishes = self.wishes
        resident_mask = (1 << self.resident_bits) - 1
        ids, registered, mentored = (
            self.resident_ids,
            self.registered,
            self.mentored,
        )
        trained, trained_on, trained_in = self.trained, self.trained_on, self.trained_in
        iso, first_day, today, null = self.iso, self.first_day, self.today, self.null
        timestamp = self._timestamp
        ended_mentored, ended_others, running = (
            self.ended_mentored,
            self.ended_others,
            self.running,
        )
        per_status = self.per_enrollment_status
        enrollment_id = first_id
        for number, (start, end, _group, first, stop, *_rest, status) in enumerate(
            self.programs
        ):
            program_id = first_program + number
            ahead = start - today
            for wish in wishes[first:stop]:
                if wish < 0:
                    continue
                resident = wish & resident_mask
                if ahead > 0 and random_() * (HORIZON + 30) < ahead:
                    continue  # has not signed up yet
                r = random_()
                enrolled = max(registered[resident], start - int(29 * r * r))
                if enrolled > today:
                    enrolled = today
                if status == DONE:
                    mentored_on = mentored[resident]
                    bag = (
                        ended_mentored
                        if mentored_on and mentored_on > start
                        else ended_others
                    )
                    state = bag[int(random_() * len(bag))]
                    if state == "cancelled":
                        updated = enrolled + int((start - enrolled) * random_())
                    else:
                        updated = min(end + int(4 * random_()), today)
                elif status == CANCELLED:
                    state = "cancelled"
                    updated = enrolled + int((start - enrolled) * random_())
                elif status == RUNNING_:
                    state = running[int(random_() * len(running))]
                    if state == "attended":
                        updated = start + int((today - start + 1) * random_())
                    else:
                        updated = enrolled
                else:
                    state = "enrolled"
                    updated = enrolled
                if state in TRAINED:
                    trained[resident] = 1
                    # Pelatihan is the first hadir/lulus enrolment by date, then id
                    # (participants.stages); ids rise as rows are made, so on the same
                    # date the one made first stays.
                    if not trained_on[resident] or enrolled < trained_on[resident]:
                        trained_on[resident] = enrolled
                        trained_in[resident] = number
                per_status[state] = per_status.get(state, 0) + 1
                yield (
                    enrollment_id,
                    ids[resident],
                    program_id,
                    iso[enrolled - first_day],
                    state,
                    null,
                    timestamp(updated),
                )
                enrollment_id += 1


def _highest_codes(abbreviation: str) -> dict[str, int]:
    """The highest number in use per code prefix (KOTA-SUDIN-TAHUN-) of the kota."""
    highest: dict[str, int] = {}
    for code in Program.objects.filter(code__startswith=f"{abbreviation}-").values_list(
        "code", flat=True
    ):
        head, _dash, number = code.rpartition("-")
        if number.isdigit():
            prefix = f"{head}-"
            highest[prefix] = max(highest.get(prefix, 0), int(number))
    return highest
