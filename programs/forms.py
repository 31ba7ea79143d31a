from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jakpreneur.text import Form, ModelForm
from participants.forms import DATE_WIDGET, semester_choices
from participants.models import Sector
from wilayah.models import District

from .models import Enrollment, Program


class ProgramForm(ModelForm):
    class Meta:
        model = Program
        fields = [
            "agency",
            "title",
            "category",
            "district",
            "venue",
            "start_date",
            "end_date",
            "capacity",
            "status",
        ]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.get().pk
            self.fields["agency"].disabled = True
        cities = agencies.values("city")
        self.fields["district"].queryset = District.objects.filter(
            city__in=cities
        ).order_by("code")
        if self.instance.pk:
            self.fields["agency"].disabled = True
        self.helper = FormHelper()
        # Our messages, in the user's language, on the field: not the browser's bubbles.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "agency",
            "title",
            Row(
                Column("category", css_class="col-md-6"),
                Column("status", css_class="col-md-6"),
            ),
            Row(
                Column("district", css_class="col-md-6"),
                Column("capacity", css_class="col-md-6"),
            ),
            "venue",
            Row(
                Column("start_date", css_class="col-md-6"),
                Column("end_date", css_class="col-md-6"),
            ),
            Submit("submit", _("Simpan"), css_class="btn-primary"),
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date", _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
            )
        agency, district = data.get("agency"), data.get("district")
        if agency and district and district.city_id != agency.city_id:
            self.add_error(
                "district",
                _("Kecamatan ini tidak berada di kota Suku Dinas penyelenggara."),
            )
        return data


class ProgramFilterForm(Form):
    agency = forms.ModelChoiceField(
        label=_("Suku Dinas"), queryset=None, required=False
    )
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    district = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=None, required=False
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    semester = forms.ChoiceField(label=_("Semester mulai"), required=False)

    def __init__(self, *args, agencies, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["district"].queryset = districts
        self.fields["category"].choices = [("", _("Semua"))] + Sector.choices
        self.fields["status"].choices = [("", _("Semua"))] + Program.Status.choices
        # Trainings are planned ahead: two years of future semesters to filter by.
        self.fields["semester"].choices = semester_choices(ahead=4)


class EnrollByNikForm(Form):
    nik = forms.CharField(label=_("NIK warga"), max_length=24)
    enrolled_on = forms.DateField(
        label=_("Tanggal daftar pelatihan"), widget=DATE_WIDGET
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolled_on"].initial = timezone.localdate()
        self.fields["nik"].widget.attrs.update(inputmode="numeric", autocomplete="off")


class ProposeForm(Form):
    program = forms.ModelChoiceField(label=_("Pelatihan"), queryset=None)

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["program"].label_from_instance = lambda p: (
            f"{p.code} · {p.title} · {p.start_date:%d/%m/%Y} · {p.district.name}"
        )


ROSTER_CHOICES = Enrollment.Status.choices
