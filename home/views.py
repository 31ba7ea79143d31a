"""Each role's home page: what that person needs to see first, gathered from the apps.

Progress figures come from reports.selectors (the dashboard's own report and counters);
lists of residents from participants.selectors, scoped by the access policy.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from accounts.access import role_of, role_required
from accounts.models import Role
from applications.selectors import QueueCounts, queue_counts
from jakpreneur.semesters import Semester
from participants.models import Stage
from participants.selectors import (
    count_capped,
    residents_visible_to,
    residents_waiting_for,
)
from programs.models import Agency
from programs.selectors import (
    agency_semester_programs,
    agency_semester_totals,
    coverage_matrix,
    programs_open_in,
)
from reports.breakdowns import village_semesters
from reports.cache import Page, render_parts
from reports.selectors import agency_target_progress, home_figures
from wilayah.models import District, Village

HOME_OF_ROLE = {
    Role.KELURAHAN: "home:kelurahan",
    Role.KECAMATAN: "home:kecamatan",
    Role.SUDIN: "home:sudin",
    Role.PIMPINAN: "reports:dashboard",
    Role.ADMIN: "admin:index",
}
# Who waits for which stage on a desk's home page (DOMAIN: the next stage after the last).
WAITING_FOR = [Stage.PELATIHAN, Stage.PENDAMPINGAN]
OPEN_PROGRAMS_SHOWN = 10
# The Sudin home's table of the semester's trainings; the programme list has them all.
SUDIN_PROGRAMS_SHOWN = 25
# In the cache keys of the rendered parts: a deploy that changes a template reads no old
# entry.
PARTS_VERSION = 1


def home(request):
    """Send each user to their role's home page."""
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied
    return redirect(HOME_OF_ROLE[role])


def _desk_context(request, *, district, village=None) -> dict:
    """What both desks see: progress, who waits for the next stage, open trainings."""
    today = timezone.localdate()
    return {
        "district": district,
        "village": village,
        **_desk_counted(request, district=district, village=village, today=today),
        "desk_programs": _desk_programs(district=district, today=today),
        "queue_counts": _desk_queue(
            request, district=district, village=village, today=today
        ),
    }


def _desk_queue(request, *, district, village, today) -> QueueCounts:
    """Online applications waiting for this desk (issue 13): from the report cache under
    the kota's applications version (every Application save or delete bumps it, so an
    application received or decided shows on the next load), keyed by day (overdue counts
    whole days) and the desk's area, which is the area whose applications the role keeps
    (accounts.access.villages_kept_by)."""
    page = Page(
        name=f"desk-queue:{PARTS_VERSION}",
        city_id=district.city_id,
        today=today,
        parts=(district.pk, village.pk if village else ""),
        applications=True,
    )
    stored = page.get()
    if isinstance(stored, QueueCounts):
        return stored
    counts = queue_counts(user=request.user, today=today)
    page.set(counts)
    return counts


def _desk_programs(*, district, today) -> str:
    """The kecamatan's soonest open trainings with their seats left, rendered: from the
    report cache while the kota's programmes are unchanged (every Program or Enrollment
    write bumps them, so a seat taken or a new training shows on the next load), keyed by
    day (trainings open and close by date), language and kecamatan. The same for both
    desks of a kecamatan: it shows nothing of the user."""
    page = Page(
        name=f"desk-programs:{PARTS_VERSION}",
        city_id=district.city_id,
        today=today,
        parts=(get_language(), district.pk),
        programs=True,
    )
    stored = page.get()
    if isinstance(stored, str):
        return mark_safe(stored)  # noqa: S308 - our own rendering
    # The soonest few: in a busy kecamatan hundreds are open at once, and the programme
    # list (linked below them) is where a clerk browses all of them.
    open_programs = list(
        programs_open_in(district=district, today=today, limit=OPEN_PROGRAMS_SHOWN + 1)
    )
    more_programs = len(open_programs) > OPEN_PROGRAMS_SHOWN
    del open_programs[OPEN_PROGRAMS_SHOWN:]
    for program in open_programs:
        program.seats_left = max(program.capacity - program.seats_taken, 0)
    html = render_to_string(
        "home/_desk_programs.html",
        {
            "district": district,
            "open_programs": open_programs,
            "more_programs": more_programs,
        },
    )
    page.set(html)
    return mark_safe(html)  # noqa: S308


# What a desk keeps in the report cache, rendered (in its key too: a deploy that changes
# them reads no old entry).
DESK_PARTS = {
    "cards": "home/_desk_cards.html",
    "columns": "home/_desk_columns.html",
    "coverage": "programs/_coverage_table.html",
    "villages": "home/_desk_villages.html",
}


def _desk_counted(request, *, district, village, today) -> dict:
    """The desk's parts that only the counters, the residents' stage dates and the report's
    reference data move, rendered: from the report cache (reports.cache) while the kota's
    inputs are unchanged, keyed by the desk's own area (the role's home: a kelurahan clerk
    sees their kelurahan, a kecamatan clerk their kecamatan) and the language. Every write
    that changes a resident's stage dates, voidness or kelurahan moves the counters and so
    bumps the kota; a seat taken moves none, so the open trainings are kept under the
    kota's programmes version instead (_desk_programs)."""
    page = Page(
        name="desk:" + ",".join(DESK_PARTS),
        city_id=district.city_id,
        today=today,
        parts=(get_language(), district.pk, village.pk if village else ""),
    )
    stored = page.get()
    if isinstance(stored, dict) and stored.keys() >= set(DESK_PARTS):
        return {"desk": _safe(stored)}
    residents = residents_visible_to(user=request.user)
    waiting = []
    for stage in WAITING_FOR:
        count, more = count_capped(residents_waiting_for(residents, stage))
        waiting.append({"stage": stage, "count": count, "more": more})
    figures = home_figures(district=district, village=village, today=today)
    context = {
        "district": district,
        "village": village,
        "figures": figures,
        "waiting": waiting,
        "stages": list(Stage),
        "coverage": coverage_matrix(city=district.city, districts=[district]),
        "village_rows": None if village else _village_rows(district, figures),
    }
    parts = render_parts(
        request,
        {
            name: template
            for name, template in DESK_PARTS.items()
            if name != "villages" or not village
        },
        context,
    )
    parts.setdefault("villages", "")
    page.set(parts)
    return {"desk": _safe(parts)}


def _safe(parts: dict) -> dict:
    # Our own renderings, escaped as they were rendered.
    return {name: mark_safe(html) for name, html in parts.items()}  # noqa: S308


def _village_rows(district, figures) -> list[tuple]:
    """The kecamatan desk's kelurahan: (kelurahan, this semester, the period)."""
    if not figures:
        return [(v, 0, 0) for v in district.villages.order_by("name")]
    semesters = figures.period.semester_list
    rows = village_semesters(
        district=district, stage=figures.period.stage, semesters=semesters
    )
    now = semesters.index(figures.semester) if figures.semester in semesters else None
    return [
        (row.village, row.counts[now] if now is not None else 0, row.total)
        for row in rows
    ]


@role_required(Role.KELURAHAN)
def home_kelurahan(request):
    village = _scope(request, "village")
    context = _desk_context(request, district=village.district, village=village)
    return render(request, "home/kelurahan.html", context)


@role_required(Role.KECAMATAN)
def home_kecamatan(request):
    district = _scope(request, "district")
    context = _desk_context(request, district=district)
    return render(request, "home/kecamatan.html", context)


# What a Sudin's home keeps in the report cache, rendered, by what moves it.
SUDIN_PROGRAM_PARTS = {
    "cards": "home/_sudin_program_cards.html",
    "table": "home/_sudin_programs.html",
}
SUDIN_COUNTED_PARTS = {
    "target": "home/_sudin_target.html",
    "coverage": "home/_sudin_coverage.html",
}


@role_required(Role.SUDIN)
def home_sudin(request):
    agency = _scope(request, "agency")
    today = timezone.localdate()
    parts = (get_language(), agency.pk)
    # Its trainings, seats and attendance still to record: under the kota's programmes
    # version (every Program or Enrollment write), keyed by day (a training that started
    # today waits for its attendance).
    programs = _cached_parts(
        Page(
            name=f"sudin-programs:{PARTS_VERSION}:" + ",".join(SUDIN_PROGRAM_PARTS),
            city_id=agency.city_id,
            today=today,
            parts=parts,
            programs=True,
        ),
        SUDIN_PROGRAM_PARTS,
        lambda: _sudin_programs(agency=agency, today=today),
    )
    # Its target (the period, its AgencyTarget and the counters by Sudin of the kota's
    # kelurahan) and its field leads per kecamatan: under the kota's report version, which
    # the counters, targets, Sudin, field leads and places bump; an enrolment does not.
    counted = _cached_parts(
        Page(
            name=f"sudin-counted:{PARTS_VERSION}:" + ",".join(SUDIN_COUNTED_PARTS),
            city_id=agency.city_id,
            today=today,
            parts=parts,
        ),
        SUDIN_COUNTED_PARTS,
        lambda: {
            "row": coverage_matrix(city=agency.city, agencies=[agency])[0],
            "target": agency_target_progress(agency=agency, today=today),
        },
    )
    return render(
        request,
        "home/sudin.html",
        {"agency": agency, "programs": programs, "counted": counted},
    )


def _sudin_programs(*, agency, today) -> dict:
    """The Sudin's trainings of the semester: the totals of all of them, and the first
    SUDIN_PROGRAMS_SHOWN rows (attendance to record first), with a link to the rest."""
    semester = Semester.of(today)
    programs = agency_semester_programs(agency=agency, semester=semester, today=today)
    totals = agency_semester_totals(agency=agency, semester=semester, today=today)
    return {
        "semester": semester,
        "programs": list(programs[:SUDIN_PROGRAMS_SHOWN]),
        "program_count": totals["programs"],
        "seats_taken": totals["seats_taken"],
        "capacity": totals["capacity"],
        "attendance_pending": totals["attendance_pending"],
        "all_url": reverse("programs:list")
        + "?"
        + urlencode({"agency": agency.pk, "semester": str(semester)}),
    }


def _cached_parts(page: Page, templates: dict[str, str], context) -> dict:
    """Rendered parts from the report cache while their versions hold, else rendered from
    context() and stored. Rendered without the request: nothing of the user is kept."""
    stored = page.get()
    if isinstance(stored, dict) and stored.keys() >= set(templates):
        return _safe(stored)
    values = context()
    rendered = {
        name: render_to_string(template, values) for name, template in templates.items()
    }
    page.set(rendered)
    return _safe(rendered)


def _scope(request, field: str):
    """The place or agency of the signed-in staff member; admins have none to show.

    A kelurahan comes with its kecamatan and kota, a kecamatan and a Sudin with their kota
    (one read: the page shows all of them)."""
    profile = getattr(request.user, "staff", None)
    scope_id = getattr(profile, f"{field}_id", None) if profile else None
    if scope_id is None:
        # An admin visiting another role's home: there is no scope to show.
        raise PermissionDenied
    if field == "village":
        return Village.objects.select_related("district__city").get(pk=scope_id)
    if field == "district":
        return District.objects.select_related("city").get(pk=scope_id)
    return Agency.objects.select_related("city").get(pk=scope_id)
