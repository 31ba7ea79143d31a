"""Demo outreach (sosialisasi) activities for `seed_demo` (issue 13).

Each kecamatan of the kota gets a few activities per semester from DEMO_START to today:
face-to-face sessions at the kantor kecamatan or kelurahan, bazaars, social media posts and
home visits, by the kecamatan's offices or by a Sudin with a field lead there (a Sudin
without one cannot get word out there: Parekraf in Jakarta Barat). In the current semester
a quarter of the kecamatan have had none yet, so the dashboard's flag shows.

A few hundred rows: written with bulk_create after each row's own checks (full_clean),
no history rows, and the kota's dashboard is told its inputs changed. Deterministic from
the seed; idempotent per kota (nothing is added if it has any activity).
"""

import random
from datetime import date, timedelta

from django.db import transaction

from jakpreneur.semesters import Semester
from outreach.models import OutreachActivity
from programs.models import FieldLead
from reports.cache import report_inputs_changed
from wilayah.models import District

from . import bulk

Kind, Office = OutreachActivity.Kind, OutreachActivity.Office
# (kind, weight, people reached: low, high)
KINDS = [
    (Kind.FACE_TO_FACE, 5, (20, 120)),
    (Kind.BAZAAR, 2, (80, 600)),
    (Kind.SOCIAL_MEDIA, 2, (150, 2500)),
    (Kind.HOME_VISIT, 2, (5, 40)),
    (Kind.OTHER, 1, (10, 80)),
]
PER_SEMESTER = (2, 6)  # activities per kecamatan and semester
NONE_YET_SHARE = 0.25  # of kecamatan without any in the current semester
NOTES = {
    Kind.FACE_TO_FACE: "Sosialisasi program Jakpreneur dan cara mendaftar",
    Kind.BAZAAR: "Stan Jakpreneur di bazar UMKM",
    Kind.SOCIAL_MEDIA: "Unggahan info pendaftaran di akun resmi",
    Kind.HOME_VISIT: "Kunjungan ke rumah pelaku usaha mikro",
    Kind.OTHER: "Pengumuman di pengajian dan arisan warga",
}


@transaction.atomic
def demo_outreach(
    *, seed: int, city_code: str = "31.73", today: date | None = None
) -> int:
    """Add the demo activities of a kota; the number added (0 if it had any)."""
    city, today = bulk.kota_and_today(city_code=city_code, today=today)
    if OutreachActivity.objects.filter(district__city=city).exists():
        return 0
    rng = random.Random(seed)
    districts = list(
        District.objects.filter(city=city).prefetch_related("villages").order_by("code")
    )
    leads: dict[int, list] = {}
    for lead in FieldLead.objects.filter(
        active=True, district__in=districts
    ).select_related("agency"):
        leads.setdefault(lead.district_id, []).append(lead.agency)
    quiet = set(
        rng.sample(
            [d.pk for d in districts], max(1, round(len(districts) * NONE_YET_SHARE))
        )
    )
    current = Semester.of(today)
    kinds = [k for k, _w, _r in KINDS]
    weights = [w for _k, w, _r in KINDS]
    reach = {k: r for k, _w, r in KINDS}
    rows = []
    semester = Semester.of(bulk.DEMO_START)
    while semester <= current:
        last_day = min(semester.end, today)
        span = (last_day - semester.start).days
        for district in districts:
            if semester == current and district.pk in quiet:
                continue
            villages = list(district.villages.all())
            for _n in range(rng.randint(*PER_SEMESTER)):
                kind = rng.choices(kinds, weights)[0]
                held_on = semester.start + timedelta(days=rng.randint(0, span))
                village = rng.choice(villages) if rng.random() < 0.5 else None
                agencies = leads.get(district.pk, [])
                organiser = rng.random()
                fields = {}
                if agencies and organiser < 0.4:
                    fields["agency"] = rng.choice(agencies)
                elif village is not None and organiser < 0.8:
                    fields["office"] = Office.KELURAHAN
                else:
                    fields["office"] = Office.KECAMATAN
                low, high = reach[kind]
                activity = OutreachActivity(
                    held_on=held_on,
                    district=district,
                    village=village,
                    kind=kind,
                    people_reached=rng.randint(low, high),
                    notes=NOTES[kind],
                    **fields,
                )
                activity.full_clean()
                rows.append(activity)
        semester += 1
    OutreachActivity.objects.bulk_create(rows)
    report_inputs_changed(city_ids=[city.pk])
    return len(rows)
