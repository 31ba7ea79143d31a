"""The public pages: no login, Bahasa Indonesia first, small and cached.

Each page's body is rendered once and kept in the shared cache (reports.cache.Page): keyed
by the day and the language, and stored with the versions of what it shows, so that a
registration, an enrolment, a new training or an edited contact shows on the next load.
The page around the body (the language switch with its CSRF token) is rendered per request.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from participants.models import Stage
from reports.cache import Page
from wilayah.models import City

from .selectors import city_overviews, district_page, public_district

# Bump when a template changes what the cached body holds.
BODY_VERSION = 2


def _cached_body(request, page: Page, template: str, context) -> str:
    body = page.get()
    if not isinstance(body, str):
        body = render_to_string(template, context(), request=None)
        page.set(body)
    return mark_safe(body)  # noqa: S308 - our own template's output


def _respond(request, template: str, context: dict):
    response = render(request, template, context)
    # Browsers ask again each time (seats and counts change on the next load); the body is
    # served from the shared cache. Not "public, max-age": the page carries the visitor's
    # own CSRF token (language switch) and would hide a change for max-age seconds.
    patch_cache_control(response, no_cache=True)
    return response


@login_not_required
@require_safe
def index(request):
    today = timezone.localdate()
    city_ids = list(City.objects.order_by("code").values_list("pk", flat=True))
    page = Page(
        name=f"public:index:{BODY_VERSION}",
        city_ids=city_ids,
        today=today,
        parts=(get_language(),),
    )
    body = _cached_body(
        request,
        page,
        "public/_index_body.html",
        lambda: {"cities": city_overviews(today=today), "stages": list(Stage)},
    )
    return _respond(request, "public/index.html", {"body": body})


@login_not_required
@require_safe
def district(request, slug: str):
    found = public_district(slug=slug)
    if found is None:
        raise Http404(_("Kecamatan tidak ditemukan."))
    today = timezone.localdate()
    page = Page(
        name=f"public:district:{BODY_VERSION}",
        city_id=found.city_id,
        today=today,
        parts=(found.pk, get_language()),
        programs=True,
    )
    body = _cached_body(
        request,
        page,
        "public/_district_body.html",
        lambda: {"page": district_page(district=found, today=today)},
    )
    return _respond(request, "public/district.html", {"body": body, "district": found})
