"""The one place that says when a kota's report inputs changed, and the cache keyed by it.

A report shows the counters (`participants.counting`), the targets (this app) and the
coverage of field leads (`programs`). Each kota has a *version* of those inputs in the shared
cache (Redis at CACHE_URL in production, so every worker sees the same one); a cached page
part is stored with the versions it was computed from, read with them in one round trip, and
never served once a write changed what it shows:

- counters: `participants.counting` tells its listeners which kelurahan moved, after the
  write commits; `counts_listen` (registered in ReportsConfig.ready) bumps their kota;
- targets, periods, Sudin, field leads and places: saved or deleted through the ORM (admin,
  services, imports) they bump every kota (rare writes), see `REFERENCE_MODELS`;
- trainings and enrolments (what the public pages show: open trainings, seats left): each
  kota also has a *programmes* version, bumped after the commit of a save or delete of a
  Program or Enrollment of that kota (`programs_changed`; imports, which insert enrolments in
  bulk without signals, call it themselves). Only pages built with `programs=True` read it,
  so an enrolment does not recompute the dashboard.
- outreach activities (the dashboard's outreach panel) bump their own kota.
- online applications (the desks' queue counts): each kota also has an *applications*
  version, bumped after the commit of a save or delete of an Application of that kota
  (`applications_changed`). Only pages built with `applications=True` read it, so a
  resident applying online does not recompute any report.

A version is a random token, not a counter: a version evicted from the cache comes back as
a new token, never as an old one that an old page was stored with. If the cache cannot be
read, or is not shared by the workers (settings.REPORTS_CACHE off, the default for the
in-memory cache), the page is computed as without it. Nothing expires by
time for correctness; cached pages have a timeout only so that dead keys go away.
"""

import logging
import uuid
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

ALL_CITIES = "reports:inputs:all"
PAGE_TIMEOUT = 24 * 60 * 60  # dead keys go away; the key holds the day anyway


def _city_key(city_id: int) -> str:
    return f"reports:inputs:city:{city_id}"


def _programs_key(city_id: int) -> str:
    return f"reports:programs:city:{city_id}"


def _applications_key(city_id: int) -> str:
    return f"reports:applications:city:{city_id}"


def _bump(keys: list[str]) -> None:
    try:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)
    except Exception:  # noqa: BLE001 - a cache down must not fail the write...
        logger.exception("Report cache version not bumped: %s", keys)
        # ...nor leave stale pages: try to drop the versions so the pages go unused.
        try:
            cache.delete_many(keys)
        except Exception:  # noqa: BLE001
            logger.exception("Report cache versions not dropped either")


def report_inputs_changed(*, city_ids=None) -> None:
    """What a kota's report shows changed (every kota's with no ids): after the current
    transaction commits, no page cached before is served again."""
    keys = [ALL_CITIES] if city_ids is None else [_city_key(i) for i in city_ids]
    if keys:
        transaction.on_commit(lambda: _bump(keys), robust=True)


def counts_listen(village_ids) -> None:
    """participants.counting's listener (it runs after the commit): bump the kota of the
    kelurahan whose counters moved, every kota if all were recounted."""
    if village_ids is None:
        _bump([ALL_CITIES])
        return
    if not village_ids:
        return
    _bump([_city_key(city_id) for city_id in _cities_of_villages(village_ids)])


def _cities_of_villages(village_ids) -> set[int]:
    """The kota of these kelurahan (from the map kept in memory, read again when one of them
    is missing: a kelurahan added since it was read)."""
    cities = _city_of_village()
    if any(pk not in cities for pk in village_ids):
        cities = _city_of_village(fresh=True)
    return {cities[pk] for pk in village_ids if pk in cities}


def programs_changed(*, agency_ids=(), program_ids=()) -> None:
    """Trainings or enrolments of these Sudin (or trainings) changed: after the commit,
    bump their kota's programmes version (the public pages' open trainings, seats left)."""
    agency_ids, program_ids = set(agency_ids), set(program_ids)
    if agency_ids or program_ids:
        transaction.on_commit(
            lambda: _bump_programs(agency_ids, program_ids), robust=True
        )


def _bump_programs(agency_ids: set, program_ids: set) -> None:
    if program_ids:  # read after the commit, so that a write pays no query for it
        from programs.models import Program

        agency_ids |= set(
            Program.objects.filter(pk__in=program_ids).values_list(
                "agency_id", flat=True
            )
        )
    cities = _city_of_agency()
    if any(
        pk not in cities for pk in agency_ids
    ):  # a Sudin added since the map was read
        cities = _city_of_agency(fresh=True)
    _bump([_programs_key(cities[pk]) for pk in agency_ids if pk in cities])


def applications_changed(*, village_ids) -> None:
    """Online applications to these kelurahan were received, decided or deleted: after
    the commit, bump their kota's applications version (the desks' queue counts)."""
    village_ids = set(village_ids)
    if village_ids:
        transaction.on_commit(lambda: _bump_applications(village_ids), robust=True)


def _bump_applications(village_ids: set) -> None:
    _bump([_applications_key(c) for c in _cities_of_villages(village_ids)])


_CITIES: dict[int, int] = {}
_AGENCY_CITIES: dict[int, int] = {}


def _city_of_agency(*, fresh: bool = False) -> dict[int, int]:
    """Sudin id -> kota id, read once per process after a commit (never inside a write)."""
    if fresh or not _AGENCY_CITIES:
        from programs.models import Agency

        _AGENCY_CITIES.clear()
        _AGENCY_CITIES.update(Agency.objects.values_list("pk", "city_id"))
    return _AGENCY_CITIES


def _city_of_village(*, fresh: bool = False) -> dict[int, int]:
    """Kelurahan id -> kota id, read once per process (267 rows), so that a registration
    does not ask the database again after its commit. Places are reference data: a change
    to one clears this process's map (`_reference_changed`) and bumps every kota."""
    if fresh or not _CITIES:
        from wilayah.models import Village

        _CITIES.clear()
        _CITIES.update(Village.objects.values_list("pk", "district__city_id"))
    return _CITIES


class Page:
    """A cached page part of a kota (or of several: city_ids), read in one round trip to
    the cache: the kotas' versions and the part, stored with the versions it was computed
    from. A part stored under other versions than the current ones is not served (a write
    came between). With programs=True the kotas' programmes versions count too, with
    applications=True their applications versions. With reference_only=True only the
    reference version counts: for a part that shows nothing but REFERENCE_MODELS (the
    field-lead coverage), so that a registration does not recompute it."""

    def __init__(
        self,
        *,
        name: str,
        today: date,
        parts,
        city_id: int | None = None,
        city_ids=(),
        programs: bool = False,
        applications: bool = False,
        reference_only: bool = False,
    ):
        cities = ([] if city_id is None else [city_id]) + list(city_ids)
        raw = ":".join(
            str(p)
            for p in (
                name,
                *cities,
                today.isoformat(),
                *parts,
                programs or "",
                applications or "",
                reference_only or "",
            )
        )
        self.key = f"reports:page:{uuid.uuid5(uuid.NAMESPACE_URL, raw).hex}"
        self.reference_only = reference_only
        self.version_keys = [ALL_CITIES]
        if not reference_only:
            self.version_keys += [_city_key(c) for c in cities]
        if programs:
            self.version_keys += [_programs_key(c) for c in cities]
        if applications:
            self.version_keys += [_applications_key(c) for c in cities]
        self.versions = None

    def get(self):
        """The part if it was computed from the current inputs, else None."""
        if not settings.REPORTS_CACHE:  # no shared cache: every load computes
            return None
        try:
            found = cache.get_many([*self.version_keys, self.key])
            versions = [found.get(key) for key in self.version_keys]
            if None in versions:
                # add(): two workers making a missing version agree on the first one.
                for key in self.version_keys:
                    if found.get(key) is None:
                        cache.add(key, uuid.uuid4().hex, None)
                found = cache.get_many(self.version_keys)
                versions = [found.get(key) for key in self.version_keys]
                if None in versions:
                    return None
        except Exception:  # noqa: BLE001 - no cache: compute the page
            logger.warning("Report cache unavailable", exc_info=True)
            return None
        # Read before the part is computed: a write committed meanwhile bumps them.
        self.versions = versions
        stored = found.get(self.key)
        if stored is not None and stored[0] == versions:
            return stored[1]
        return None

    def set(self, value) -> None:
        if self.versions is None:
            return
        try:
            cache.set(self.key, (self.versions, value), PAGE_TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("Report page not cached", exc_info=True)


def render_parts(request, templates: dict[str, str], context: dict) -> dict[str, str]:
    """Each template rendered with the context and the request alone: a cached part is
    shared by every user who may read it, so it runs no context processor (no menu, no
    user, no messages; each would also cost a pass per part); the request is there for
    the query string that the filter forms repeat (part of the page's key)."""
    context = context | {"request": request}
    return {name: render_to_string(t, context) for name, t in templates.items()}


def _reference_changed(sender, **kwargs) -> None:
    _CITIES.clear()  # a kelurahan or kecamatan may have moved
    _AGENCY_CITIES.clear()  # ... or a Sudin
    report_inputs_changed()


def _program_changed(sender, instance, **kwargs) -> None:
    programs_changed(agency_ids=[instance.agency_id])


def _enrollment_changed(sender, instance, **kwargs) -> None:
    # Its programme is usually the one it was saved with; else read after the commit.
    if type(instance).program.is_cached(instance):
        programs_changed(agency_ids=[instance.program.agency_id])
    else:
        programs_changed(program_ids=[instance.program_id])


def _application_changed(sender, instance, **kwargs) -> None:
    applications_changed(village_ids=[instance.village_id])


def reference_models():
    """Everything besides the counters that a report shows."""
    from programs.models import Agency, FieldLead
    from wilayah.models import City, District, Village

    from .models import AgencyTarget, DistrictTarget, SemesterTarget, TargetPeriod

    return [
        TargetPeriod,
        DistrictTarget,
        SemesterTarget,
        AgencyTarget,
        Agency,
        FieldLead,
        City,
        District,
        Village,
    ]


# --- Issue 13: outreach activities show on their kota's dashboard (outreach panel) ------


def _outreach_before(sender, instance, **kwargs) -> None:
    """Before an activity is saved again: the kota it was in (an admin may move it)."""
    instance._report_city_before = (
        sender.objects.filter(pk=instance.pk)
        .values_list("district__city_id", flat=True)
        .first()
        if instance.pk
        else None
    )


def _outreach_changed(sender, instance, **kwargs) -> None:
    """An activity saved or deleted: its kota's report inputs changed (not every kota's)."""
    city_ids = {instance.district.city_id}
    before = getattr(instance, "_report_city_before", None)
    if before is not None:
        city_ids.add(before)
    report_inputs_changed(city_ids=sorted(city_ids))


def connect_outreach() -> None:
    from outreach.models import OutreachActivity

    pre_save.connect(_outreach_before, sender=OutreachActivity, dispatch_uid="rc-out0")
    post_save.connect(_outreach_changed, sender=OutreachActivity, dispatch_uid="rc-out")
    post_delete.connect(
        _outreach_changed, sender=OutreachActivity, dispatch_uid="rcd-out"
    )


def connect() -> None:
    """Called once from ReportsConfig.ready."""
    from participants.counting import counts_changed_register

    counts_changed_register(counts_listen)
    connect_outreach()  # issue 13
    from applications.models import Application

    post_save.connect(_application_changed, sender=Application, dispatch_uid="ac-app")
    post_delete.connect(
        _application_changed, sender=Application, dispatch_uid="acd-app"
    )
    for model in reference_models():
        post_save.connect(_reference_changed, sender=model, dispatch_uid=f"rc-{model}")
        post_delete.connect(
            _reference_changed, sender=model, dispatch_uid=f"rcd-{model}"
        )
    from programs.models import Enrollment, Program

    for model, receiver in (
        (Program, _program_changed),
        (Enrollment, _enrollment_changed),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"pc-{model}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"pcd-{model}")
