"""Every URL of the project × every role × objects of a scope that is not theirs.

RULES says, for each URL pattern the resolver knows, which roles may open it and which
may reach the other scope's objects through it. A pattern missing from RULES fails the
suite, so a view added later has to state who may open it before it can ship.

The home scope: Joglo (kelurahan) in Kembangan (kecamatan), Sudin PPKUKM of Jakarta Barat,
pimpinan of Jakarta Barat. The other scope comes in two variants:

- "kota": the same kota, but another kecamatan and kelurahan (Kapuk, Cengkareng) and another
  Sudin (KPKP Jakarta Barat). Pimpinan read their whole kota, and kelurahan and kecamatan
  staff see their kota's trainings, so some of it is legitimately theirs to see.
- "luar": another kota (Matraman, Jakarta Timur; Sudin PPKUKM Jakarta Timur and its target
  period and field lead). Nobody but admins may see any of it.

Each request must be refused (403/404, or a redirect to the login page for anonymous) or, for
the roles it lets through, answer and leak nothing the role may not see: the other scope's
residents' names, NIKs (full and masked) and KK numbers, programme codes, field leads and
target periods. Refused POSTs must write nothing.

One test per URL pattern, its id the URL name. Inside it every role of ROLES (anonymous, a
signed-in user without a role, the four staff roles, an admin by staff role who is not a
superuser, and a superuser without a staff profile) sends every case of the pattern, and a
failure lists each problem as `role: case [METHOD url]: what went wrong`. (A test per
URL × role would pay pytest-django's per-test setup eight times over for no extra check.)
The data is built once per module, and every request runs in a savepoint rolled back after it.
"""

import contextlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role, StaffProfile
from accounts.tests.factories import UserFactory, staff_user
from applications.models import Application
from applications.tests.factories import ApplicationFactory
from conftest import load_reference_data
from exports.models import ExportJob
from exports.services import export_build, export_job_create
from imports.models import ImportJob
from imports.services import import_job_create
from outreach.models import OutreachActivity
from participants.identity import nik_build, nik_mask
from participants.models import AccessLog, Resident, StageRecord
from participants.tests.factories import ResidentFactory, StageRecordFactory
from programs.models import Agency, Enrollment, FieldLead, Program
from programs.services import field_lead_create
from programs.tests.factories import EnrollmentFactory, ProgramFactory
from reports.models import TargetPeriod
from reports.services import period_create
from wilayah.models import City, District, Village

# --- Who asks ---------------------------------------------------------------------

ANONYMOUS = "anonymous"
NO_ROLE = "no_role"  # signed in, but no staff profile
KELURAHAN = "kelurahan"
KECAMATAN = "kecamatan"
SUDIN = "sudin"
PIMPINAN = "pimpinan"
ADMIN = "admin"  # role admin in the staff profile, is_staff, not a superuser
SUPERUSER = "superuser"  # createsuperuser: no staff profile at all

ROLES = (ANONYMOUS, NO_ROLE, KELURAHAN, KECAMATAN, SUDIN, PIMPINAN, ADMIN, SUPERUSER)
ADMINS = frozenset({ADMIN, SUPERUSER})
STAFF = frozenset({KELURAHAN, KECAMATAN, SUDIN, PIMPINAN}) | ADMINS
SIGNED_IN = STAFF | {NO_ROLE}
EVERYONE = SIGNED_IN | {ANONYMOUS}
NOBODY = frozenset()

# participants/access.py
KEEPERS = frozenset({KELURAHAN, KECAMATAN}) | ADMINS
READERS = KEEPERS | {PIMPINAN}
LOOKUP = READERS | {SUDIN}
# programs/access.py
MANAGERS = frozenset({SUDIN}) | ADMINS
PROPOSERS = KEEPERS
COVERAGE = frozenset({PIMPINAN, SUDIN}) | ADMINS
# imports: those who register or enrol
IMPORTERS = KEEPERS | {SUDIN}
# reports/access.py
REPORT_READERS = frozenset({PIMPINAN}) | ADMINS
# outreach (accounts/access.py): recorders in their scope; pimpinan read their kota's
OUTREACH_RECORDERS = frozenset({KELURAHAN, KECAMATAN, SUDIN}) | ADMINS
OUTREACH_READERS = OUTREACH_RECORDERS | {PIMPINAN}

# --- What they may see of the other scope ---------------------------------------------

KOTA, LUAR = "kota", "luar"
RESIDENT, PROGRAM, REPORT = "resident", "program", "report"
OUTREACH = "outreach"

# (variant, kind) -> roles that may see it, wherever it shows; a rule may widen it (RULES.sees).
DEFAULT_SEES = {
    # Pimpinan read their whole kota (DOMAIN: "read-only, whole city").
    (KOTA, RESIDENT): frozenset({PIMPINAN}) | ADMINS,
    # Kelurahan and kecamatan staff see their kota's trainings to propose residents for
    # them; Sudin staff see only their own agency's (programs_visible_to).
    (KOTA, PROGRAM): frozenset({KELURAHAN, KECAMATAN, PIMPINAN}) | ADMINS,
    (LUAR, RESIDENT): ADMINS,
    (LUAR, PROGRAM): ADMINS,
    (LUAR, REPORT): ADMINS,
    # Sudin staff and pimpinan read the outreach of their whole kota; kelurahan and
    # kecamatan staff their kecamatan's (accounts.access.districts_with_outreach_visible_to).
    (KOTA, OUTREACH): frozenset({SUDIN, PIMPINAN}) | ADMINS,
    (LUAR, OUTREACH): ADMINS,
}


@dataclass
class Scope:
    """One place and agency with a resident, a stage record, a training and an enrolment."""

    label: str
    city: City
    district: District
    village: Village
    agency: Agency
    resident: Resident
    record: StageRecord
    program: Program
    enrollment: Enrollment | None = None
    period: TargetPeriod | None = None
    lead: FieldLead | None = None
    import_job: ImportJob | None = None
    export_job: ExportJob | None = None
    activity: OutreachActivity | None = None
    application: Application | None = None


@dataclass
class World:
    users: dict
    home: Scope
    kota: Scope
    luar: Scope

    def scope(self, variant: str) -> Scope:
        return {KOTA: self.kota, LUAR: self.luar}[variant]

    @cached_property
    def secrets(self) -> dict[tuple[str, str], list[str]]:
        """Strings that identify the other scope's data, by (variant, kind)."""
        found = {}
        for variant in (KOTA, LUAR):
            scope = self.scope(variant)
            resident = scope.resident
            found[(variant, RESIDENT)] = [
                resident.full_name,
                resident.nik,
                nik_mask(resident.nik),
                resident.kk_number,
                # An online application is the same personal data, before registration.
                scope.application.full_name,
                scope.application.nik,
            ]
            found[(variant, PROGRAM)] = [scope.program.code] + (
                [scope.lead.name] if scope.lead else []
            )
            if scope.activity:
                found[(variant, OUTREACH)] = [scope.activity.notes]
            if scope.period:
                # The exports name no period, but every row names its kecamatan.
                found[(variant, REPORT)] = [scope.period.name, scope.district.name]
        return found

    @cached_property
    def urls(self) -> dict[tuple[str, str], list[str]]:
        """Pages of the other scope's objects, which no refused request may redirect to."""
        return {
            (variant, kind): [obj.get_absolute_url()]
            for variant in (KOTA, LUAR)
            for kind, obj in (
                (RESIDENT, self.scope(variant).resident),
                (PROGRAM, self.scope(variant).program),
            )
        }


def _scope(label, village_code, agency, code, name, serial) -> Scope:
    village = Village.objects.select_related("district__city").get(code=village_code)
    district = village.district
    city_code, short_name = agency
    agency = Agency.objects.get(city__code=city_code, short_name=short_name)
    resident = ResidentFactory(
        village=village,
        full_name=name,
        nik=nik_build(
            district_code=district.code,
            birth_date=date(1990, 8, 5),
            gender="P",
            serial=serial,
        ),
        kk_number=f"{district.code.replace('.', '')}200125{serial}",
        registered_on=date(2025, 3, 1),
    )
    return Scope(
        label=label,
        city=district.city,
        district=district,
        village=village,
        agency=agency,
        resident=resident,
        record=StageRecordFactory(resident=resident),
        program=ProgramFactory(agency=agency, district=district, code=code),
        application=ApplicationFactory(
            village=village,
            full_name=f"Pemohon {name}",
            nik=nik_build(
                district_code=district.code,
                birth_date=date(1992, 4, 17),
                gender="P",
                serial=serial + 100,
            ),
        ),
    )


def build_world() -> World:
    load_reference_data()
    admin_role = UserFactory(is_staff=True)
    StaffProfile.objects.create(user=admin_role, role=Role.ADMIN)
    users = {
        NO_ROLE: UserFactory(),
        KELURAHAN: staff_user(Role.KELURAHAN, "31.73.08.1005"),  # Joglo
        KECAMATAN: staff_user(Role.KECAMATAN, "31.73.08"),  # Kembangan
        SUDIN: staff_user(Role.SUDIN, "31.73:PPKUKM"),
        PIMPINAN: staff_user(Role.PIMPINAN, "31.73"),
        ADMIN: admin_role,
        SUPERUSER: UserFactory(is_staff=True, is_superuser=True),
    }
    home = _scope(
        "home",
        "31.73.08.1005",
        ("31.73", "PPKUKM"),
        "JB-PPKUKM-2025-901",
        "Melati Joglo Rumah",
        7001,
    )
    kota = _scope(
        KOTA,
        "31.73.01.1005",
        ("31.73", "KPKP"),
        "JB-KPKP-2025-902",
        "Sekar Kapuk Rahasia",
        7002,
    )
    luar = _scope(
        LUAR,
        "31.75.01.1001",
        ("31.75", "PPKUKM"),
        "JT-PPKUKM-2025-903",
        "Bunga Timur Rahasia",
        7003,
    )
    for scope in (kota, luar):
        scope.enrollment = EnrollmentFactory(
            program=scope.program, resident=scope.resident
        )
        # An import by a clerk of that kelurahan: its pages are its owner's alone.
        scope.import_job = import_job_create(
            user=staff_user(Role.KELURAHAN, scope.village.code),
            file_name=f"impor-{scope.label}.csv",
            content=f"nik,nama\n{scope.resident.nik},{scope.resident.full_name}\n".encode(),
        )
        # A big export of a clerk of that kelurahan, built: its pages are its owner's alone.
        scope.export_job = export_job_create(
            user=staff_user(Role.KELURAHAN, scope.village.code),
            fmt="csv",
            filters={},
            unmasked=True,
        )
        export_build(job_id=scope.export_job.pk)
    home.period = period_create(
        city=home.city, name="Periode Barat Uji", start_semester="2023-S1"
    )
    luar.period = period_create(
        city=luar.city, name="Periode Timur Rahasia", start_semester="2023-S1"
    )
    luar.lead = field_lead_create(
        agency=luar.agency, district=luar.district, name="Kasatpel Timur Rahasia"
    )
    # An outreach activity per scope: Joglo's kantor kelurahan, Sudin KPKP in Cengkareng,
    # Matraman's kantor kecamatan.
    for scope, organiser in (
        (home, {"office": "kelurahan", "village": home.village}),
        (kota, {"agency": kota.agency}),
        (luar, {"office": "kecamatan"}),
    ):
        scope.activity = OutreachActivity.objects.create(
            held_on=date(2025, 3, 10),
            district=scope.district,
            kind="tatap_muka",
            people_reached=25,
            notes=f"Sosialisasi {scope.label} Rahasia",
            **organiser,
        )
    return World(users=users, home=home, kota=kota, luar=luar)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end.

    Each test runs in a savepoint inside it (pytest-django's `db`), and each request in
    a savepoint of its own, so what an admin's POST changes never reaches the next request.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals():
    """Django logs every 403/404 with its traceback: hundreds of them here, on purpose."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# --- The expectation table ------------------------------------------------------------

GET, POST = "GET", "POST"
PROBE_OK = (200, 302, 400, 403, 404)


@dataclass(frozen=True)
class Probe:
    """An extra request that names the other scope in its query or body (or mixes scopes)."""

    label: str
    method: str
    reach: frozenset  # roles whose request goes through (they may still refuse the parameter)
    kwargs: Callable[[World], dict] = lambda w: {}
    query: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = lambda w: {}
    # Roles that may change data with it (default: reach); refused requests never may.
    writers: frozenset | None = None
    # A count no role but an admin may move with it, even one that may otherwise write.
    guard: Callable[[World], int] | None = None


@dataclass(frozen=True)
class Rule:
    """Who may open one URL pattern, and who may reach the other scope through it."""

    methods: tuple[str, ...] = (GET,)
    # Patterns without object arguments: the roles that get through.
    opens: frozenset | None = None
    # Patterns with object arguments: variant ("kota"/"luar") -> roles that reach its object.
    reach: dict[str, frozenset] | None = None
    # Statuses a role that gets through may receive (default 200 for GET, 200/302/400 POST).
    ok: tuple[int, ...] | None = None
    # Exceptions to DEFAULT_SEES for this URL, each with its reason in a comment.
    sees: dict[tuple[str, str], frozenset] = field(default_factory=dict)
    # Query string for the object variants (reports choose their kota with ?kota=).
    query: Callable[[Scope], dict] | None = None
    # A filled-in form to POST to each object variant as well as the empty body.
    post_data: Callable[[World, Scope], dict] | None = None
    probes: tuple[Probe, ...] = ()


def _each(variant_probes: Callable[[str], list[Probe]]) -> tuple[Probe, ...]:
    return tuple(p for variant in (KOTA, LUAR) for p in variant_probes(variant))


def _resident_filters(variant: str, readers: frozenset, *, search=True) -> list[Probe]:
    filters = [
        Probe(
            f"GET ?district&village of {variant}",
            GET,
            readers,
            query=lambda w, v=variant: {
                "district": w.scope(v).district.pk,
                "village": w.scope(v).village.pk,
                "status": "all",
            },
        ),
        Probe(
            f"GET ?q=name of {variant} resident",
            GET,
            readers,
            query=lambda w, v=variant: {
                "q": w.scope(v).resident.full_name,
                "status": "all",
            },
        ),
    ]
    return filters if search else filters[:1]


def _report_probes() -> tuple[Probe, ...]:
    return (
        Probe(
            "GET ?kota=luar",
            GET,
            REPORT_READERS,
            query=lambda w: {"kota": w.luar.city.code},
        ),
        Probe(
            "GET ?periode=luar period",
            GET,
            REPORT_READERS,
            query=lambda w: {"periode": w.luar.period.pk},
        ),
    )


REGISTRATION_FORM = {
    "nik": nik_build(
        district_code="31.73.01", birth_date=date(1991, 1, 2), gender="L", serial=8001
    ),
    "full_name": "Titipan Luar Wilayah",
    "gender": "L",
    "birth_place": "Jakarta",
    "birth_date": "1991-01-02",
    "phone": "0812-3456-7890",
    "address": "Jl. Kapuk Raya No. 1",
    "rt": "1",
    "rw": "2",
    "education": "sma",
    "registered_on": "2025-03-01",
    "heard_via": "outreach",
    "confirm_warnings": "on",
}

PROGRAM_FORM = {
    "title": "Pelatihan Titipan",
    "category": "makanan",
    "venue": "Aula",
    "start_date": "2025-05-01",
    "end_date": "2025-05-02",
    "capacity": "10",
    "status": "open",
}

RULES: dict[str, Rule] = {
    # --- jakpreneur/urls.py ---
    "healthz": Rule(opens=EVERYONE),  # load balancers; says "ok" and nothing else
    "favicon": Rule(opens=EVERYONE, ok=(302,)),  # a redirect to the static icon
    "login": Rule(methods=(GET, POST), opens=EVERYONE),
    "logout": Rule(methods=(POST,), opens=SIGNED_IN, ok=(302,)),
    "password_change": Rule(methods=(GET, POST), opens=SIGNED_IN),
    "password_change_done": Rule(opens=SIGNED_IN),
    # --- home ---
    "home:home": Rule(opens=STAFF, ok=(302,)),  # a redirect to the role's home
    # Admins have no village, district or agency of their own: refused (403).
    "home:kelurahan": Rule(opens=frozenset({KELURAHAN})),
    "home:kecamatan": Rule(opens=frozenset({KECAMATAN})),
    "home:sudin": Rule(opens=frozenset({SUDIN})),
    # --- participants: pages without a resident in the path ---
    "participants:list": Rule(
        methods=(GET, POST),  # the search form posts, so a NIK never lands in a URL
        opens=READERS,
        ok=(200, 302),
        probes=_each(
            lambda v: [
                *_resident_filters(v, READERS),
                Probe(
                    f"POST q=NIK of {v} resident",
                    POST,
                    READERS,
                    data=lambda w, v=v: {"q": w.scope(v).resident.nik},
                ),
            ]
        ),
    ),
    "participants:create": Rule(
        methods=(GET, POST),
        opens=KEEPERS,
        probes=(
            # A complete registration naming Kapuk: a kelurahan clerk's form keeps its own
            # kelurahan, a kecamatan clerk's offers only its own; nobody but an admin may
            # add a resident to a kelurahan outside their scope.
            Probe(
                "POST a valid registration in kota kelurahan",
                POST,
                KEEPERS,
                data=lambda w: {
                    **REGISTRATION_FORM,
                    "district": w.kota.district.pk,
                    "village": w.kota.village.pk,
                },
                guard=lambda w: Resident.objects.filter(
                    village__in=[w.kota.village, w.luar.village]
                ).count(),
            ),
        ),
    ),
    "participants:export_csv": Rule(
        opens=READERS,
        # The list's own probes cover the name search; exports share its selector.
        probes=_each(lambda v: _resident_filters(v, READERS, search=False)),
    ),
    "participants:export_xlsx": Rule(
        opens=READERS,
        # The list's own probes cover the name search; exports share its selector.
        probes=_each(lambda v: _resident_filters(v, READERS, search=False)),
    ),
    "participants:lookup": Rule(
        methods=(GET, POST),
        opens=LOOKUP,
        # DOMAIN: Sudin staff find a resident of their own kota by exact NIK, to enrol them.
        sees={(KOTA, RESIDENT): frozenset({SUDIN, PIMPINAN}) | ADMINS},
        probes=_each(
            lambda v: [
                Probe(
                    f"POST nik of {v} resident",
                    POST,
                    LOOKUP,
                    data=lambda w, v=v: {"nik": w.scope(v).resident.nik},
                )
            ]
        ),
    ),
    "participants:nik_info": Rule(methods=(POST,), opens=KEEPERS),
    # The registration form's chained select: for those who register residents.
    "participants:village_options": Rule(
        opens=KEEPERS,
        probes=_each(
            lambda v: [
                Probe(
                    f"GET ?district of {v}",
                    GET,
                    KEEPERS,
                    query=lambda w, v=v: {"district": w.scope(v).district.pk},
                )
            ]
        ),
    ),
    # --- participants: one resident (pk, record_pk) ---
    "participants:detail": Rule(
        reach={KOTA: frozenset({PIMPINAN}) | ADMINS, LUAR: ADMINS}
    ),
    "participants:edit": Rule(methods=(GET, POST), reach={KOTA: ADMINS, LUAR: ADMINS}),
    "participants:void": Rule(
        methods=(POST,),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {"reason": "uji akses"},
    ),
    # Pimpinan see the kota resident's page but may not unmask the NIK (not a keeper).
    "participants:reveal_nik": Rule(
        methods=(POST,),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {"reason": "uji akses"},
    ),
    "participants:stage_create": Rule(
        methods=(POST,),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {
            "stage": "pendampingan",
            "reached_on": "2025-05-01",
            "mentor": "Bu Uji",
        },
    ),
    "participants:stage_delete": Rule(
        methods=(GET, POST),  # GET asks first, POST deletes
        reach={KOTA: ADMINS, LUAR: ADMINS},
        probes=(
            # The home resident (theirs), with a stage record of another resident.
            Probe(
                "POST own resident + kota record",
                POST,
                NOBODY,
                kwargs=lambda w: {
                    "pk": w.home.resident.pk,
                    "record_pk": w.kota.record.pk,
                },
            ),
        ),
    ),
    "participants:subject": Rule(reach={KOTA: ADMINS, LUAR: ADMINS}),
    "participants:subject_json": Rule(reach={KOTA: ADMINS, LUAR: ADMINS}),
    # --- programs: pages without a programme in the path ---
    "programs:list": Rule(
        opens=STAFF,
        probes=_each(
            lambda v: [
                Probe(
                    f"GET ?agency&district of {v}",
                    GET,
                    STAFF,
                    query=lambda w, v=v: {
                        "agency": w.scope(v).agency.pk,
                        "district": w.scope(v).district.pk,
                    },
                )
            ]
        ),
    ),
    # A Sudin's agency field is fixed to its own agency, and it may hold trainings in any
    # kecamatan of its kota: what must never appear is a training of another Sudin, or one
    # in another kota.
    "programs:create": Rule(
        methods=(GET, POST),
        opens=MANAGERS,
        probes=_each(
            lambda v: [
                Probe(
                    f"POST for the Sudin and kecamatan of {v}",
                    POST,
                    MANAGERS,
                    data=lambda w, v=v: {
                        **PROGRAM_FORM,
                        "agency": w.scope(v).agency.pk,
                        "district": w.scope(v).district.pk,
                    },
                    guard=lambda w: Program.objects.filter(
                        Q(agency__in=[w.kota.agency, w.luar.agency])
                        | Q(district__city=w.luar.city)
                    ).count(),
                )
            ]
        ),
    ),
    "programs:coverage": Rule(
        opens=COVERAGE,
        probes=(
            Probe(
                "GET ?kota=luar",
                GET,
                COVERAGE,
                query=lambda w: {"kota": w.luar.city.code},
            ),
        ),
    ),
    "programs:propose": Rule(
        methods=(POST,),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {"program": w.home.program.pk},
        probes=(
            # Their own resident into another kota's training: not open for them.
            Probe(
                "POST own resident into luar programme",
                POST,
                PROPOSERS,
                kwargs=lambda w: {"resident_pk": w.home.resident.pk},
                data=lambda w: {"program": w.luar.program.pk},
                writers=NOBODY,
            ),
        ),
    ),
    # --- programs: one programme (pk) ---
    "programs:detail": Rule(
        reach={KOTA: frozenset({KELURAHAN, KECAMATAN, PIMPINAN}) | ADMINS, LUAR: ADMINS}
    ),
    "programs:edit": Rule(methods=(GET, POST), reach={KOTA: ADMINS, LUAR: ADMINS}),
    "programs:enroll_nik": Rule(
        methods=(POST,),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {"nik": s.resident.nik, "enrolled_on": "2025-04-01"},
        probes=(
            # The Sudin's own training, a resident of another kota: not found, nothing written.
            Probe(
                "POST own programme + luar NIK",
                POST,
                MANAGERS,
                kwargs=lambda w: {"pk": w.home.program.pk},
                data=lambda w: {
                    "nik": w.luar.resident.nik,
                    "enrolled_on": "2025-04-01",
                },
                writers=ADMINS,
            ),
        ),
    ),
    # DOMAIN: a Sudin clerk enrols residents of their kota, so the checklist of a kelurahan
    # of the same kota is theirs to see (through residents_enrollable_by, access-logged:
    # tested in programs/tests); another kota's kelurahan never.
    "programs:enroll_village": Rule(
        methods=(GET, POST),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        sees={(KOTA, RESIDENT): frozenset({SUDIN}) | ADMINS},
        probes=(
            Probe(
                "GET own programme ?village=kota",
                GET,
                MANAGERS,
                kwargs=lambda w: {"pk": w.home.program.pk},
                query=lambda w: {"village": w.kota.village.pk},
            ),
            Probe(
                "GET own programme ?village=luar",
                GET,
                MANAGERS,
                kwargs=lambda w: {"pk": w.home.program.pk},
                query=lambda w: {"village": w.luar.village.pk},
            ),
            Probe(
                "POST own programme village=luar + luar resident",
                POST,
                MANAGERS,
                kwargs=lambda w: {"pk": w.home.program.pk},
                data=lambda w: {
                    "village": w.luar.village.pk,
                    "residents": [w.luar.resident.pk],
                },
                writers=NOBODY,
            ),
        ),
    ),
    "programs:roster": Rule(
        methods=(POST,),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {f"status-{s.enrollment.pk}": "cancelled"},
        probes=(
            # The Sudin's own training, with the id of another training's enrolment.
            Probe(
                "POST own programme + kota enrolment",
                POST,
                MANAGERS,
                kwargs=lambda w: {"pk": w.home.program.pk},
                data=lambda w: {f"status-{w.kota.enrollment.pk}": "cancelled"},
                writers=NOBODY,
            ),
        ),
    ),
    # Pimpinan read the rosters of their kota's trainings.
    "programs:roster_xlsx": Rule(
        reach={KOTA: frozenset({PIMPINAN}) | ADMINS, LUAR: ADMINS}
    ),
    "programs:attendance_sheet": Rule(
        reach={KOTA: frozenset({PIMPINAN}) | ADMINS, LUAR: ADMINS}
    ),
    # --- imports: each user's own imports only (admins too: nobody reaches another's) ---
    "imports:list": Rule(methods=(GET, POST), opens=IMPORTERS),
    "imports:template": Rule(opens=IMPORTERS),
    "imports:detail": Rule(reach={KOTA: NOBODY, LUAR: NOBODY}),
    "imports:commit": Rule(methods=(POST,), reach={KOTA: NOBODY, LUAR: NOBODY}),
    "imports:resume": Rule(methods=(POST,), reach={KOTA: NOBODY, LUAR: NOBODY}),
    "imports:errors": Rule(reach={KOTA: NOBODY, LUAR: NOBODY}),
    # --- exports: each user's own big exports only (admins too) ---
    "exports:list": Rule(opens=READERS),
    "exports:detail": Rule(reach={KOTA: NOBODY, LUAR: NOBODY}),
    "exports:rerun": Rule(methods=(POST,), reach={KOTA: NOBODY, LUAR: NOBODY}),
    "exports:download": Rule(reach={KOTA: NOBODY, LUAR: NOBODY}),
    # --- applications: the public pages (anyone), the kelurahan's queue ---
    "applications:apply": Rule(
        methods=(GET, POST),
        opens=EVERYONE,
        # Every kota's kecamatan and kelurahan names are public (the domicile choice).
        sees={(LUAR, REPORT): EVERYONE},
    ),
    # Without an application just sent (in the session): a redirect to the form.
    "applications:sent": Rule(opens=EVERYONE, ok=(302,)),
    "applications:status": Rule(
        methods=(GET, POST),
        opens=EVERYONE,
        probes=_each(
            lambda v: [
                # Another scope's code with a wrong birth date: nothing shown.
                Probe(
                    f"POST code of {v} application, wrong birth date",
                    POST,
                    EVERYONE,
                    data=lambda w, v=v: {
                        "code": w.scope(v).application.code,
                        "birth_date": "2000-01-01",
                    },
                    writers=NOBODY,
                )
            ]
        ),
    ),
    "applications:queue": Rule(
        opens=KEEPERS,
        probes=(
            Probe("GET ?status=all", GET, KEEPERS, query=lambda w: {"status": "all"}),
        ),
    ),
    "applications:detail": Rule(
        methods=(GET, POST),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {
            "action": "refuse",
            "status": "rejected",
            "reason": "uji akses",
        },
    ),
    "applications:accept": Rule(
        methods=(GET, POST), reach={KOTA: ADMINS, LUAR: ADMINS}
    ),
    # --- reports ---
    "reports:dashboard": Rule(opens=REPORT_READERS, probes=_report_probes()),
    "reports:breakdowns": Rule(opens=REPORT_READERS, probes=_report_probes()),
    "reports:print": Rule(opens=REPORT_READERS, probes=_report_probes()),
    "reports:export_csv": Rule(opens=REPORT_READERS, probes=_report_probes()),
    "reports:export_xlsx": Rule(opens=REPORT_READERS, probes=_report_probes()),
    "reports:export_json": Rule(opens=REPORT_READERS, probes=_report_probes()),
    # A kecamatan of the pimpinan's own kota (Cengkareng) is theirs to read.
    "reports:district": Rule(
        reach={KOTA: REPORT_READERS, LUAR: ADMINS},
        query=lambda s: {"kota": s.city.code},
        probes=(
            Probe(
                "GET luar kecamatan in the default kota",
                GET,
                NOBODY,
                kwargs=lambda w: {"code": w.luar.district.code},
            ),
            Probe(
                "GET kota kecamatan ?periode=luar period",
                GET,
                NOBODY,
                kwargs=lambda w: {"code": w.kota.district.code},
                query=lambda w: {"periode": w.luar.period.pk},
            ),
        ),
    ),
    # --- public: no login; official facts of every kota, never a resident ---
    # Every kota's kecamatan are listed by name (the "luar" report's kecamatan among them).
    "public:index": Rule(opens=EVERYONE, sees={(LUAR, REPORT): EVERYONE}),
    # A kecamatan's page names its field leads (official contacts) and its kota's open
    # trainings (not their codes); residents stay hidden from everyone.
    "public:district": Rule(
        reach={KOTA: EVERYONE, LUAR: EVERYONE},
        sees={
            (KOTA, PROGRAM): EVERYONE,
            (LUAR, PROGRAM): EVERYONE,
            (LUAR, REPORT): EVERYONE,
        },
    ),
    # --- outreach (issue 13) ---
    "outreach:list": Rule(
        opens=OUTREACH_READERS,
        probes=_each(
            lambda v: [
                Probe(
                    f"GET ?district of {v}",
                    GET,
                    OUTREACH_READERS,
                    query=lambda w, v=v: {
                        "district": w.scope(v).district.pk,
                        "semester": "2025-S1",
                    },
                )
            ]
        ),
    ),
    # Kecamatan and kelurahan staff's district (and kelurahan's village) are fixed to
    # theirs, a Sudin's organiser to itself: whatever they post, nothing lands in another
    # kota, or in the other kecamatan unless by the Sudin of the kota (theirs to record).
    "outreach:create": Rule(
        methods=(GET, POST),
        opens=OUTREACH_RECORDERS,
        probes=_each(
            lambda v: [
                Probe(
                    f"POST an activity in {v} kecamatan",
                    POST,
                    OUTREACH_RECORDERS,
                    data=lambda w, v=v: {
                        "held_on": "2025-03-11",
                        "kind": "bazar",
                        "district": w.scope(v).district.pk,
                        "village": w.scope(v).village.pk,
                        "organiser": f"sudin:{w.scope(v).agency.pk}",
                        "people_reached": "10",
                    },
                    guard=lambda w: OutreachActivity.objects.filter(
                        Q(district=w.luar.district)
                        | (Q(district=w.kota.district) & ~Q(agency=w.home.agency))
                    ).count(),
                )
            ]
        ),
    ),
    "outreach:edit": Rule(
        methods=(GET, POST),
        reach={KOTA: ADMINS, LUAR: ADMINS},
        post_data=lambda w, s: {
            "held_on": "2025-03-12",
            "kind": "lainnya",
            "district": s.district.pk,
            "organiser": "kantor:kecamatan",
            "people_reached": "1",
        },
    ),
    "outreach:delete": Rule(methods=(POST,), reach={KOTA: ADMINS, LUAR: ADMINS}),
}

# URL keyword -> the other scope's object it names, per app namespace.
KWARG_OBJECTS: dict[tuple[str, str], Callable[[Scope], object]] = {
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

# --- The resolver ---------------------------------------------------------------------

# Views with their own small tests below (the Django admin, the language switch, static files).
SKIPPED_MODULES = (
    "django.views.i18n",
    "django.views.static",
    "django.contrib.staticfiles",
)


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route when the pattern has no name
    route: str
    namespace: str
    arguments: tuple[str, ...]  # keywords the path itself carries
    module: str


def walk(patterns, namespace="", prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = (
                f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            )
            yield Pattern(
                name=name or route,
                route=route,
                namespace=namespace,
                arguments=tuple(entry.pattern.regex.groupindex),
                module=entry.callback.__module__,
            )


ALL_PATTERNS = list(walk(get_resolver().url_patterns))
PATTERNS = [
    p
    for p in ALL_PATTERNS
    if p.namespace.split(":")[0] != "admin" and not p.module.startswith(SKIPPED_MODULES)
]


# --- Running one request ----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    label: str
    method: str
    kwargs: dict
    query: dict
    data: dict
    reach: frozenset
    ok: tuple[int, ...]
    writers: frozenset
    guard: Callable[[World], int] | None = None


def cases_for(pattern: Pattern, rule: Rule, world: World) -> list[Case]:
    """The requests to send for one pattern: each object variant, then the probes."""
    cases = []
    if pattern.arguments:
        for variant in (KOTA, LUAR):
            scope = world.scope(variant)
            kwargs = {}
            for argument in pattern.arguments:
                pick = KWARG_OBJECTS.get((pattern.namespace, argument))
                if pick is None:
                    pytest.fail(
                        f"{pattern.name}: no other-scope object for <{argument}>: "
                        "add one to KWARG_OBJECTS",
                        pytrace=False,
                    )
                kwargs[argument] = pick(scope)
            query = rule.query(scope) if rule.query else {}
            reach = rule.reach[variant]
            label = f"{variant} {_describe(pattern, scope)}"
            for method in rule.methods:
                ok = rule.ok or _default_ok(method)
                cases.append(
                    Case(
                        f"{method} {label}", method, kwargs, query, {}, reach, ok, reach
                    )
                )
                if method == POST and rule.post_data:
                    data = rule.post_data(world, scope)
                    cases.append(
                        Case(
                            f"POST filled {label}",
                            POST,
                            kwargs,
                            query,
                            data,
                            reach,
                            ok,
                            reach,
                        )
                    )
    else:
        for method in rule.methods:
            ok = rule.ok or _default_ok(method)
            cases.append(Case(method, method, {}, {}, {}, rule.opens, ok, rule.opens))
    if GET not in rule.methods:
        first = cases[0]
        cases.insert(
            0,
            Case(
                "GET to a POST-only view",
                GET,
                first.kwargs,
                first.query,
                {},
                NOBODY,
                (405,),
                NOBODY,
            ),
        )
    for probe in rule.probes:
        writers = probe.reach if probe.writers is None else probe.writers
        cases.append(
            Case(
                probe.label,
                probe.method,
                probe.kwargs(world),
                probe.query(world),
                probe.data(world),
                probe.reach,
                PROBE_OK,
                writers,
                probe.guard,
            )
        )
    return cases


def _default_ok(method: str) -> tuple[int, ...]:
    return (200,) if method == GET else (200, 302, 400)


def _describe(pattern: Pattern, scope: Scope) -> str:
    if "resident_pk" in pattern.arguments or pattern.namespace == "participants":
        return f"resident {scope.resident.full_name}"
    if pattern.namespace == "programs":
        return f"programme {scope.program.code}"
    if pattern.namespace == "applications":
        return f"application {scope.application.code}"
    return f"kecamatan {scope.district.code}"


def body_text(response) -> str:
    """What the response shows: HTML/CSV/JSON as text, XLSX as its XML parts, plus headers."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            text = "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    else:
        text = content.decode("utf-8", "replace")
        if "json" in response.get("Content-Type", ""):
            with contextlib.suppress(ValueError):
                text += json.dumps(json.loads(text), ensure_ascii=False)
    return text + "\n" + response.get("Content-Disposition", "")


# Every save the views make leaves a history row; the rest is counted directly. The access
# log is not a write of data: every NIK lookup is logged, found or refused.
WRITTEN = [
    Application,
    Resident.history.model,
    StageRecord.history.model,
    Program.history.model,
    Enrollment.history.model,
    OutreachActivity.history.model,
    Resident,
    StageRecord,
    Enrollment,
    OutreachActivity,
]


def fingerprint() -> tuple:
    """Row counts of what a request may write, and the enrolment and void statuses."""
    counts = ", ".join(f"(SELECT COUNT(*) FROM {m._meta.db_table})" for m in WRITTEN)
    statuses = (
        f"(SELECT COUNT(*) FROM {Enrollment._meta.db_table} WHERE status = %s), "
        f"(SELECT COUNT(*) FROM {Resident._meta.db_table} WHERE is_void)"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}, {statuses}", [Enrollment.Status.CANCELLED])
        return cursor.fetchone()


def typed_by_the_user(case: Case) -> set[str]:
    """Values the request itself carries: echoing them back is not a leak."""
    typed = set()
    for value in [*case.query.values(), *case.data.values()]:
        for item in value if isinstance(value, list) else [value]:
            typed |= {str(item), nik_mask(str(item))}
    return typed


LOGIN = reverse("login")


def verdict(
    rule: Rule, case: Case, role: str, status: int, location: str
) -> str | None:
    """What is wrong with the status, or None."""
    if role == ANONYMOUS and role not in case.reach:
        if (status == 302 and location.startswith(LOGIN)) or status in (403, 404, 405):
            return None
        return f"anonymous got {status} {location}".strip()
    if case.method not in rule.methods:
        return None if status == 405 else f"expected 405, got {status}"
    if role in case.reach:
        if status in case.ok:
            return None
        return (
            f"expected {'/'.join(map(str, case.ok))}, got {status} {location}".strip()
        )
    # A refused POST may also answer 400, as long as it shows and writes nothing.
    refused = (403, 404, 400) if case.method == POST else (403, 404)
    if status in refused:
        return None
    return f"expected 403/404, got {status} {location}".strip()


def run_case(
    client, world: World, pattern: Pattern, rule: Rule, case: Case, role: str
) -> list[str]:
    url = reverse(pattern.name, kwargs=case.kwargs)
    if case.query:
        url = f"{url}?{urlencode(case.query)}"
    where = f"{role}: {case.label} [{case.method} {url}]"
    watch = case.method == POST and role not in case.writers
    guard = case.guard if case.guard and role not in ADMINS else None
    try:
        # A savepoint per request: an admin's POST must not change what the next one sees.
        with transaction.atomic():
            before = (fingerprint() if watch else None, guard(world) if guard else None)
            if case.method == GET:
                response = client.get(url)
            else:
                response = client.post(url, case.data)
            text = body_text(response)
            after = (fingerprint() if watch else None, guard(world) if guard else None)
            transaction.set_rollback(True)
    except Exception as error:
        return [f"{where}: raised {type(error).__name__}: {error}"]

    status, location = response.status_code, response.get("Location", "")
    problems = []
    wrong = verdict(rule, case, role, status, location)
    if wrong:
        problems.append(f"{where}: {wrong}")
    typed = typed_by_the_user(case)
    for group, strings in world.secrets.items():
        if role in rule.sees.get(group, DEFAULT_SEES[group]):
            continue
        leaked = [s for s in strings if s in text and not any(s in t for t in typed)]
        if leaked:
            problems.append(
                f"{where}: {status}, shows {group[0]} {group[1]} data {leaked}"
            )
        pages = world.urls.get(group, [])
        if location and any(location.startswith(page) for page in pages):
            problems.append(f"{where}: redirects to {location} ({group[0]} {group[1]})")
    if before != after:
        problems.append(f"{where}: {status}, wrote to the database")
    return problems


# --- The tests ----------------------------------------------------------------------------


def test_every_url_has_an_access_rule():
    missing = [f"{p.name} ({p.route})" for p in PATTERNS if p.name not in RULES]

    assert not missing, "new URL without an access rule: " + ", ".join(missing)


def test_every_access_rule_names_a_url():
    names = {p.name for p in PATTERNS}

    assert sorted(set(RULES) - names) == []


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_url_keeps_the_other_scope_out(client, places, world, pattern):
    """Every role, anonymous included, against the other scope's objects on this URL."""
    rule = RULES.get(pattern.name)
    if rule is None:
        pytest.fail(f"new URL without an access rule: {pattern.name} ({pattern.route})")
    cases = cases_for(pattern, rule, world)

    problems = []
    for role in ROLES:
        client.logout()
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        for case in cases:
            problems += run_case(client, world, pattern, rule, case, role)

    assert not problems, f"{pattern.name}:\n  " + "\n  ".join(problems)


# --- The Django admin and the language switch ------------------------------------------------


def admin_pages(world: World) -> list[str]:
    pages = [reverse("admin:index")]
    for model in (Resident, AccessLog, Program, get_user_model()):
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
    for obj in (world.luar.resident, world.luar.program):
        info = (obj._meta.app_label, obj._meta.model_name)
        pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_admin_site_is_for_admins_only(client, places, world, role):
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    logins = (reverse("admin:login"), LOGIN)
    index = reverse("admin:index")

    problems = []
    for page in admin_pages(world):
        response = client.get(page)
        status, location = response.status_code, response.get("Location", "")
        if role == SUPERUSER:
            ok = status == 200
        elif role == ADMIN:
            # is_staff without a superuser's model permissions: the index, no tables.
            ok = status == 200 if page == index else status in (200, 403)
        else:
            ok = status == 403 or (status == 302 and location.startswith(logins))
        if not ok:
            problems.append(f"{page}: {status} {location}".strip())

    assert not problems, f"admin as {role}:\n  " + "\n  ".join(problems)


def test_only_the_admin_and_the_language_switch_are_outside_the_table():
    skipped = sorted(
        p.name
        for p in ALL_PATTERNS
        if p not in PATTERNS and p.namespace.split(":")[0] != "admin"
    )

    assert skipped == ["set_language"]


@pytest.mark.parametrize("role", [ANONYMOUS, KELURAHAN, SUPERUSER])
def test_language_switch_answers_everyone_and_shows_nothing(
    client, places, world, role
):
    if role != ANONYMOUS:
        client.force_login(world.users[role])

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    assert not re.search(r"Rahasia|\d{16}", body_text(response))
