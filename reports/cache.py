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
- outreach activities (the dashboard's outreach panel) bump their own kota.

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

logger = logging.getLogger(__name__)

ALL_CITIES = "reports:inputs:all"
PAGE_TIMEOUT = 24 * 60 * 60  # dead keys go away; the key holds the day anyway


def _city_key(city_id: int) -> str:
    return f"reports:inputs:city:{city_id}"


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
    cities = _city_of_village()
    missing = [pk for pk in village_ids if pk not in cities]
    if missing:  # a kelurahan added since the map was read: read it again
        cities = _city_of_village(fresh=True)
    _bump([_city_key(cities[pk]) for pk in set(village_ids) if pk in cities])


_CITIES: dict[int, int] = {}


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
    """A cached page part of a kota, read in one round trip to the cache: the kota's
    versions and the part, stored with the versions it was computed from. A part stored
    under other versions than the current ones is not served (a write came between)."""

    def __init__(self, *, name: str, city_id: int, today: date, parts):
        raw = ":".join(str(p) for p in (name, city_id, today.isoformat(), *parts))
        self.key = f"reports:page:{uuid.uuid5(uuid.NAMESPACE_URL, raw).hex}"
        self.version_keys = [ALL_CITIES, _city_key(city_id)]
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


def _reference_changed(sender, **kwargs) -> None:
    _CITIES.clear()  # a kelurahan or kecamatan may have moved
    report_inputs_changed()


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
    for model in reference_models():
        post_save.connect(_reference_changed, sender=model, dispatch_uid=f"rc-{model}")
        post_delete.connect(
            _reference_changed, sender=model, dispatch_uid=f"rcd-{model}"
        )
