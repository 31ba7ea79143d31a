from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.forms.models import construct_instance
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import districts_visible_to, villages_visible_to
from jakpreneur.numbers import positive_int
from jakpreneur.semesters import Semester
from jakpreneur.text import Form, ModelForm
from wilayah.models import District

from .identity import (
    NikError,
    PhoneError,
    kk_clean_and_check,
    name_normalize,
    nik_clean,
    nik_mask,
    nik_parse,
    phone_display,
    phone_normalize,
)
from .models import RECORDED_STAGES, TARGET_GROUPS, Gender, Resident, Stage, StageRecord
from .selectors import (
    nik_region_name,
    resident_twins,
    residents_visible_to,
    villages_for_registration,
)
from .services import duplicate_nik_message, nik_holder

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
# Fields whose change asks for the NIK / duplicate warnings again.
WARNING_FIELDS = {"nik", "full_name", "birth_date", "gender", "village"}


class LoadedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that takes a choice already read from its queryset in this
    request (`loaded`) without asking the database again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded: dict[str, object] = {}

    def to_python(self, value):
        choice = self.loaded.get(str(value))
        return choice if choice is not None else super().to_python(value)


class VillageChoiceField(LoadedChoiceField):
    def label_from_instance(self, village):
        return f"{village.name} ({village.code})"


class PersonalNumbersMixin:
    """On an existing resident the NIK and KK fields start empty, showing only the masked
    numbers: editing reveals no more than the resident's page does (the full NIK is shown
    there only with a logged reason). Typing a number replaces it; empty keeps it."""

    def _hide_personal_numbers(self):
        if not self.instance.pk:
            return
        # The live NIK check must not take the resident's own NIK for a duplicate.
        self.fields["nik"].widget.attrs["hx-vals"] = (
            f'{{"resident": "{self.instance.pk}"}}'
        )
        for name in ("nik", "kk_number"):
            stored = getattr(self.instance, name)
            self.initial[name] = ""
            self.fields[name].required = False
            self.fields[name].widget.attrs["placeholder"] = nik_mask(stored) or "–"
            self.fields[name].help_text = _(
                "Tersimpan: %(masked)s. Kosongkan bila tidak berubah; ketik nomor baru "
                "untuk menggantinya."
            ) % {"masked": nik_mask(stored) or "–"}

    def _kept(self, name: str) -> str:
        typed = nik_clean(self.cleaned_data.get(name) or "")
        return typed or (getattr(self.instance, name) if self.instance.pk else "")


class ResidentAdminForm(PersonalNumbersMixin, ModelForm):
    """Django admin's resident form: NIK and KK masked like the app's edit form."""

    class Meta:
        model = Resident
        fields = [
            f.name for f in Resident._meta.fields if f.editable and not f.primary_key
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._hide_personal_numbers()

    def clean_nik(self):
        return self._kept("nik")

    def clean_kk_number(self):
        return self._kept("kk_number")


class ServiceValidatedMixin:
    """A ModelForm whose model is validated once, by the service that writes it (its
    field rules in Python, its CheckConstraints by the database on the write), not by the
    form as well: the form checks its fields and builds the instance; the service's
    errors land on the form's fields (the view adds them)."""

    def _post_clean(self):
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except forms.ValidationError as error:
            self._update_errors(error)


class ResidentForm(ServiceValidatedMixin, PersonalNumbersMixin, ModelForm):
    district = LoadedChoiceField(
        label=_("Kecamatan"),
        queryset=District.objects.none(),
        required=False,
        help_text=_("Pilih kecamatan untuk menyaring daftar kelurahan."),
    )
    village = VillageChoiceField(label=_("Kelurahan domisili"), queryset=None)
    confirm_warnings = forms.BooleanField(
        label=_("Saya sudah memeriksa peringatan di atas dan data ini benar."),
        required=False,
    )

    class Meta:
        model = Resident
        fields = [
            "nik",
            "kk_number",
            "full_name",
            "gender",
            "birth_place",
            "birth_date",
            "phone",
            "email",
            "address",
            "rt",
            "rw",
            "village",
            "education",
            "is_job_seeker",
            "is_low_income",
            "has_disability",
            "has_business",
            "business_name",
            "business_sector",
            "business_started_year",
            "registered_on",
            "heard_via",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "registered_on": DATE_WIDGET,
            "gender": forms.RadioSelect,
        }
        help_texts = {
            "nik": _("16 digit, sesuai KTP/KK."),
            "phone": _("Contoh: 0812-3456-7890 atau +62 812 3456 7890."),
            "registered_on": _(
                "Hari ini, atau tanggal formulir kertas. Tidak boleh di masa depan."
            ),
        }

    def __init__(self, *args, user, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today or timezone.localdate()
        self.warnings: list[str] = []
        self.duplicate_of: Resident | None = None
        self.nik_info = None
        villages = villages_for_registration(user=user)
        self.fields["village"].queryset = villages
        self.fields["district"].queryset = District.objects.filter(
            pk__in=villages.values("district")
        ).order_by("code")
        if self.instance.pk:
            self.fields["district"].initial = self.instance.village.district_id
            self.fields["phone"].initial = phone_display(self.instance.phone)
            self.initial["phone"] = phone_display(self.instance.phone)
        # One query tells whether there is only one, and gives it.
        first_two = list(villages[:2])
        if len(first_two) == 1:
            [only] = first_two
            self.fields["village"].initial = only.pk
            self.fields["village"].disabled = True
            self.fields["village"].loaded = {str(only.pk): only}
            self.fields["district"].initial = only.district_id
            self.fields["district"].disabled = True
            self.fields["district"].loaded = {str(only.district_id): only.district}
        self.fields["registered_on"].initial = self.today
        self.fields["gender"].choices = Gender.choices
        # Asked of every new registration; older records were made before the question.
        self.fields["heard_via"].required = not self.instance.pk
        self.fields["heard_via"].label = _("Dari mana tahu tentang Jakpreneur?")
        self._set_widgets()
        self._hide_personal_numbers()
        # Shown (as a checkbox) once the form has warnings to confirm; hidden before.
        self.fields["confirm_warnings"].widget = forms.HiddenInput()

    @cached_property
    def helper(self) -> FormHelper:
        """The layout, built only for a form that is shown (not for one that saves)."""
        return self._helper()

    def _set_widgets(self):
        nik = self.fields["nik"].widget.attrs
        nik.update(
            inputmode="numeric",
            autocomplete="off",
            maxlength="20",
            **{
                "hx-post": reverse_lazy("participants:nik_info"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#nik-info",
                "hx-include": "this",
            },
        )
        self.fields["kk_number"].widget.attrs.update(
            inputmode="numeric", autocomplete="off"
        )
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["rt"].widget.attrs.update(inputmode="numeric", placeholder="001")
        self.fields["rw"].widget.attrs.update(inputmode="numeric", placeholder="001")
        self.fields["district"].widget.attrs.update(
            **{
                "hx-get": reverse_lazy("participants:village_options"),
                "hx-target": "#id_village",
                "hx-trigger": "change",
            }
        )
        self.fields["business_started_year"].widget.attrs.update(
            min=1945, max=self.today.year
        )

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            Fieldset(
                _("Identitas"),
                "nik",
                HTML(
                    '<div id="nik-info" class="mb-3" aria-live="polite">'
                    '{% include "participants/_nik_info.html" with info=form.nik_info '
                    "region=form.nik_region %}</div>"
                ),
                "kk_number",
                "full_name",
                "gender",
                Row(
                    Column("birth_place", css_class="col-md-6"),
                    Column("birth_date", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Kontak dan domisili"),
                Row(
                    Column("phone", css_class="col-md-6"),
                    Column("email", css_class="col-md-6"),
                ),
                "address",
                Row(Column("rt", css_class="col-6"), Column("rw", css_class="col-6")),
                Row(
                    Column("district", css_class="col-md-6"),
                    Column("village", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Pendidikan dan kelompok sasaran"),
                "education",
                *TARGET_GROUPS,
            ),
            Fieldset(
                _("Usaha (jika sudah punya)"),
                "business_name",
                Row(
                    Column("business_sector", css_class="col-md-6"),
                    Column("business_started_year", css_class="col-md-6"),
                ),
            ),
            Fieldset(_("Pendaftaran"), "registered_on", "heard_via"),
            Div("confirm_warnings", css_class="confirm-warnings"),
            Submit(
                "submit", _("Simpan"), css_class="btn-primary btn-lg w-100 w-md-auto"
            ),
        )
        return helper

    @cached_property
    def nik_region(self) -> str | None:
        """Where the NIK was issued, read only when shown (a saved form shows nothing)."""
        if self.nik_info is None:
            return None
        return self._region_name(self.nik_info.district_code)

    # No model validation in the form (ServiceValidatedMixin). Not asked of the database
    # again either: the kelurahan (read from the user's own above), the NIK's holder
    # (clean_nik) and the CheckConstraints, each of which the form checks with a
    # friendlier message; the database guards them on the INSERT.

    # Field checks: format errors are errors, on their field.
    def clean_nik(self):
        value = self._kept("nik")
        try:
            self.nik_info = nik_parse(value, today=self.today)
        except NikError as error:
            raise forms.ValidationError(str(error), code=error.code) from error
        existing, visible = nik_holder(
            nik=value, user=self.user, exclude_pk=self.instance.pk
        )
        if existing:
            if visible:
                self.duplicate_of = existing
            raise forms.ValidationError(
                duplicate_nik_message(existing=existing, visible=visible),
                code="duplicate",
            )
        return value

    def clean_kk_number(self):
        value = self._kept("kk_number")
        if not value.strip():
            return ""
        try:
            return kk_clean_and_check(value)
        except NikError as error:
            raise forms.ValidationError(str(error), code=error.code) from error

    def clean_phone(self):
        try:
            return phone_normalize(self.cleaned_data["phone"])
        except PhoneError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_full_name(self):
        value = " ".join(self.cleaned_data["full_name"].split())
        if not name_normalize(value):
            raise forms.ValidationError(_("Nama lengkap harus berisi huruf."))
        return value

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > self.today:
            raise forms.ValidationError(_("Tanggal lahir tidak boleh di masa depan."))
        if value.year < self.today.year - 120:
            raise forms.ValidationError(_("Tanggal lahir terlalu jauh di masa lalu."))
        return value

    def clean_registered_on(self):
        value = self.cleaned_data["registered_on"]
        if value > self.today:
            raise forms.ValidationError(
                _("Tanggal pendaftaran tidak boleh di masa depan.")
            )
        return value

    def _clean_rt_rw(self, name):
        value = self.cleaned_data[name].strip()
        number = positive_int(value, maximum=999)
        if number is None:
            raise forms.ValidationError(_("Isi dengan angka 1–999, misalnya 005."))
        return f"{number:03d}"

    def clean_rt(self):
        return self._clean_rt_rw("rt")

    def clean_rw(self):
        return self._clean_rt_rw("rw")

    def clean_business_started_year(self):
        value = self.cleaned_data["business_started_year"]
        if value is not None and not 1945 <= value <= self.today.year:
            raise forms.ValidationError(
                _("Tahun mulai usaha antara 1945 dan %(year)d.")
                % {"year": self.today.year}
            )
        return value

    def clean(self):
        data = super().clean()
        village = data.get("village")
        district = data.get("district")
        if village and district and village.district_id != district.pk:
            self.add_error(
                "village", _("Kelurahan ini tidak berada di kecamatan yang dipilih.")
            )
        if data.get("has_business"):
            for name in ("business_name", "business_sector"):
                if not data.get(name):
                    self.add_error(name, _("Wajib diisi bila warga sudah punya usaha."))
        birth_date, registered_on = data.get("birth_date"), data.get("registered_on")
        if birth_date and registered_on and registered_on < birth_date:
            self.add_error(
                "registered_on",
                _("Tanggal pendaftaran tidak boleh sebelum tanggal lahir."),
            )
        if not self.errors and (
            not self.instance.pk or WARNING_FIELDS & set(self.changed_data)
        ):
            self.warnings = self._warnings(data)
            if self.warnings:
                # Only a form with warnings asks to confirm them.
                self.fields["confirm_warnings"].widget = forms.CheckboxInput()
            if self.warnings and not data.get("confirm_warnings"):
                self.add_error(
                    "confirm_warnings",
                    _(
                        "Periksa peringatan di atas, lalu centang kotak ini untuk menyimpan."
                    ),
                )
        return data

    def _warnings(self, data) -> list[str]:
        """Disagreements that may be right (people move; NIKs are not re-issued)."""
        info, village = self.nik_info, data["village"]
        warnings = []
        if info.district_code != village.district.code:
            warnings.append(
                _(
                    "NIK diterbitkan di %(issued)s, sedangkan domisili yang dipilih di Kecamatan "
                    "%(district)s. Tidak apa-apa bila warga sudah pindah."
                )
                % {
                    "issued": self._region_name(info.district_code),
                    "district": village.district.name,
                }
            )
        if info.birth_date != data["birth_date"]:
            warnings.append(
                _(
                    "Tanggal lahir di NIK %(nik)s, berbeda dengan yang diisi %(entered)s."
                )
                % {
                    "nik": info.birth_date.strftime("%d/%m/%Y"),
                    "entered": data["birth_date"].strftime("%d/%m/%Y"),
                }
            )
        if info.gender != data["gender"]:
            warnings.append(
                _("Menurut NIK, jenis kelamin %(nik)s, berbeda dengan yang dipilih.")
                % {"nik": Gender(info.gender).label}
            )
        twins = self._possible_twins(data, village)
        mine = self._visible_ids(twins)
        for twin in twins:
            if twin.pk in mine:
                warnings.append(
                    _(
                        "Mungkin ganda: warga lain dengan nama dan tanggal lahir yang sama "
                        "sudah terdaftar di Kelurahan %(village)s dengan NIK lain."
                    )
                    % {"village": twin.village.name}
                )
            else:
                # Another area's resident: say that one exists, never where or who.
                warnings.append(
                    _(
                        "Mungkin ganda: warga dengan nama dan tanggal lahir yang sama sudah "
                        "terdaftar di wilayah lain dengan NIK lain. Bila ragu, hubungi meja "
                        "PKT kecamatan Anda."
                    )
                )
        return warnings

    # The three lookups of the warnings, apart so that a bulk import (imports.rows) can
    # answer them for a whole chunk of rows at once; the rules stay in the selectors.
    def _region_name(self, district_code: str) -> str:
        return nik_region_name(district_code=district_code)

    def _possible_twins(self, data, village) -> list[Resident]:
        key = (name_normalize(data["full_name"]), data["birth_date"])
        same = Resident.objects.filter(
            name_key=key[0], birth_date=key[1], is_void=False
        )
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        # Mostly nobody anywhere: one index probe, no joins; the kota is asked only then.
        if not same.exists():
            return []
        return resident_twins(
            keys=[key], city_id=village.district.city_id, exclude_pk=self.instance.pk
        ).get(key, [])

    def _visible_ids(self, residents) -> set[int]:
        if not residents:
            return set()
        return set(
            residents_visible_to(user=self.user)
            .filter(pk__in=[r.pk for r in residents])
            .values_list("pk", flat=True)
        )


class VoidForm(Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "void_%s")  # ids unique beside the reveal form
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Alasan pembatalan"),
        max_length=255,
        help_text=_("Misalnya: pendaftaran ganda, data palsu, permintaan warga."),
    )


class RevealNikForm(Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reveal_%s")  # ids unique beside the void form
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Alasan melihat NIK lengkap"),
        max_length=255,
        help_text=_("Dicatat di log akses data pribadi."),
    )


class StageRecordForm(ServiceValidatedMixin, ModelForm):
    class Meta:
        model = StageRecord
        fields = [
            "stage",
            "reached_on",
            "mentor",
            "licence_type",
            "licence_number",
            "channel",
            "lender",
            "amount",
            "note",
        ]
        widgets = {"reached_on": DATE_WIDGET}

    # Evidence each stage needs, so the message lands on the field to fill.
    REQUIRED = {
        Stage.PENDAMPINGAN: ["mentor"],
        Stage.PERIZINAN: ["licence_type", "licence_number"],
        Stage.PEMASARAN: ["channel"],
        Stage.PERMODALAN: ["lender", "amount"],
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Nothing chosen in advance: one press must never record a stage by accident.
        self.fields["stage"].choices = [("", _("— pilih tahap —"))] + [
            (s.value, s.label) for s in RECORDED_STAGES
        ]
        self.fields["reached_on"].help_text = _("Tanggal tahap ini dicapai.")

        def evidence(*names, stage):
            # Shown for its stage only (static/js/stage-form.js); all without JavaScript.
            return Div(*names, css_class="stage-evidence", data_stage=stage)

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("stage", css_class="col-md-6"),
                Column("reached_on", css_class="col-md-6"),
            ),
            evidence("mentor", stage=Stage.PENDAMPINGAN),
            evidence(
                Row(
                    Column("licence_type", css_class="col-md-6"),
                    Column("licence_number", css_class="col-md-6"),
                ),
                stage=Stage.PERIZINAN,
            ),
            evidence("channel", stage=Stage.PEMASARAN),
            evidence(
                Row(
                    Column("lender", css_class="col-md-6"),
                    Column("amount", css_class="col-md-6"),
                ),
                stage=Stage.PERMODALAN,
            ),
            "note",
            HTML(
                format_html(
                    '<p class="small fw-semibold" id="stage-summary" aria-live="polite" '
                    'data-template="{}" data-none="{}"></p>',
                    gettext("Akan dicatat: tahap %(stage)s, tanggal %(date)s."),
                    gettext("Pilih tahap yang dicapai warga."),
                )
            ),
            Submit(
                "record_stage",
                _("Catat tahap"),
                css_class="btn-primary",
                css_id="stage-submit",
            ),
        )

    def clean(self):
        data = super().clean()
        for name in self.REQUIRED.get(data.get("stage"), []):
            if not data.get(name):
                self.add_error(name, _("Wajib diisi untuk tahap ini."))
        if data.get("amount") is not None and data["amount"] <= 0:
            self.add_error("amount", _("Jumlah harus lebih dari nol."))
        return data


def semester_choices(*, today=None, ahead: int = 0):
    """Every semester from 2020-S1 to the current one (and `ahead` more), newest first."""
    last = Semester.current(today=today) + ahead
    first = Semester(2020, 1)
    return [("", _("Semua semester"))] + [
        (str(s), str(s)) for s in reversed([first + n for n in range(last - first + 1)])
    ]


class ResidentFilterForm(Form):
    SORTS = {
        "-registered_on": _("Pendaftaran terbaru"),
        "registered_on": _("Pendaftaran terlama"),
        "full_name": _("Nama A–Z"),
    }
    STATUS = {"active": _("Aktif"), "void": _("Dibatalkan"), "all": _("Semua")}

    q = forms.CharField(label=_("Cari nama atau NIK"), required=False)
    district = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=None, required=False
    )
    village = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=None, required=False
    )
    stage = forms.ChoiceField(label=_("Tahap dicapai"), required=False)
    waiting = forms.ChoiceField(label=_("Menunggu tahap"), required=False)
    gender = forms.ChoiceField(label=_("Jenis kelamin"), required=False)
    group = forms.ChoiceField(label=_("Kelompok sasaran"), required=False)
    semester = forms.ChoiceField(label=_("Semester pendaftaran"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    sort = forms.ChoiceField(label=_("Urutan"), required=False)

    def __init__(self, *args, districts, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["village"].queryset = villages
        # A filter that cannot change anything for this user (one kecamatan, one
        # kelurahan) is not shown.
        if districts.count() <= 1:
            del self.fields["district"]
        if villages.count() <= 1:
            del self.fields["village"]
        self.fields["stage"].choices = [("", _("Semua tahap"))] + [
            (s.value, s.label) for s in Stage
        ]
        self.fields["waiting"].choices = [("", _("Semua"))] + [
            (s.value, s.label) for s in list(Stage)[1:]
        ]
        self.fields["gender"].choices = [("", _("Semua"))] + Gender.choices
        self.fields["group"].choices = [("", _("Semua"))] + list(TARGET_GROUPS.items())
        self.fields["semester"].choices = semester_choices()
        self.fields["status"].choices = list(self.STATUS.items())
        self.fields["sort"].choices = list(self.SORTS.items())


def resident_filter_form(*, user, data) -> ResidentFilterForm:
    """The resident list's filters as this user may choose them (their areas only)."""
    return ResidentFilterForm(
        data,
        districts=districts_visible_to(user=user),
        villages=villages_visible_to(user=user).order_by("code"),
    )


def resident_filter_values(form: ResidentFilterForm) -> dict[str, str]:
    """The filters of a valid form as it received them (to bind the form again later,
    e.g. in a background export); an invalid form filters nothing, as on the list."""
    if not form.is_valid():
        return {}
    return {
        name: str(form.data[name])
        for name in form.fields
        if form.data.get(name) not in (None, "")
    }
