from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jakpreneur.text import Form
from participants.forms import DATE_WIDGET, ResidentForm
from participants.identity import NikError, nik_mask, nik_parse, phone_display
from participants.models import Gender, HeardVia, Sector
from programs.models import Program
from programs.selectors import programs_taking_enrolments
from wilayah.models import District, Village

from .models import CODE_ALPHABET, CODE_LENGTH, Application

NIK_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}


def district_from_param(value: str | None) -> District | None:
    """The kecamatan a link names in ?kecamatan=: its code (31.73.08), or its slug where
    places have one (the public pages' /program/<slug>/)."""
    value = (value or "").strip()[:100]
    if not value:
        return None
    return (
        District.objects.select_related("city")
        .filter(Q(code=value) | Q(slug=value))
        .first()
    )


def open_programs(*, district: District | None, today) -> list[Program]:
    """Trainings an applicant may ask for: those taking enrolments today (the enrolment
    rule, programs.selectors), of the chosen kecamatan's kota or of any kota."""
    city = district.city if district is not None else None
    return list(programs_taking_enrolments(city=city, today=today)[:200])


class ApplyForm(Form):
    """The public application: what the desk form asks of a resident, by the same rules
    (participants.identity and ResidentForm's own field checks), and nothing a clerk
    adds at the desk (birth place, RT/RW, education)."""

    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        help_text=_("16 digit, tertulis di KTP atau Kartu Keluarga."),
        widget=forms.TextInput(attrs=NIK_ATTRS),
    )
    full_name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        help_text=_("Sesuai KTP."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    gender = forms.ChoiceField(
        label=_("Jenis kelamin"), choices=Gender.choices, widget=forms.RadioSelect
    )
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=DATE_WIDGET)
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=30,
        help_text=_(
            "Kelurahan akan menghubungi Anda di nomor ini. Contoh: 0812-3456-7890."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email (boleh dikosongkan)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    village = forms.ChoiceField(
        label=_("Kelurahan tempat tinggal Anda"),
        help_text=_("Kelurahan ini yang akan memeriksa pengajuan Anda."),
    )
    address = forms.CharField(
        label=_("Alamat"),
        max_length=255,
        help_text=_("Jalan, nomor rumah, RT/RW."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    interests = forms.MultipleChoiceField(
        label=_("Pelatihan yang Anda minati"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pilih satu atau lebih."),
    )
    program = forms.ModelChoiceField(
        label=_("Pelatihan tertentu yang ingin Anda ikuti (boleh dikosongkan)"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("— tidak memilih pelatihan tertentu —"),
    )
    heard_via = forms.ChoiceField(
        label=_("Dari mana Anda tahu tentang Jakpreneur?"),
        choices=HeardVia.choices,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        label=_(
            "Saya sudah membaca pemberitahuan privasi di atas dan setuju data saya "
            "diproses untuk pendaftaran Jakpreneur."
        ),
        error_messages={
            "required": _("Pengajuan hanya dapat dikirim bila Anda menyetujuinya.")
        },
    )
    # The honeypot: invisible to people and screen readers; bots fill every field.
    website = forms.CharField(
        label=_("Jangan diisi"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    # The desk form's own field rules, not copies.
    clean_full_name = ResidentForm.clean_full_name
    clean_phone = ResidentForm.clean_phone
    clean_birth_date = ResidentForm.clean_birth_date

    def __init__(self, *args, district: District | None = None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.district = district
        villages = Village.objects.select_related("district__city").order_by(
            "district__city__code", "district__name", "name"
        )
        if district is not None:
            villages = villages.filter(district=district)
        groups: dict[str, list] = {}
        for village in villages:
            group = f"{village.district.city.short_name} — {_('Kecamatan')} {village.district.name}"
            groups.setdefault(group, []).append((str(village.pk), village.name))
        self.fields["village"].choices = [("", _("— pilih kelurahan —"))] + list(
            groups.items()
        )
        self.programs = open_programs(district=district, today=self.today)
        self.fields["program"].queryset = Program.objects.filter(
            pk__in=[p.pk for p in self.programs]
        )
        self.fields["program"].choices = [("", self.fields["program"].empty_label)] + [
            (
                p.pk,
                f"{p.title} — {p.agency.short_name}, {p.district.name} "
                f"({p.start_date:%d/%m/%Y})",
            )
            for p in self.programs
        ]

    def clean_nik(self):
        try:
            return nik_parse(self.cleaned_data["nik"], today=self.today).nik
        except NikError as error:
            raise forms.ValidationError(str(error), code=error.code) from error

    def clean_village(self):
        village = Village.objects.select_related("district").filter(
            pk=_digits(self.cleaned_data["village"])
        )
        if self.district is not None:
            village = village.filter(district=self.district)
        found = village.first()
        if found is None:
            raise forms.ValidationError(_("Pilih kelurahan dari daftar."))
        return found

    def clean(self):
        data = super().clean()
        village, program = data.get("village"), data.get("program")
        if village and program and program.agency.city_id != village.district.city_id:
            self.add_error(
                "program",
                _("Pelatihan ini untuk warga kota lain; pilih pelatihan di kota Anda."),
            )
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def application_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "nik": data["nik"],
            "full_name": data["full_name"],
            "gender": data["gender"],
            "birth_date": data["birth_date"],
            "phone": data["phone"],
            "email": data["email"],
            "village": data["village"],
            "address": data["address"],
            "interests": list(data["interests"]),
            "program": data["program"],
            "heard_via": data["heard_via"],
        }


def _digits(value: str) -> int | None:
    return (
        int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
    )


def code_clean(value: str) -> str:
    """A code as typed (lower case, with a dash or spaces) as it is stored."""
    return "".join(char for char in value.upper() if char.isalnum())


class StatusForm(Form):
    code = forms.CharField(
        label=_("Kode pengajuan"),
        max_length=20,
        help_text=_("Contoh: ACDE-FGHJ (tertera setelah pengajuan dikirim)."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )
    birth_date = forms.DateField(label=_("Tanggal lahir"), widget=DATE_WIDGET)

    def clean_code(self):
        code = code_clean(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
            raise forms.ValidationError(
                _("Kode terdiri dari 8 huruf dan angka, misalnya ACDE-FGHJ.")
            )
        return code


class RefuseForm(Form):
    status = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[
            (
                Application.Status.NEEDS_VISIT.value,
                _("Perlu datang ke kantor kelurahan"),
            ),
            (Application.Status.REJECTED.value, _("Tolak")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Alasan untuk pemohon"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Pemohon membaca teks ini di halaman status. Tulis dengan sopan dan jelas, "
            "misalnya dokumen apa yang perlu dibawa."
        ),
    )


class MaskedInput(forms.TextInput):
    """Shows a number masked (the page never holds it whole); a disabled field's value
    comes from the server, never from what the browser sends."""

    def format_value(self, value):
        return nik_mask(value) if value else ""


class AcceptForm(ResidentForm):
    """The desk registration form, prefilled from an application: the clerk completes what
    the applicant did not give. NIK, kelurahan and registration date are fixed."""

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        nik = self.fields["nik"]
        nik.widget = MaskedInput(attrs={"readonly": True})
        nik.disabled = True
        nik.help_text = _(
            "NIK dari pengajuan (tersamar). Bila salah, pilih Perlu datang."
        )
        self.initial.update(
            nik=application.nik,
            full_name=application.full_name,
            gender=application.gender,
            birth_date=application.birth_date,
            phone=phone_display(application.phone),
            email=application.email,
            address=application.address,
            heard_via=application.heard_via,
            village=application.village_id,
            district=application.village.district_id,
        )
        for name, value in (
            ("village", application.village),
            ("district", application.village.district),
        ):
            field = self.fields[name]
            field.disabled = True
            field.initial = value.pk
            field.loaded = {str(value.pk): value}
            self.initial[name] = value.pk
        registered_on = self.fields["registered_on"]
        registered_on.disabled = True
        registered_on.initial = self.today
        self.initial["registered_on"] = self.today
        registered_on.help_text = _(
            "Warga daring terdaftar pada hari pengajuannya disetujui."
        )
        for name in ("district",):
            self.fields[name].widget.attrs.pop("hx-get", None)

    def registration_fields(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in {"district", "confirm_warnings"}
        }
