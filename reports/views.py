import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from applications.selectors import applications_overdue
from jakpreneur.numbers import positive_int
from jakpreneur.semesters import Semester
from participants.models import Dimension, Stage
from programs.selectors import coverage_matrix
from wilayah.models import District

from .access import report_cities_for, report_city_for
from .breakdowns import KELURAHAN, breakdowns, counted_headline, village_semesters
from .cache import Page, render_parts
from .exports import progress_csv, progress_json, progress_xlsx
from .outreach_panel import outreach_of_district, outreach_panel, outreach_semester
from .selectors import percent_number, period_for, progress_report_current


def _period_id(request) -> int | None:
    """The period asked for (?periode=ID), or None for the kota's active one."""
    return positive_int(request.GET.get("periode"))


def _report(request, *, city=None):
    city = city or report_city_for(request.user, request.GET.get("kota"))
    period = period_for(city=city, period_id=_period_id(request))
    if period is None:
        raise Http404(_("Kota ini belum punya periode target."))
    return progress_report_current(period=period)


def _semester_range(request, report):
    """The semesters the user chose to look at (the whole period by default)."""
    return _period_range(request, report.period)


def _period_range(request, period):
    def parse(name, default):
        try:
            return Semester.parse(request.GET.get(name, ""))
        except ValueError:
            return default

    first = parse("dari", period.first_semester)
    last = parse("sampai", period.last_semester)
    if first > last:
        first, last = last, first
        messages.info(
            request,
            _("Semester 'dari' jatuh setelah 'sampai': ditampilkan %(first)s–%(last)s.")
            % {"first": first, "last": last},
        )
    # Only the period's semesters are counted against its target.
    first = min(max(first, period.first_semester), period.last_semester)
    last = max(min(last, period.last_semester), period.first_semester)
    return first, last


def _breakdown_titles():
    return [
        (KELURAHAN, _("Per kelurahan")),
        (Dimension.AGENCY.value, _("Per Suku Dinas (pelatihan yang pertama dihadiri)")),
        (Dimension.CATEGORY.value, _("Per kategori pelatihan")),
        (Dimension.GENDER.value, _("Per jenis kelamin")),
        (Dimension.AGE.value, _("Per kelompok usia (saat mencapai tahap)")),
        (Dimension.HEARD.value, _("Per sumber informasi (tahu Jakpreneur dari)")),
    ]


def _funnel_rows(area):
    return [(str(stage.label), area.funnel.get(stage.value, 0)) for stage in Stage]


def _chart_data(area, first, last, *, districts=()):
    """What the charts draw, in percent of target so that 800 against 160,000 still
    shows: each semester's achievement, the cumulative line, and (on the dashboard) each
    kecamatan against its target to date, worst first. Semesters to come are left out."""
    now = Semester.of(area.today)
    shown = [
        f for f in area.semesters if first <= f.semester <= last and f.semester <= now
    ]
    return {
        "labels": [str(f.semester) for f in shown],
        "percent": [percent_number(f.percent) for f in shown],
        "cumulativePercent": [percent_number(f.cumulative_percent) for f in shown],
        "funnelLabels": [str(stage.label) for stage in Stage],
        "funnel": [area.funnel.get(stage.value, 0) for stage in Stage],
        "districtLabels": [d.name for d in districts],
        "districtPercent": [percent_number(d.percent_to_date) or 0 for d in districts],
        "districtStatus": [d.status for d in districts],
    }


# What the dashboard caches (in its key too: a deploy that changes them reads no old entry).
DASHBOARD_PARTS = ("period", "title", "links", "overdue", "body", "scripts")


def dashboard(request):
    """The Sekretaris Kota's page: the kota against its target, kecamatan worst first.

    The figures (everything below the title, and the charts' data) are the same for every
    user who may read the kota: computed once per version of the kota's report inputs
    (reports.cache), day, language and choice of period and semesters, with the period
    they show; the page around them (menu, user, kota choice) is rendered for each user."""
    city, cities = report_cities_for(request.user, request.GET.get("kota"))
    today = timezone.localdate()
    choice = _dashboard_choice(request)
    page = (
        None
        if choice is None
        else Page(
            name="dashboard:" + ",".join(DASHBOARD_PARTS),
            city_id=city.pk,
            today=today,
            parts=(get_language(), *choice),
        )
    )
    figures = page.get() if page else None
    if not (isinstance(figures, dict) and figures.keys() >= set(DASHBOARD_PARTS)):
        # The kota and its period read once (they were read twice).
        period = period_for(city=city, period_id=_period_id(request))
        if period is None:
            if _period_id(request) is not None and period_for(city=city) is not None:
                raise Http404(_("Kota ini belum punya periode target."))
            return render(
                request,
                "reports/no_period.html",
                {"city": city, "cities": cities},
            )
        figures = _dashboard_figures(request, period=period, today=today)
        if page:
            page.set(figures)
    else:
        _period_range(request, figures["period"])  # its notice if the range was swapped
    return render(
        request,
        "reports/dashboard.html",
        {
            "city": city,
            "period": figures["period"],
            "cities": cities,
            # Our own renderings of the report, escaped as they were rendered.
            **{
                name: mark_safe(figures[name])  # noqa: S308
                for name in DASHBOARD_PARTS[1:]
            },
        },
    )


def _dashboard_choice(request) -> tuple[str, ...] | None:
    """What the user chose (period, semesters, kota as the filter form repeats it) as part
    of a cache key, or None for values that are not plain (those pages are computed, so
    that no request can fill the cache with variants)."""
    choice = []
    for name in ("dari", "sampai"):
        raw = request.GET.get(name, "")
        try:
            choice.append(str(Semester.parse(raw)) if raw else "")
        except ValueError:
            return None
    periode = request.GET.get("periode", "")
    if periode and str(_period_id(request)) != periode:
        return None
    # The kota as given: report_cities_for accepted it (a kota's code) or it is empty.
    return (*choice, periode, request.GET.get("kota", ""))


def _dashboard_figures(request, *, period, today) -> dict:
    """The dashboard's figures rendered, and their period: nothing depends on the user."""
    first, last = _period_range(request, period)
    report = progress_report_current(period=period, today=today)
    area = report.city_progress
    districts = list(District.objects.filter(city=report.city))  # read once, for all
    coverage = _coverage(city=report.city, districts=districts, today=today)
    gaps = coverage["gaps"]
    context = {
        "report": report,
        "area": area,
        "shown": [f for f in area.semesters if first <= f.semester <= last],
        "first": first,
        "last": last,
        "chart": _chart_data(area, first, last, districts=report.worst_first),
        "funnel_rows": _funnel_rows(area),
        "coverage_table": coverage["table"],
        "gaps": gaps,
        "semesters": report.period.semester_list,
        # No resident at any stage in the period: say so instead of judging zeros.
        "nothing_recorded": not any(area.funnel.values()),
        "stage_label": Stage(period.stage).label,
        # Issue 13: outreach per kecamatan in the last semester shown (at most today's).
        "outreach": outreach_panel(
            city=report.city,
            districts=districts,
            semester=outreach_semester(last=last, today=today),
            gaps=gaps,
        ),
        # Issue 13: kecamatan with online applications waiting over 14 days (by whole
        # days, so the day in the cache key holds; every decision bumps the kota).
        "overdue_applications": applications_overdue(city=report.city, today=today),
    }
    return {"period": period} | render_parts(
        request,
        {
            "title": "reports/_dashboard_title.html",
            "links": "reports/_dashboard_links.html",
            "overdue": "applications/_overdue.html",
            "body": "reports/_dashboard_figures.html",
            "scripts": "reports/_chart_scripts.html",
        },
        context,
    )


def _coverage(*, city, districts, today) -> dict:
    """The kota's field-lead coverage: the table rendered, and per kecamatan the Sudin
    without a lead there. It shows reference data only, so it is cached under the
    reference version alone: the registrations that recompute the figures leave it."""
    page = Page(
        name="coverage",
        city_id=city.pk,
        today=today,
        parts=(get_language(),),
        reference_only=True,
    )
    found = page.get()
    if found is None:
        rows = coverage_matrix(city=city, districts=districts)
        found = {
            "gaps": {
                district.code: [
                    row.agency.short_name
                    for row in rows
                    if dict(row.cells).get(district) is None
                ]
                for district in districts
            },
            "table": render_to_string(
                "programs/_coverage_table.html", {"coverage": rows}
            ),
        }
        page.set(found)
    return found


# What each cached report page stores (in its key too, like DASHBOARD_PARTS).
DISTRICT_PARTS = ("period", "title", "body", "scripts")
BREAKDOWN_PARTS = ("period", "title", "body")
PRINT_PARTS = ("title", "heading", "current_semester", "body")
EXPORT_PARTS = ("name", "body")


def _served(request, *, name: str, parts: tuple, city, today, extra=(), compute):
    """A report page's parts from the shared cache (reports.cache) while the kota's report
    inputs, the day, the language and the user's validated choice are the same; else
    `compute()` (which may raise Http404) and keep its parts. The kota was checked by the
    access policy before: the key holds it, so a part is only served for that kota."""
    choice = _dashboard_choice(request)
    page = (
        None
        if choice is None  # odd values: computed, never cached
        else Page(
            name=f"{name}:" + ",".join(parts),
            city_id=city.pk,
            today=today,
            parts=(get_language(), *choice, *extra),
        )
    )
    stored = page.get() if page else None
    if isinstance(stored, dict) and stored.keys() >= set(parts):
        if "period" in stored:
            _period_range(
                request, stored["period"]
            )  # its notice if the range was swapped
        return stored
    value = compute()
    if page:
        page.set(value)
    return value


def _safe(parts: dict, names) -> dict:
    # Our own renderings of the report, escaped as they were rendered.
    return {name: mark_safe(parts[name]) for name in names}  # noqa: S308


def district_detail(request, code):
    """One kecamatan: the same figures, its kelurahan and who its residents are."""
    city = report_city_for(request.user, request.GET.get("kota"))
    parts = _served(
        request,
        name="district",
        parts=DISTRICT_PARTS,
        city=city,
        today=timezone.localdate(),
        extra=(code,),
        compute=lambda: _district_parts(request, city=city, code=code),
    )
    return render(request, "reports/district.html", _safe(parts, DISTRICT_PARTS[1:]))


def _district_parts(request, *, city, code) -> dict:
    report = _report(request, city=city)
    area = next((a for a in report.districts if a.code == code), None)
    if area is None:
        raise Http404
    district = get_object_or_404(District, code=code, city=report.city)
    first, last = _semester_range(request, report)
    stage = report.period.stage
    shown = [s for s in report.period.semester_list if first <= s <= last]
    context = {
        "report": report,
        "area": area,
        "district": district,
        "shown": [f for f in area.semesters if first <= f.semester <= last],
        "first": first,
        "last": last,
        "chart": _chart_data(area, first, last),
        "funnel_rows": _funnel_rows(area),
        "breakdowns": breakdowns(
            districts=[district], stage=stage, first=first, last=last
        ),
        "breakdown_titles": _breakdown_titles(),
        "headline": counted_headline(
            districts=[district], stage=stage, first=first, last=last
        ),
        "shown_semesters": shown,
        "village_rows": village_semesters(
            district=district, stage=stage, semesters=shown
        ),
        "semesters": report.period.semester_list,
        "stage_label": Stage(stage).label,
        # Issue 13: the kecamatan's outreach activities of the panel's semester.
        **outreach_of_district(district=district, last=last, today=report.today),
    }
    return {"period": report.period} | render_parts(
        request,
        {
            "title": "reports/_district_title.html",
            "body": "reports/_district_body.html",
            "scripts": "reports/_chart_scripts.html",
        },
        context,
    )


def city_breakdowns(request):
    """The kota's counted residents by kelurahan, Sudin, category, gender and age band."""
    city = report_city_for(request.user, request.GET.get("kota"))
    parts = _served(
        request,
        name="breakdowns",
        parts=BREAKDOWN_PARTS,
        city=city,
        today=timezone.localdate(),
        compute=lambda: _breakdown_parts(request, city=city),
    )
    return render(request, "reports/breakdowns.html", _safe(parts, BREAKDOWN_PARTS[1:]))


def _breakdown_parts(request, *, city) -> dict:
    report = _report(request, city=city)
    first, last = _semester_range(request, report)
    districts = list(District.objects.filter(city=report.city))
    stage = report.period.stage
    split = breakdowns(districts=districts, stage=stage, first=first, last=last)
    agency_targets = {
        t.agency.short_name: t.total
        for t in report.period.agency_targets.select_related("agency")
    }
    context = {
        "report": report,
        "breakdowns": split,
        "breakdown_titles": _breakdown_titles(),
        "headline": counted_headline(
            districts=districts, stage=stage, first=first, last=last
        ),
        "agency_targets": [
            (name, counted, agency_targets[name])
            for name, counted in split[Dimension.AGENCY]
            if name in agency_targets
        ],
        "first": first,
        "last": last,
        "semesters": report.period.semester_list,
    }
    return {"period": report.period} | render_parts(
        request,
        {
            "title": "reports/_breakdowns_title.html",
            "body": "reports/_breakdowns_body.html",
        },
        context,
    )


def print_report(request):
    """One A4 page for the Sekretaris Kota's office (the time of printing its own)."""
    city = report_city_for(request.user, request.GET.get("kota"))
    parts = _served(
        request,
        name="print",
        parts=PRINT_PARTS,
        city=city,
        today=timezone.localdate(),
        compute=lambda: _print_parts(request, city=city),
    )
    return render(
        request,
        "reports/print.html",
        {
            **_safe(parts, ("title", "body")),
            "heading": parts["heading"],
            "current_semester": parts["current_semester"],
            "printed": timezone.localtime(),
        },
    )


def _print_parts(request, *, city) -> dict:
    report = _report(request, city=city)
    area = report.city_progress
    context = {"report": report, "area": area}
    return {
        "heading": f"{report.city.name} · {report.period}",
        "current_semester": str(area.current.semester) if area.current else "",
    } | render_parts(
        request,
        {"title": "reports/_print_title.html", "body": "reports/_print_body.html"},
        context,
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def export(request, fmt):
    """The progress table as a file; its bytes cached like the pages (the same figures)."""
    city = report_city_for(request.user, request.GET.get("kota"))
    parts = _served(
        request,
        name="export",
        parts=EXPORT_PARTS,
        city=city,
        today=timezone.localdate(),
        extra=(fmt,),
        compute=lambda: _export_parts(request, city=city, fmt=fmt),
    )
    response = HttpResponse(parts["body"], content_type=EXPORT_TYPES[fmt])
    if fmt != "json":
        response["Content-Disposition"] = f'attachment; filename="{parts["name"]}"'
    return response


def _export_parts(request, *, city, fmt) -> dict:
    report = _report(request, city=city)
    period = report.period
    name = f"capaian-{report.city.code}-{period.first_semester}-{period.last_semester}"
    if fmt == "csv":
        body = progress_csv(report).encode()
    elif fmt == "xlsx":
        body = progress_xlsx(report)
    else:
        body = json.dumps(
            progress_json(report), cls=DjangoJSONEncoder, ensure_ascii=False
        ).encode()
    return {"name": f"{name}.{fmt}", "body": body}
