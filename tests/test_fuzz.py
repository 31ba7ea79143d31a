"""Hostile input to every URL pattern, as every role: never a 500, never a partial write.

Issue 9 ("No input makes a 500"). Nothing here is a hand list of pages:

- The URL patterns come from the resolver (the Django admin's included: every registered
  model's changelist, add, change, delete, history, the autocomplete and the rest). Path
  arguments are filled from PATH_VALUES, by argument name (and, in the admin, from the
  model the route names): real objects of the home scope and of another kota, and hostile
  values the converter lets through. A pattern with an argument PATH_VALUES does not know
  fails the test, so a new URL is fuzzed, or named in EXCLUDED with its reason, before it
  ships.
- A discovery pass GETs every pattern as every role of tests/test_url_access.py (anonymous,
  signed in without a role, kelurahan, kecamatan, Sudin, pimpinan, admin by role, superuser)
  and reads each page it gets: the forms (fields, options, checkboxes, inline formsets'
  empty rows), and the query parameters of its links and GET forms. Each POST form is
  fuzzed under the pattern its action resolves to, as each role that was shown it.
- The query parameters a view reads are found in its source (`GET.get("…")`, `getlist`,
  `GET["…"]`), the admin's own (ChangeList's constants) and on the page; Hypothesis draws
  which to send, with values from HOSTILE (non-ASCII digits, 20+ digit numbers, negative
  numbers, empty, whitespace, NUL, control characters, 10k strings, SQL/HTML/format meta
  characters, impossible dates and semesters), the page's own valid values and the ids of
  another kota's objects, plus a few random names.
- Forms are posted field by field (the page's own values, one field hostile) and whole
  (every field drawn).

Every request must answer something other than 500, and log no error on `django.request`.
Every request that is not a success redirect (a 302 anywhere but a login page) must leave
the database as it found it: the row count, the sum of every number and boolean column, the
total length of every text column and the range of every date column of every table of the
project (and of auth and the admin log) are the same after it. Only the access log is left
out: every NIK lookup and export is logged, refused or not.

Each request runs in a savepoint rolled back after it, so an admin's successful POST does not
change what the next request sees. Hypothesis is seeded per pattern and role (FUZZ_SEED
shifts every seed), with no example database, so a run is repeatable; problems are collected,
not raised, so one test lists every failing request of its pattern. The number of requests
is printed in the terminal summary.
"""

import logging
import os
import re
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views import main as changelist
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, models, transaction
from django.test import Client
from django.urls import (
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
)
from django.urls.converters import IntConverter, PathConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from participants.models import AccessLog, Resident
from participants.services import access_log_write
from tests.test_url_access import ANONYMOUS, ROLES, World, build_world

# --- Budget (the whole module runs in about a minute) ------------------------------------

GET_EXAMPLES = 6  # hostile query strings per pattern × role that opens it
GET_REFUSED_EXAMPLES = (
    1  # per pattern × role that is refused (a crash before the check)
)
FORM_EXAMPLES = 1  # field-by-field passes (plus one whole drawn form) per form × role
FIELD_VALUES = 2  # hostile values per field in a field-by-field pass
EXTRA_NAMES = 2  # random parameter names beside the discovered ones

# --- Patterns that are not fuzzed -----------------------------------------------------------

# Pattern name (or route when unnamed) -> why it is not fuzzed. Keep it short.
# None so far: a logout or a password change is rolled back with its savepoint, and the
# client's cookie restored, like any other request.
EXCLUDED: dict[str, str] = {}

# --- Hostile values -------------------------------------------------------------------------

NIK_RUN = re.compile(r"(?<!\d)\d{15,16}(?!\d)")  # no NIK-like number in a URL or a log

SPECIALS = [
    "",
    " ",
    "\t\n",
    "\x00",
    "1\x00",
    "a\x00b",
    "\x1b[31m",
    "\x07\x08\x0b\x0c",
    "\u200b",
    "\ufeff1",
    "0",
    "-0",
    "+1",
    "1.5",
    "1e999",
    "NaN",
    "inf",
    "0x1f",
    "1_000",
    "None",
    "null",
    "true",
    "[]",
    "{}",
    "' OR '1'='1",
    "1; DROP TABLE participants_resident; --",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "%",
    "_",
    "\\",
    "%s%s%(x)s{0}{x}",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "../../../../etc/passwd",
    "id",
    "pk",
    "__str__",
    "-id",
    "1,2",
    "1 2",
    "?",
    "&",
    "#",
    "=",
]
BAD_DATES = [
    "2025-02-30",
    "2025-02-29",
    "9999-99-99",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "2025-13-01",
    "2025-1-1",
    "31/12/2025",
    "12/31/2025",
    "2025-02-28T25:61",
    "２０２５-０１-０１",
    "٢٠٢٥-٠١-٠١",
]
BAD_SEMESTERS = [
    "2025-S9",
    "2025-S0",
    "2025-S3",
    "0-S1",
    "0000-S1",
    "-2025-S1",
    "99999-S1",
    "9999-S2",
    "2025-s1",
    "2025S1",
    "2025-S１",
    "２０２５-S1",
    "2025-S²",
]
ODD_DIGITS = "²³¹٠١٢٣٤٥٦٧٨٩０１２３４５６７８９०१२߀߁৪"

ODD_NUMBERS = st.text(alphabet=ODD_DIGITS, min_size=1, max_size=4)
HUGE_NUMBERS = st.integers(min_value=10**19, max_value=10**40).map(str)
CONTROLS = st.text(alphabet=st.characters(categories=["Cc"]), min_size=1, max_size=3)
# The kinds that broke something before weigh more (one_of picks a branch evenly).
HOSTILE = st.one_of(
    ODD_NUMBERS,
    ODD_NUMBERS,
    HUGE_NUMBERS,
    CONTROLS,
    CONTROLS.map(lambda c: f"Jl. Uji {c} No. 1"),
    st.sampled_from(SPECIALS),
    st.sampled_from(BAD_DATES),
    st.sampled_from(BAD_SEMESTERS),
    HUGE_NUMBERS,
    st.integers(min_value=-(10**6), max_value=-1).map(str),
    st.integers(min_value=10**19, max_value=10**30).map(lambda n: f"-{n}"),
    st.integers(min_value=2**31 - 2, max_value=2**63 + 2).map(str),
    st.builds(
        lambda char, size: char * size,
        st.sampled_from(["a", "9", "٣", "é", "'", "\x1b", " ", "<"]),
        st.integers(min_value=300, max_value=10_000),
    ),
    st.text(max_size=12),  # any valid unicode, controls and NUL included
).filter(lambda value: not NIK_RUN.search(value))

# A piece of a URL path: no slash (the converter would send it elsewhere) unless <path:>.
HOSTILE_SEGMENT = st.one_of(
    st.sampled_from(
        ["0", "-1", "abc", "²", "١٢", "1.0", "%00", "\x00", "1 ", "None", "_", "'"]
    ),
    st.integers(min_value=10**19, max_value=10**30).map(str),
    st.text(min_size=1, max_size=8).filter(lambda v: "/" not in v and v.strip()),
).filter(lambda value: not NIK_RUN.search(value))
HOSTILE_INT_SEGMENT = st.one_of(
    st.sampled_from(["0", "00", "0001"]),
    st.integers(min_value=2**31, max_value=2**63 + 10).map(str),
    st.integers(min_value=10**19, max_value=10**40).map(str),
).filter(lambda value: not NIK_RUN.search(value))

RANDOM_NAMES = st.one_of(
    st.sampled_from(["id", "pk", "page", "o", "q", "format", "next", "_popup", "x"]),
    st.text(min_size=1, max_size=6).filter(lambda v: not NIK_RUN.search(v)),
)


# --- The URL patterns -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route when unnamed
    route: str
    namespace: str
    # (argument, format) per level: the URL is "/" + "".join(format % values)
    formats: tuple[str, ...]
    arguments: tuple[str, ...]
    converters: tuple[tuple[str, object], ...]
    callback: object = field(compare=False, hash=False)

    @property
    def in_admin(self) -> bool:
        return self.namespace.split(":")[0] == "admin"

    def url(self, values: dict[str, str]) -> str:
        quoted = {k: quote(str(v), safe="") for k, v in values.items()}
        return "/" + "".join(f % quoted for f in self.formats)


def _level(pattern) -> tuple[str, list[str], dict]:
    """One level of a URL: its %-format, the argument names, their converters."""
    if isinstance(pattern, RoutePattern):
        converters = dict(pattern.converters)
        regex = pattern.regex.pattern
    else:
        assert isinstance(pattern, RegexPattern)
        converters = {}
        regex = pattern.regex.pattern
    fmt, params = normalize(regex)[0]
    return fmt, list(params), converters


def walk(patterns, namespace="", formats=(), arguments=(), converters=(), prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        fmt, params, convs = _level(entry.pattern)
        # Nameless groups are numbered per level by normalize(); number them per URL.
        renamed = {}
        for param in params:
            if re.fullmatch(r"_\d+", param):
                renamed[param] = f"_{len(arguments) + len(renamed)}"
        for old, new in renamed.items():
            fmt = fmt.replace(f"%({old})s", f"%({new})s")
        params = [renamed.get(p, p) for p in params]
        level_formats = (*formats, fmt)
        level_arguments = (*arguments, *params)
        level_converters = (*converters, *convs.items())
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from walk(
                entry.url_patterns,
                inner,
                level_formats,
                level_arguments,
                level_converters,
                route,
            )
        elif isinstance(entry, URLPattern):
            name = (
                f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            )
            yield Pattern(
                name=name or route,
                route=route,
                namespace=namespace,
                formats=level_formats,
                arguments=level_arguments,
                converters=level_converters,
                callback=entry.callback,
            )


ALL_PATTERNS = list(walk(get_resolver().url_patterns))
PATTERNS = [p for p in ALL_PATTERNS if p.name not in EXCLUDED]


def _shard(patterns: list, spec: str) -> list:
    """FUZZ_SHARD=k/n: every n-th pattern from the k-th (0-based). CI runs the suite on
    SQLite and on PostgreSQL side by side and gives each half the patterns, so that every
    pattern is fuzzed once per CI run; unset (make test), every pattern."""
    if not spec:
        return patterns
    k, n = (int(part) for part in spec.split("/"))
    assert 0 <= k < n, f"FUZZ_SHARD={spec}: want k/n with 0 <= k < n"
    return patterns[k::n]


FUZZED = _shard(PATTERNS, os.environ.get("FUZZ_SHARD", ""))


def admin_model(pattern: Pattern):
    """The model an admin pattern belongs to (admin/<app>/<model>/...), or None."""
    parts = pattern.route.split("/")
    if not pattern.in_admin or len(parts) < 3:
        return None
    try:
        return apps.get_model(parts[1], parts[2])
    except (LookupError, ValueError):
        return None


# --- The data -------------------------------------------------------------------------------


@dataclass
class Fixtures:
    world: World
    # Ids and codes of another kota's objects, offered as values of every parameter.
    other_ids: list[str]


def build_fixtures() -> Fixtures:
    world = build_world()
    Group.objects.create(name="Grup uji")
    access_log_write(
        user=world.users["superuser"],
        action=AccessLog.Action.REVEAL_NIK,
        resident=world.home.resident,
        reason="uji",
    )
    luar = world.luar
    other_ids = [
        str(v)
        for v in (
            luar.resident.pk,
            luar.record.pk,
            luar.program.pk,
            luar.enrollment.pk,
            luar.village.pk,
            luar.district.pk,
            luar.city.pk,
            luar.agency.pk,
            luar.period.pk,
            luar.lead.pk,
            luar.city.code,
            luar.district.code,
            luar.village.code,
        )
    ]
    return Fixtures(world=world, other_ids=sorted(set(other_ids)))


def _objects(model, world: World) -> list[str]:
    """Two real objects of a model (one of the home scope and one of another kota when the
    model has scopes), as URL values."""
    own = {
        "resident": [world.home.resident, world.luar.resident],
        "stagerecord": [world.home.record, world.luar.record],
        "program": [world.home.program, world.luar.program],
        "enrollment": [world.kota.enrollment, world.luar.enrollment],
        "targetperiod": [world.home.period, world.luar.period],
        "agency": [world.home.agency, world.luar.agency],
        "fieldlead": [world.luar.lead],
        "village": [world.home.village, world.luar.village],
        "district": [world.home.district, world.luar.district],
        "city": [world.home.city, world.luar.city],
        "importjob": [world.kota.import_job, world.luar.import_job],
    }.get(model._meta.model_name)
    if own:
        return [str(obj.pk) for obj in own]
    rows = model._default_manager.order_by("pk").values_list("pk", flat=True)
    found = [str(rows.first()), str(rows.last())] if rows.exists() else []
    return sorted(set(found)) or ["1"]


def _history_ids(model, object_id: str) -> list[str]:
    history = getattr(model, "history", None)
    if history is None:
        return ["1"]
    pk_name = model._meta.pk.attname
    ids = history.filter(**{pk_name: object_id}).values_list("history_id", flat=True)
    return [str(i) for i in ids[:1]] or ["1"]


def path_values(pattern: Pattern, world: World) -> list[dict[str, str]]:
    """Real values for the pattern's path arguments: one set per object (home, luar)."""
    if not pattern.arguments:
        return [{}]
    model = admin_model(pattern)
    scopes = [world.home, world.luar]
    per_scope = {
        ("participants", "pk"): lambda s: s.resident.pk,
        ("participants", "record_pk"): lambda s: s.record.pk,
        ("programs", "pk"): lambda s: s.program.pk,
        ("programs", "resident_pk"): lambda s: s.resident.pk,
        ("reports", "code"): lambda s: s.district.code,
        ("imports", "job_id"): lambda s: s.import_job.pk,
        ("exports", "job_id"): lambda s: s.export_job.pk,
        ("public", "slug"): lambda s: s.district.slug,
        ("outreach", "pk"): lambda s: s.activity.pk,
        ("applications", "pk"): lambda s: s.application.pk,
    }
    root = pattern.namespace.split(":")[0]
    sets = []
    for index in range(2):
        values = {}
        for argument in pattern.arguments:
            pick = per_scope.get((root, argument))
            if pick is not None:
                # Imports and exports are made by a clerk of the kota's other kelurahan
                # (url access).
                owned = root in ("imports", "exports")
                scope = [world.kota, world.luar][index] if owned else None
                values[argument] = str(pick(scope or scopes[index]))
            elif root == "admin" and argument in ("object_id", "_0") and model:
                objects = _objects(model, world)
                values[argument] = objects[min(index, len(objects) - 1)]
            elif root == "admin" and argument == "_1" and model:
                values[argument] = _history_ids(model, values["_0"])[0]
            elif root == "admin" and argument == "id" and model:  # user's password page
                objects = _objects(model, world)
                values[argument] = objects[min(index, len(objects) - 1)]
            elif root == "admin" and argument == "content_type_id":
                values[argument] = str(ContentType.objects.get_for_model(Resident).pk)
            elif root == "admin" and argument == "object_id":
                values[argument] = str(scopes[index].resident.pk)
            elif root == "admin" and argument == "app_label":
                labels = sorted({m._meta.app_label for m in admin.site._registry})
                values[argument] = labels[index % len(labels)]
            elif root == "admin" and argument == "url":
                values[argument] = ["nothing/here/", "participants/resident"][index]
            else:
                pytest.fail(
                    f"{pattern.name} ({pattern.route}): no value for the path argument "
                    f"<{argument}>: add one to path_values() or name the pattern in "
                    "EXCLUDED with the reason",
                    pytrace=False,
                )
        sets.append(values)
    return sets


def hostile_path(pattern: Pattern, argument: str):
    converter = dict(pattern.converters).get(argument)
    if isinstance(converter, IntConverter):
        return HOSTILE_INT_SEGMENT
    if isinstance(converter, PathConverter) or argument == "url":
        return st.one_of(HOSTILE_SEGMENT, st.sampled_from(["a/b", "1/", "1/history"]))
    if argument == "app_label":  # the route's regex lists the labels
        return st.sampled_from(
            sorted({m._meta.app_label for m in admin.site._registry})
        )
    return HOSTILE_SEGMENT


# --- Reading pages --------------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # text, hidden, checkbox, radio, select, textarea, submit, ...
    options: list[str] = field(default_factory=list)  # select/checkbox/radio values
    initial: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)

    def add(self, name, kind, value=None, *, chosen=False, multiple=False):
        item = self.fields.setdefault(name, FormField(name, kind, multiple=multiple))
        if kind in ("checkbox", "radio", "select"):
            if value is not None:
                item.options.append(value)
                if chosen:
                    item.initial.append(value)
        elif kind == "submit":
            item.options.append(value or "")
        elif value is not None:
            item.initial = [value]
        return item


class PageParser(HTMLParser):
    """The forms and links of a page, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.autocomplete: set[tuple[str, str, str]] = set()
        self._form: Form | None = None
        self._select: FormField | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "select" and a.get("data-app-label"):
            self.autocomplete.add(
                (a["data-app-label"], a["data-model-name"], a["data-field-name"])
            )
        if tag == "form":
            self._form = Form((a.get("method") or "get").lower(), a.get("action") or "")
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                form.add(name, kind, a.get("value", "on"), chosen="checked" in a)
            elif kind in ("submit", "image"):
                form.add(name, "submit", a.get("value", ""))
            elif kind not in ("button", "reset", "file"):
                form.add(name, kind, a.get("value", ""))
        elif tag == "button" and name:
            form.add(name, "submit", a.get("value", ""))
        elif tag == "select" and name:
            self._select = form.add(name, "select", multiple="multiple" in a)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = form.add(name, "textarea", "")

    def handle_data(self, data):
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._textarea.initial = [self._textarea.initial[0] + data]

    def _close_option(self):
        if self._option is not None and self._select is not None:
            value, chosen = self._option
            value = self._option_text.strip() if value is None else value
            self._select.options.append(value)
            if chosen:
                self._select.initial.append(value)
        self._option = None

    def handle_endtag(self, tag):
        if tag in ("option", "select"):
            self._close_option()
        if tag == "select":
            select = self._select
            if select and not select.initial and select.options and not select.multiple:
                select.initial = [select.options[0]]
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


@dataclass
class Page:
    status: int
    location: str
    forms: list[Form]
    params: dict[str, set[str]]  # query parameter -> values seen on the page
    queries: list[tuple[tuple[str, str], ...]]  # whole query strings of its own links


def read_page(url: str, response) -> Page:
    location = response.get("Location", "")
    forms, params, queries = [], defaultdict(set), set()
    content_type = response.get("Content-Type", "")
    if (
        response.status_code == 200
        and "html" in content_type
        and not response.streaming
    ):
        parser = PageParser()
        parser.feed(response.content.decode("utf-8", "replace"))
        forms = parser.forms
        own_path = urlsplit(url).path
        for href in parser.links:
            parts = urlsplit(href)
            if parts.path in ("", own_path):
                pairs = parse_qsl(parts.query, keep_blank_values=True)
                queries.add(tuple(pairs))
                for key, value in pairs:
                    params[key].add(value)
        for form in forms:
            if form.method == "get" and urlsplit(form.action).path in ("", own_path):
                for item in form.fields.values():
                    params[item.name] |= set(item.options) | set(item.initial)
        AUTOCOMPLETE.update(parser.autocomplete)
    return Page(
        response.status_code, location, forms, dict(params), sorted(queries - {()})[:30]
    )


AUTOCOMPLETE: set[tuple[str, str, str]] = set()


def _pattern_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


# --- Parameter names a view reads -----------------------------------------------------------

READS = re.compile(
    r"""\b(?:GET|POST|query_params)\s*(?:\.(?:get|getlist|pop)\(\s*|\[\s*)["']([\w-]+)["']"""
)


def _names_in(text: str) -> set[str]:
    return set(READS.findall(text))


def _source_names() -> dict[str, set[str]]:
    """Module -> GET/POST names its source reads (the project's and the admin's)."""
    import django.contrib.admin as admin_package
    import simple_history

    roots = [Path(settings.BASE_DIR)]
    names = {}
    files = [
        p
        for root in roots
        for p in root.glob("*/**/*.py")
        if "tests" not in p.parts
        and ".venv" not in p.parts
        and "node_modules" not in p.parts
    ]
    files += list(Path(admin_package.__file__).parent.rglob("*.py"))
    files += list(Path(simple_history.__file__).parent.glob("admin.py"))
    for path in files:
        found = _names_in(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            names[str(path)] = found
    return names


SOURCE_NAMES = _source_names()
ALL_SOURCE_NAMES = sorted(set().union(*SOURCE_NAMES.values()))
# The admin changelist reads these through constants, not literals.
ADMIN_NAMES = sorted(
    {
        changelist.ALL_VAR,
        changelist.ORDER_VAR,
        changelist.PAGE_VAR,
        changelist.SEARCH_VAR,
        changelist.ERROR_FLAG,
        changelist.IS_POPUP_VAR,
        changelist.TO_FIELD_VAR,
        changelist.IS_FACETS_VAR,
        "_changelist_filters",
    }
)


def view_names(pattern: Pattern) -> set[str]:
    """Names read by the file that defines the view (and, for the admin, its own)."""
    import inspect

    callback = inspect.unwrap(pattern.callback)
    target = getattr(callback, "view_class", None) or callback
    try:
        path = inspect.getsourcefile(target)
    except TypeError:
        path = None
    names = set(SOURCE_NAMES.get(str(path), set()))
    if pattern.in_admin:
        names |= set(ADMIN_NAMES)
        model = admin_model(pattern)
        model_admin = admin.site._registry.get(model) if model else None
        if model_admin is not None:
            names |= set(SOURCE_NAMES.get(inspect.getsourcefile(type(model_admin)), ()))
    return names


# --- Running requests -----------------------------------------------------------------------

# What a request may write whatever it answers: the access log (every lookup, export and
# refusal is logged), sessions, django-axes' login attempts.
UNWATCHED = {AccessLog}
WATCHED_APPS = {
    "wilayah",
    "accounts",
    "participants",
    "programs",
    "reports",
    "home",
    "demo",
    "auth",
    "admin",
}


def _fingerprint_sql() -> str:
    q = connection.ops.quote_name
    parts = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in WATCHED_APPS or model in UNWATCHED:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        table = q(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        for f in model._meta.local_concrete_fields:
            column = q(f.column)
            if isinstance(f, models.BooleanField):
                parts.append(
                    f"(SELECT SUM(CASE WHEN {column} THEN 1 ELSE 0 END) FROM {table})"
                )
            elif isinstance(
                f, (models.IntegerField, models.DecimalField, models.AutoField)
            ) or (
                f.is_relation
                and isinstance(f.target_field, (models.IntegerField, models.AutoField))
            ):
                parts.append(f"(SELECT SUM({column}) FROM {table})")
            elif isinstance(f, (models.CharField, models.TextField)) or f.is_relation:
                parts.append(f"(SELECT SUM(LENGTH({column})) FROM {table})")
            elif isinstance(f, (models.DateField, models.TimeField)):
                parts.append(f"(SELECT MAX({column}) FROM {table})")
                parts.append(f"(SELECT MIN({column}) FROM {table})")
    return "SELECT " + ", ".join(parts)


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL)
        return cursor.fetchone()


def rows_touched() -> int | None:
    """How many rows this transaction (PostgreSQL) or connection (SQLite) has inserted,
    updated or deleted so far (it only grows): when a request leaves it unchanged, it wrote
    nothing at all and the fingerprint (a scan of every table) needs no reading. None on a
    database that cannot tell."""
    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables"
        )
        return cursor.fetchone()[0]


FINGERPRINT_SQL = ""  # built once the apps are ready (in the fixture)


class ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@dataclass
class Stats:
    requests: int = 0
    by_status: Counter = field(default_factory=Counter)


STATS = Stats()


def _is_login(location: str) -> bool:
    path = urlsplit(location).path
    return path.rstrip("/").endswith("login")


class Session:
    """One role's client: logged in once, its cookie restored before every request."""

    def __init__(self, role: str, user, errors: ErrorLog):
        self.role = role
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.saved = {k: v.value for k, v in self.client.cookies.items()}
        self.errors = errors
        self.baseline: tuple = ()

    def _restore(self):
        self.client.cookies.clear()
        for key, value in self.saved.items():
            self.client.cookies[key] = value

    def send(
        self, method: str, url: str, data=None, changed=None
    ) -> tuple[object, list[str]]:
        """One request in a savepoint rolled back after it; the problems it shows.

        `changed`: the fields of `data` that differ from the page's own values."""
        self._restore()
        cache.clear()  # rate limits would turn the next requests into 429s
        self.errors.records.clear()
        problems = []
        where = f"{self.role}: {method} {_short(url)}"
        if data is not None:
            where += (
                f" {_short(_describe(changed if changed is not None else data), 300)}"
            )
        STATS.requests += 1
        with transaction.atomic():
            touched = rows_touched()
            if method == "GET":
                response = self.client.get(url)
            else:
                response = self.client.post(url, data or {})
            status = response.status_code
            try:
                if response.streaming:
                    b"".join(response.streaming_content)
            except Exception as error:  # noqa: BLE001 - the finding itself
                problems.append(f"{where}: raised while streaming: {error!r}")
                status = 500
            location = response.get("Location", "")
            success = status == 302 and not _is_login(location)
            if success and method == "POST" and location:
                # What was saved is shown next: a stored value must not break that page.
                STATS.requests += 1
                self.errors.records.clear()
                shown = self.client.get(location)
                try:
                    if shown.streaming:
                        b"".join(shown.streaming_content)
                except Exception as error:  # noqa: BLE001 - the finding itself
                    problems.append(f"{where}: then GET {location}: {error!r}")
                if shown.status_code == 500:
                    cause = _cause(shown, self.errors)
                    problems.append(f"{where}: then GET {location}: 500 {cause}")
                self.errors.records.clear()
            if status != 500 and not success:
                try:
                    if (
                        touched is None or rows_touched() != touched
                    ) and fingerprint() != self.baseline:
                        problems.append(f"{where}: {status}, wrote to the database")
                except Exception as error:  # noqa: BLE001 - a broken transaction
                    problems.append(f"{where}: {status}, then {error!r}")
            transaction.set_rollback(True)
        STATS.by_status[status] += 1
        if status == 500:
            problems.append(f"{where}: 500 {_cause(response, self.errors)}")
        elif self.errors.records:
            problems.append(
                f"{where}: {status}, logged {_cause(response, self.errors)}"
            )
        return response, problems


def _short(text: str, size: int = 160) -> str:
    text = repr(text)[1:-1]
    return text if len(text) <= size else text[:size] + f"…(+{len(text) - size})"


def _describe(data: dict) -> str:
    def show(value):
        return _short(
            str(value[0] if isinstance(value, list) and len(value) == 1 else value), 40
        )

    return "{" + ", ".join(f"{k}={show(v)}" for k, v in data.items()) + "}"


def _cause(response, errors: ErrorLog) -> str:
    for record in errors.records:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            tb = record.exc_info[2]
            while tb and tb.tb_next:
                tb = tb.tb_next
            where = (
                f" at {tb.tb_frame.f_code.co_filename.split('site-packages/')[-1]}:{tb.tb_lineno}"
                if tb
                else ""
            )
            return f"{type(error).__name__}: {str(error)[:200]}{where}"
    if errors.records:
        return errors.records[0].getMessage()[:200]
    exc = getattr(response, "exc_info", None)
    return repr(exc[1])[:200] if exc else ""


# --- Discovery ------------------------------------------------------------------------------


@dataclass
class Found:
    """What every role got from a plain GET of every pattern, and the forms it was shown."""

    pages: dict[tuple[str, str], Page]  # (pattern, role) -> the page (first object)
    forms: dict[
        tuple[str, str], list[tuple[str, Form]]
    ]  # (action pattern, role) -> forms
    problems: dict[str, list[str]]  # pattern -> problems of the plain GETs


def discover(sessions: dict[str, Session], fixtures: Fixtures) -> Found:
    pages, forms, problems = {}, defaultdict(list), defaultdict(list)
    seen = set()
    for pattern in PATTERNS:
        # The home object's page; the other kota's object is one of the fuzzed URLs.
        url = pattern.url(path_values(pattern, fixtures.world)[0])
        for role, session in sessions.items():
            response, found = session.send("GET", url)
            problems[pattern.name] += found
            page = read_page(url, response)
            pages[(pattern.name, role)] = page
            for form in page.forms:
                if form.method != "post":
                    continue
                action = urlsplit(form.action).path or urlsplit(url).path
                target = _pattern_of(action)
                key = (target, role, tuple(sorted(form.fields)))
                if target is None or key in seen:
                    continue
                seen.add(key)
                query = urlsplit(form.action).query
                forms[(target, role)].append(
                    (action + (f"?{query}" if query else ""), form)
                )
    return Found(pages, dict(forms), problems)


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz(django_db_setup, django_db_blocker, request):
    global FINGERPRINT_SQL
    FINGERPRINT_SQL = _fingerprint_sql()
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)  # 4xx warnings by the thousand, on purpose
    errors = ErrorLog()
    logger.addHandler(errors)
    started, cpu_started = time.monotonic(), time.process_time()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            fixtures = build_fixtures()
            sessions = {
                role: Session(
                    role,
                    None if role == ANONYMOUS else fixtures.world.users[role],
                    errors,
                )
                for role in ROLES
            }
            # Each login moved a last_login: the state every request must leave behind.
            baseline = fingerprint()
            for session in sessions.values():
                session.baseline = baseline
            found = discover(sessions, fixtures)
            yield fixtures, sessions, found
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            logger.removeHandler(errors)
            logger.setLevel(level)
    seconds = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(STATS.by_status.items()))
    line = (
        f"fuzz: {STATS.requests} requests to {len(PATTERNS)} URL patterns "
        f"({len(EXCLUDED)} excluded) as {len(ROLES)} roles in {seconds:.0f} s "
        f"({cpu:.0f} s CPU) on {connection.vendor}; statuses {statuses}"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + line)


# --- Strategies per pattern -----------------------------------------------------------------


def _values_for(name: str, seen: dict[str, set[str]], other_ids: list[str]):
    choices = [st.sampled_from(other_ids), HOSTILE, HOSTILE]
    valid = sorted(v for v in seen.get(name, ()) if not NIK_RUN.search(v))
    if valid:
        choices.append(st.sampled_from(valid))
    return st.one_of(choices)


def query_strategy(
    names: list[str],
    seen: dict[str, set[str]],
    other_ids: list[str],
    valid: list[tuple[tuple[str, str], ...]],
):
    """A valid query of the page (a link's, or none) with some parameters drawn over it."""

    @st.composite
    def build(draw):
        start = dict(draw(st.sampled_from([(), *valid])))
        chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
        pairs = [(k, v) for k, v in start.items() if k not in chosen]
        chosen += draw(st.lists(RANDOM_NAMES, max_size=EXTRA_NAMES, unique=True))
        for name in chosen:
            for _ in range(draw(st.integers(min_value=1, max_value=2))):
                pairs.append((name, draw(_values_for(name, seen, other_ids))))
        return pairs

    return build()


def url_strategy(pattern: Pattern, real: list[dict[str, str]]):
    """A real object's URL, or one with a path argument hostile."""
    urls = st.sampled_from(real)
    if not pattern.arguments:
        return urls.map(pattern.url)

    def one_hostile(values):
        return st.sampled_from(pattern.arguments).flatmap(
            lambda argument: hostile_path(pattern, argument).map(
                lambda value: pattern.url({**values, argument: value})
            )
        )

    return st.one_of(urls.map(pattern.url), urls.flatmap(one_hostile))


def _hsettings(examples: int):
    return hsettings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def _seed(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode()) + int(os.environ.get("FUZZ_SEED", "0"))


def fuzz_queries(session: Session, pattern: Pattern, page: Page, fixtures: Fixtures):
    real = path_values(pattern, fixtures.world)
    opened = page.status == 200
    # Its own view's names first; every name some view reads is worth a try too.
    names = sorted(view_names(pattern) | set(page.params) | set(ALL_SOURCE_NAMES))
    if pattern.name == "admin:autocomplete":
        names = sorted(set(names) | {"app_label", "model_name", "field_name", "term"})
    seen = dict(page.params)
    valid = list(page.queries)
    if pattern.name == "admin:autocomplete":
        # Only a field that has an autocomplete gets past the first check.
        for triple in sorted(AUTOCOMPLETE | registry_autocomplete()):
            valid.append(
                tuple(
                    zip(("app_label", "model_name", "field_name"), triple, strict=True)
                )
            )
    problems = []

    @seed(_seed(pattern.name, session.role, "GET"))
    @_hsettings(GET_EXAMPLES if opened else GET_REFUSED_EXAMPLES)
    @given(
        url=url_strategy(pattern, real),
        pairs=query_strategy(names, seen, fixtures.other_ids, valid),
    )
    def run(url, pairs):
        query = urlencode(pairs)
        _, found = session.send("GET", f"{url}?{query}" if query else url)
        problems.extend(found)

    run()
    return problems


def registry_autocomplete() -> set[tuple[str, str, str]]:
    """Every autocomplete field of every admin (and its inlines): valid triples to vary."""
    triples = set()
    for model, model_admin in admin.site._registry.items():
        owners = [(model, model_admin)] + [
            (inline.model, inline) for inline in model_admin.inlines
        ]
        for owner_model, owner in owners:
            for name in getattr(owner, "autocomplete_fields", ()):
                triples.add(
                    (owner_model._meta.app_label, owner_model._meta.model_name, name)
                )
    return triples


def _base_data(form: Form) -> dict[str, list[str]]:
    """What a browser would submit unchanged (the first submit button pressed)."""
    data = {}
    pressed = False
    for item in form.fields.values():
        if "__prefix__" in item.name:
            continue
        if item.kind == "submit":
            if not pressed:
                data[item.name] = item.options[:1]
                pressed = True
            continue
        if item.kind in ("checkbox", "radio", "select"):
            chosen = [v for v in item.initial if v]
            picks = [v for v in item.options if v]
            if not chosen and picks and (item.kind == "select" or picks[0].isdigit()):
                # An empty choice, or a row not selected (the admin's action checkboxes):
                # take the first, so that one hostile field is all that is wrong.
                chosen = picks[:1]
            if chosen or item.initial:
                data[item.name] = chosen or list(item.initial)
            continue
        data[item.name] = list(item.initial)
    return data


def _field_values(item: FormField, other_ids: list[str]):
    """Hostile values for one field, and sometimes its own valid options."""
    valid = [v for v in item.options if not NIK_RUN.search(v)]
    single = st.one_of(
        HOSTILE,
        st.sampled_from(other_ids),
        *([st.sampled_from(valid)] if valid else []),
    )
    if item.multiple or item.kind == "checkbox":
        return st.lists(single, min_size=1, max_size=3)
    return single.map(lambda v: [v])


def _new_rows(form: Form) -> dict[str, list[FormField]]:
    """Inline formsets' empty rows (`prefix-__prefix__-field`), by formset prefix."""
    rows = defaultdict(list)
    for item in form.fields.values():
        if "-__prefix__-" in item.name:
            rows[item.name.split("-__prefix__-")[0]].append(item)
    return rows


ROW = re.compile(r"-\d+-")


def _changes(base: dict, sent: dict) -> dict:
    return {k: v for k, v in sent.items() if base.get(k) != v}


def fuzz_form(
    session: Session,
    action: str,
    form: Form,
    fixtures: Fixtures,
    label: str,
    *,
    field_by_field: bool,
):
    base = _base_data(form)
    # Rows of a formset take the same values: the first row stands for its column.
    columns = {}
    for item in form.fields.values():
        if item.name != "csrfmiddlewaretoken" and "__prefix__" not in item.name:
            columns.setdefault(ROW.sub("-N-", item.name), item)
    editable = list(columns.values())
    rows = _new_rows(form)
    problems = []

    @seed(_seed(label, session.role, "POST", *sorted(form.fields)))
    @_hsettings(FORM_EXAMPLES)
    @given(data=st.data())
    def run(data):
        # Field by field: the page's own values, one field hostile.
        for item in editable if field_by_field else ():
            for _ in range(FIELD_VALUES):
                sent = dict(base)
                sent[item.name] = data.draw(_field_values(item, fixtures.other_ids))
                _, found = session.send("POST", action, sent, _changes(base, sent))
                problems.extend(found)
        # The whole form drawn, each field hostile or one of its own values.
        sent = dict(base)
        for item in editable:
            if data.draw(st.booleans()):
                sent[item.name] = data.draw(_field_values(item, fixtures.other_ids))
        _, found = session.send("POST", action, sent, _changes(base, sent))
        problems.extend(found)
        # One new inline row per formset, its fields drawn.
        for prefix, items in rows.items():
            sent = dict(base)
            total = f"{prefix}-TOTAL_FORMS"
            index = int((base.get(total) or ["0"])[0] or 0)
            sent[total] = [str(index + 1)]
            for item in items:
                name = item.name.replace("__prefix__", str(index))
                if item.kind == "checkbox" and not data.draw(st.booleans()):
                    continue
                sent[name] = data.draw(_field_values(item, fixtures.other_ids))
            _, found = session.send("POST", action, sent, _changes(base, sent))
            problems.extend(found)

    run()
    return problems


# --- The tests ------------------------------------------------------------------------------


def test_every_pattern_is_fuzzed_or_excluded_with_a_reason():
    names = {p.name for p in ALL_PATTERNS}

    assert sorted(set(EXCLUDED) - names) == [], "EXCLUDED names a pattern that is gone"
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert len(PATTERNS) + len(EXCLUDED) == len(ALL_PATTERNS)


def test_the_admin_of_every_registered_model_is_fuzzed():
    routes = {p.route for p in PATTERNS}
    missing = [
        f"{model._meta.label}: {page}"
        for model in admin.site._registry
        for page in (
            "",
            "add/",
            "<path:object_id>/change/",
            "<path:object_id>/delete/",
            "<path:object_id>/history/",
        )
        if f"admin/{model._meta.app_label}/{model._meta.model_name}/{page}"
        not in routes
    ]

    assert missing == []
    assert "admin/autocomplete/" in routes


@pytest.mark.parametrize("pattern", FUZZED, ids=lambda p: p.name)
def test_no_input_makes_a_500_or_a_partial_write(fuzz, db, pattern):
    fixtures, sessions, found = fuzz
    problems = list(found.problems.get(pattern.name, []))
    fuzzed = set()
    for role, session in sessions.items():
        page = found.pages[(pattern.name, role)]
        problems += fuzz_queries(session, pattern, page, fixtures)
        for action, form in found.forms.get((pattern.name, role), []):
            # Field by field as the first role shown the form; the others post it whole.
            shape = tuple(sorted(ROW.sub("-N-", name) for name in form.fields))
            problems += fuzz_form(
                session,
                action,
                form,
                fixtures,
                pattern.name,
                field_by_field=shape not in fuzzed,
            )
            fuzzed.add(shape)
    unique = list(dict.fromkeys(problems))

    assert not unique, f"{pattern.name}: {len(unique)} problems:\n  " + "\n  ".join(
        unique[:40]
    )
