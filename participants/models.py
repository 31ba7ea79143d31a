"""Residents (warga) in the Jakpreneur programme, the stages they reach, and who saw their data."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jakpreneur.history import HistoricalRecords
from jakpreneur.text import CleanTextModelMixin

from .identity import name_normalize, nik_mask

SIXTEEN_DIGITS = r"^[0-9]{16}$"


class Gender(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class Education(models.TextChoices):
    NONE = "none", _("Tidak/belum sekolah")
    SD = "sd", _("SD/sederajat")
    SMP = "smp", _("SMP/sederajat")
    SMA = "sma", _("SMA/SMK/sederajat")
    DIPLOMA = "diploma", _("Diploma (D1–D3)")
    S1 = "s1", _("S1/D4")
    S2 = "s2", _("S2/S3")


class Sector(models.TextChoices):
    """Business sectors; training categories use the same list."""

    MAKANAN = "makanan", _("Makanan")
    MINUMAN = "minuman", _("Minuman")
    JASA = "jasa", _("Jasa")
    KERAJINAN = "kerajinan", _("Kerajinan")
    FASHION = "fashion", _("Fashion")
    LAINNYA = "lainnya", _("Lainnya")


class HeardVia(models.TextChoices):
    """How a resident heard of Jakpreneur (asked by the desk form and the online form)."""

    OUTREACH = "outreach", _("Kegiatan sosialisasi di sekitar saya")
    FIELD_LEAD = "field_lead", _("Kasatlak/Kasatpel Suku Dinas")
    SOCIAL_MEDIA = "social_media", _("Media sosial")
    FAMILY = "family", _("Keluarga/tetangga/teman")
    KELURAHAN = "kelurahan", _("Kantor kelurahan/kecamatan")
    OTHER = "other", _("Lainnya")


class Channel(models.TextChoices):
    """Through which door a resident was registered."""

    DESK = "desk", _("Meja layanan (petugas)")
    ONLINE = "online", _("Pengajuan daring (diverifikasi kelurahan)")
    IMPORT = "import", _("Impor berkas")


class Stage(models.TextChoices):
    """The seven PAS stages of PKT, stored by name (offices number them differently)."""

    PENDAFTARAN = "pendaftaran", _("Pendaftaran")
    PELATIHAN = "pelatihan", _("Pelatihan")
    PENDAMPINGAN = "pendampingan", _("Pendampingan")
    PERIZINAN = "perizinan", _("Perizinan")
    PEMASARAN = "pemasaran", _("Pemasaran")
    PELAPORAN_KEUANGAN = "pelaporan_keuangan", _("Pelaporan keuangan")
    PERMODALAN = "permodalan", _("Permodalan")


# Pendaftaran is the registration date; Pelatihan comes from enrolments.
RECORDED_STAGES = [
    Stage.PENDAMPINGAN,
    Stage.PERIZINAN,
    Stage.PEMASARAN,
    Stage.PELAPORAN_KEUANGAN,
    Stage.PERMODALAN,
]

# Where each stage's date lives on the resident. Pendaftaran is the registration date; the
# others are kept by participants.stages from stage records and enrolments, so lists and
# reports filter and count on one indexed column.
STAGE_DATE_FIELDS = {
    Stage.PENDAFTARAN: "registered_on",
    Stage.PELATIHAN: "trained_on",
    Stage.PENDAMPINGAN: "mentored_on",
    Stage.PERIZINAN: "licensed_on",
    Stage.PEMASARAN: "marketed_on",
    Stage.PELAPORAN_KEUANGAN: "reported_on",
    Stage.PERMODALAN: "financed_on",
}
DERIVED_STAGE_FIELDS = [
    f for s, f in STAGE_DATE_FIELDS.items() if s != Stage.PENDAFTARAN
]
# What participants.stages keeps on each resident from the source rows.
DERIVED_FIELDS = [*DERIVED_STAGE_FIELDS, "trained_agency", "trained_category"]

TARGET_GROUPS = {
    "is_job_seeker": _("Pencari kerja"),
    "is_low_income": _("Keluarga prasejahtera"),
    "has_disability": _("Penyandang disabilitas"),
    "has_business": _("Sudah punya usaha"),
}


class ResidentQuerySet(models.QuerySet):
    """Residents, remembering the kelurahan a list was narrowed to (`in_villages`), so
    that its pages can be read kelurahan by kelurahan
    (participants.selectors.resident_page_ids)."""

    villages: tuple[int, ...] | None = None  # None: not narrowed by in_villages

    def in_villages(self, ids) -> "ResidentQuerySet":
        ids = tuple(ids)
        if self.villages is not None:
            wanted = set(ids)
            ids = tuple(pk for pk in self.villages if pk in wanted)
        narrowed = self.filter(village_id__in=ids)
        narrowed.villages = ids
        return narrowed

    def _clone(self):
        clone = super()._clone()
        clone.villages = self.villages
        return clone


class Resident(CleanTextModelMixin, models.Model):
    """One person, identified by NIK, whatever trainings they attend."""

    nik = models.CharField(_("NIK"), max_length=16)  # unique: Meta.constraints
    kk_number = models.CharField(_("nomor KK"), max_length=16, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    name_key = models.CharField(max_length=150, editable=False)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender)
    birth_place = models.CharField(_("tempat lahir"), max_length=100)
    birth_date = models.DateField(_("tanggal lahir"))
    phone = models.CharField(_("nomor HP/telepon"), max_length=16)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("alamat"), max_length=255)
    rt = models.CharField(_("RT"), max_length=3)
    rw = models.CharField(_("RW"), max_length=3)
    village = models.ForeignKey(
        "wilayah.Village",
        models.PROTECT,
        related_name="residents",
        verbose_name=_("kelurahan domisili"),
        db_index=False,  # resident_village_reg leads with it
    )
    education = models.CharField(
        _("pendidikan terakhir"), max_length=10, choices=Education
    )
    is_job_seeker = models.BooleanField(TARGET_GROUPS["is_job_seeker"], default=False)
    is_low_income = models.BooleanField(TARGET_GROUPS["is_low_income"], default=False)
    has_disability = models.BooleanField(TARGET_GROUPS["has_disability"], default=False)
    has_business = models.BooleanField(TARGET_GROUPS["has_business"], default=False)
    business_name = models.CharField(_("nama usaha"), max_length=150, blank=True)
    business_sector = models.CharField(
        _("bidang usaha"), max_length=10, choices=Sector, blank=True
    )
    business_started_year = models.PositiveSmallIntegerField(
        _("tahun mulai usaha"), null=True, blank=True
    )
    registered_on = models.DateField(
        _("tanggal pendaftaran"), default=timezone.localdate
    )
    # Empty: not asked (records from before the question, or an import without the column).
    heard_via = models.CharField(
        _("tahu Jakpreneur dari"),
        max_length=20,
        choices=HeardVia,
        blank=True,
        default="",
        db_default="",
    )
    channel = models.CharField(
        _("jalur pendaftaran"),
        max_length=10,
        choices=Channel,
        default=Channel.DESK,
        db_default=Channel.DESK.value,
        editable=False,
    )
    # Indexed: deleting a staff account sets it to NULL on their residents (Django's
    # SET_NULL UPDATE ... WHERE registered_by_id = ...), which would else read every row.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("didaftarkan oleh"),
    )
    # First date each later stage was reached (kept by participants.stages; never typed in).
    trained_on = models.DateField(_("Pelatihan"), null=True, blank=True, editable=False)
    mentored_on = models.DateField(
        _("Pendampingan"), null=True, blank=True, editable=False
    )
    licensed_on = models.DateField(
        _("Perizinan"), null=True, blank=True, editable=False
    )
    marketed_on = models.DateField(
        _("Pemasaran"), null=True, blank=True, editable=False
    )
    reported_on = models.DateField(
        _("Pelaporan keuangan"), null=True, blank=True, editable=False
    )
    financed_on = models.DateField(
        _("Permodalan"), null=True, blank=True, editable=False
    )
    # The Sudin and category of the training that put the resident at Pelatihan (their first
    # hadir or lulus enrolment), kept with trained_on for the breakdowns (DOMAIN rule 7).
    trained_agency = models.ForeignKey(
        "programs.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("Suku Dinas pelatihan pertama"),
        db_index=False,  # resident_trained_agency, only the trained residents
    )
    trained_category = models.CharField(
        _("kategori pelatihan pertama"),
        max_length=10,
        choices=Sector,
        blank=True,
        default="",
        db_default="",  # bulk loads insert residents without it
        editable=False,
    )
    # Right to erasure (UU PDP): personal fields replaced, counted facts kept.
    anonymised_at = models.DateTimeField(
        _("dianonimkan pada"), null=True, blank=True, editable=False
    )
    is_void = models.BooleanField(_("dibatalkan"), default=False)
    void_reason = models.CharField(_("alasan pembatalan"), max_length=255, blank=True)
    voided_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = ResidentQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["name_key", "updated_at", *DERIVED_FIELDS]
    )

    class Meta:
        verbose_name = _("warga")
        verbose_name_plural = _("warga")
        ordering = ["-registered_on", "-id"]
        # Every index costs each registration its update, so each one here names the
        # queries it serves. Not indexed on purpose: the NIK and name_key for LIKE
        # 'prefix%' (no query asks it: names are searched by trigram, NIKs whole).
        # Also on the table: the primary key, registered_by's index (above) and, on
        # PostgreSQL, resident_name_key_trgm (migration 0002): the name search of the
        # resident list, `name_key LIKE '%siti%'` (participants.selectors.residents_search).
        indexes = [
            # A kelurahan's or kecamatan's resident list, newest first, and its capped
            # count (residents_filtered: village_id IN (...) ORDER BY registered_on DESC,
            # id DESC); the exports; counting.stage_counts_rebuild and stages' rebuilds
            # per kelurahan; Village's PROTECT check. On PostgreSQL it also carries the
            # name key, status and gender, so a clerk's name search, name order and those
            # filters are answered from the index alone (an index-only scan of their own
            # area's entries), never from heap rows scattered over the whole city's
            # table: a clerk's search costs what their area holds (benchmarks/
            # resident_list.py, Kembangan 'siti' at 4.6M residents: 549 ms -> 30 ms).
            # It also carries the two stage dates of the desks' "waiting for training /
            # mentoring" counts (home.views, residents_waiting_for), so those count
            # index entries too (a kelurahan of 20,000 at 8.8M residents: 55-63 ms each
            # from heap rows, 3.5 ms from the index).
            models.Index(
                fields=["village", "-registered_on", "-id"],
                include=["name_key", "is_void", "gender", "trained_on", "mentored_on"],
                name="resident_village_reg",
            ),
            # The whole kota's or the city's list newest first (pimpinan, admin, the
            # admin's change list) and "registered in semester X" (registered_on range).
            models.Index(fields=["-registered_on", "-id"], name="resident_reg"),
            # "Reached stage X" lists of a kota or the city, newest first, without scanning
            # everyone (residents_reached_stage). Partial: a registration, which has
            # reached no later stage yet, is written to none of them.
            *[
                models.Index(
                    fields=["-registered_on", "-id"],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"resident_{field}",
                )
                for field in DERIVED_STAGE_FIELDS
            ],
            # The possible-duplicate warning of the registration form: same name_key and
            # birth date (ResidentForm._warnings, one probe). Birth date first on
            # purpose: a name_key-first index offered the planner a walk through the
            # whole city in name order for a clerk's "Nama A–Z" list, filtering for their
            # area (3.4 s at 4.6M residents, against 34 ms from the kelurahan index).
            models.Index(fields=["birth_date", "name_key"], name="resident_twins"),
            # Agency's PROTECT check when a Suku Dinas is deleted. Partial: new residents
            # (not trained yet) are not written to it.
            models.Index(
                fields=["trained_agency"],
                condition=Q(trained_agency__isnull=False),
                name="resident_trained_agency",
            ),
        ]
        constraints = [
            # One resident per NIK; also the NIK lookups (search, live check, enrolment
            # by NIK, participants.services.nik_holder).
            models.UniqueConstraint(
                fields=["nik"], name="participants_resident_nik_key"
            ),
            models.CheckConstraint(
                condition=Q(nik__regex=SIXTEEN_DIGITS),
                name="participants_resident_nik_16_digits",
                violation_error_message=_("NIK harus 16 digit angka."),
            ),
            models.CheckConstraint(
                condition=Q(kk_number="") | Q(kk_number__regex=SIXTEEN_DIGITS),
                name="participants_resident_kk_16_digits",
                violation_error_message=_("Nomor KK harus 16 digit angka."),
            ),
            models.CheckConstraint(
                condition=Q(rt__regex=r"^[0-9]{1,3}$") & Q(rw__regex=r"^[0-9]{1,3}$"),
                name="participants_resident_rt_rw_digits",
                violation_error_message=_(
                    "RT dan RW berupa angka, paling banyak 3 digit."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_void=False) | ~Q(void_reason=""),
                name="participants_resident_void_has_reason",
                violation_error_message=_(
                    "Pembatalan pendaftaran wajib diberi alasan."
                ),
            ),
            models.CheckConstraint(
                condition=Q(registered_on__gte=models.F("birth_date")),
                name="participants_resident_registered_after_birth",
                violation_error_message=_(
                    "Tanggal pendaftaran tidak boleh sebelum tanggal lahir."
                ),
            ),
            models.CheckConstraint(
                condition=Q(business_started_year__isnull=True)
                | Q(business_started_year__gte=1945, business_started_year__lte=2100),
                name="participants_resident_business_year_sane",
                violation_error_message=_("Tahun mulai usaha tidak masuk akal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({nik_mask(self.nik)})"

    def save(self, *args, **kwargs):
        # name_key is the searchable form of full_name: a save that writes one writes both.
        self.name_key = name_normalize(self.full_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("participants:detail", args=[self.pk])

    @property
    def furthest_stage(self) -> Stage:
        """The last of the seven stages this resident has reached (Pendaftaran at least)."""
        return next(
            stage
            for stage in reversed(Stage)
            if getattr(self, STAGE_DATE_FIELDS[stage]) is not None
        )

    @property
    def target_groups(self) -> list[str]:
        return [
            str(label) for field, label in TARGET_GROUPS.items() if getattr(self, field)
        ]


class LicenceType(models.TextChoices):
    NIB = "nib", _("NIB")
    PIRT = "pirt", _("P-IRT")
    HALAL = "halal", _("Sertifikat halal")
    HAKI = "haki", _("HAKI")


class StageRecord(CleanTextModelMixin, models.Model):
    """Evidence that a resident reached a stage (Pendampingan … Permodalan) on a date."""

    resident = models.ForeignKey(
        Resident, models.PROTECT, related_name="stage_records", verbose_name=_("warga")
    )
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage)
    reached_on = models.DateField(_("tanggal"))
    mentor = models.CharField(_("pendamping"), max_length=120, blank=True)
    licence_type = models.CharField(
        _("jenis izin"), max_length=10, choices=LicenceType, blank=True
    )
    licence_number = models.CharField(_("nomor izin"), max_length=60, blank=True)
    channel = models.CharField(_("acara/kanal pemasaran"), max_length=150, blank=True)
    lender = models.CharField(
        _("bank/lembaga pemberi modal"), max_length=120, blank=True
    )
    amount = models.DecimalField(
        _("jumlah (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("catatan tahap")
        verbose_name_plural = _("catatan tahap")
        ordering = ["reached_on", "id"]
        indexes = [
            models.Index(
                fields=["resident", "stage", "reached_on"], name="stage_resident"
            ),
            models.Index(fields=["stage", "reached_on"], name="stage_reached"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=RECORDED_STAGES),
                name="participants_stagerecord_recorded_stage",
                violation_error_message=_(
                    "Pendaftaran dan Pelatihan tidak dicatat di sini: keduanya berasal "
                    "dari tanggal pendaftaran dan dari kehadiran pelatihan."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.PERIZINAN)
                | (~Q(licence_type="") & ~Q(licence_number="")),
                name="participants_stagerecord_licence_evidence",
                violation_error_message=_("Perizinan perlu jenis dan nomor izin."),
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.PEMASARAN) | ~Q(channel=""),
                name="participants_stagerecord_marketing_evidence",
                violation_error_message=_("Pemasaran perlu nama acara atau kanal."),
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.PERMODALAN)
                | (~Q(lender="") & Q(amount__gt=0)),
                name="participants_stagerecord_credit_evidence",
                violation_error_message=_(
                    "Permodalan perlu pemberi modal dan jumlahnya."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.reached_on:%d/%m/%Y}"

    @property
    def evidence(self) -> str:
        """The stage's proof in one line: licence, event, lender and amount, or mentor."""
        parts = {
            Stage.PENDAMPINGAN: [self.mentor],
            Stage.PERIZINAN: [self.get_licence_type_display(), self.licence_number],
            Stage.PEMASARAN: [self.channel],
            Stage.PERMODALAN: [
                self.lender,
                f"Rp{self.amount:,.0f}".replace(",", ".") if self.amount else "",
            ],
        }.get(self.stage, [])
        return " · ".join(part for part in parts if part)


class AccessLog(CleanTextModelMixin, models.Model):
    """Every view of an unmasked NIK and every export that contains one (UU PDP)."""

    class Action(models.TextChoices):
        REVEAL_NIK = "reveal_nik", _("Melihat NIK lengkap")
        EXPORT_LIST = "export_list", _("Ekspor daftar warga dengan NIK")
        EXPORT_SUBJECT = "export_subject", _("Ekspor data pribadi untuk warga")
        LOOKUP_NIK = "lookup_nik", _("Mencari warga dengan NIK lengkap")
        ANONYMISE = "anonymise", _("Menganonimkan data pribadi warga")
        LIST_FOR_ENROLMENT = (
            "list_enrolment",
            _("Melihat daftar warga kelurahan untuk pendaftaran pelatihan"),
        )

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("pengguna"),
    )
    username = models.CharField(_("nama pengguna"), max_length=150)
    action = models.CharField(_("tindakan"), max_length=20, choices=Action)
    resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("warga"),
    )
    reason = models.CharField(_("alasan"), max_length=255, blank=True)
    detail = models.CharField(_("rincian"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("log akses data pribadi")
        verbose_name_plural = _("log akses data pribadi")
        ordering = ["-at"]
        indexes = [models.Index(fields=["resident", "-at"], name="accesslog_resident")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"


class StageCount(models.Model):
    """How many counted residents of a kelurahan first reached a stage in a semester.

    Kept by participants.counting in the same transaction as every write that moves a
    resident's counted state, so reports read a few thousand rows instead of counting
    millions. Keyed by kelurahan: a kelurahan moved to another kecamatan takes its counts
    along. `semester` is Semester.index (year * 2 + half - 1).
    """

    village = models.ForeignKey("wilayah.Village", models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage)
    semester = models.PositiveIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("hitungan tahap")
        verbose_name_plural = _("hitungan tahap")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "stage", "semester"],
                name="participants_stagecount_key",
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0), name="participants_stagecount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.stage} {self.semester}: {self.count}"


class Dimension(models.TextChoices):
    """The ways the counted residents are broken down (DOMAIN rule 7)."""

    GENDER = "gender", _("Jenis kelamin")
    AGE = "age", _("Kelompok usia")
    AGENCY = "agency", _("Suku Dinas (pelatihan pertama)")
    CATEGORY = "category", _("Kategori pelatihan")
    HEARD = "heard", _("Tahu Jakpreneur dari")


class BreakdownCount(models.Model):
    """StageCount split by one dimension: every dimension of a key sums to its StageCount.

    `value` is the gender code, the age band, the Sudin's id or the category code; empty
    for Sudin and category means "not yet trained".
    """

    village = models.ForeignKey("wilayah.Village", models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage)
    semester = models.PositiveIntegerField()
    dimension = models.CharField(max_length=10, choices=Dimension)
    value = models.CharField(max_length=20, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("hitungan rincian")
        verbose_name_plural = _("hitungan rincian")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "stage", "semester", "dimension", "value"],
                name="participants_breakdowncount_key",
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0),
                name="participants_breakdowncount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.village_id} {self.stage} {self.semester} "
            f"{self.dimension}={self.value}: {self.count}"
        )
