from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.access import (
    districts_for_outreach,
    outreach_agency_of,
    outreach_local_required,
    villages_for_outreach,
)
from jakpreneur.semesters import Semester
from jakpreneur.text import Form, ModelForm
from participants.forms import DATE_WIDGET, semester_choices
from programs.models import Agency

from .models import PEOPLE_REACHED_MAX, OutreachActivity

OFFICE_PREFIX = "kantor:"
AGENCY_PREFIX = "sudin:"


class OutreachActivityForm(ModelForm):
    """One activity. The organiser is one select: a Sudin of the kota, or an office."""

    organiser = forms.ChoiceField(label=_("Penyelenggara"))

    class Meta:
        model = OutreachActivity
        fields = [
            "held_on",
            "kind",
            "district",
            "village",
            "office_name",
            "people_reached",
            "notes",
        ]
        widgets = {
            "held_on": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = districts_for_outreach(user=user)
        villages = villages_for_outreach(user=user).select_related("district")
        self.fields["district"].queryset = districts
        self.fields["village"].queryset = villages.order_by("district__code", "name")
        self.fields["village"].label = _("Kelurahan (jika kegiatan lokal)")
        if districts.count() > 1:
            self.fields["village"].label_from_instance = lambda v: (
                f"{v.name} ({v.district.name})"
            )
        # Kecamatan and kelurahan staff record in theirs: shown, not chosen.
        if districts.count() == 1:
            self.fields["district"].initial = districts.get().pk
            self.fields["district"].disabled = True
        if outreach_local_required(user):
            self.fields["village"].initial = villages.get().pk
            self.fields["village"].disabled = True
            self.fields["village"].required = True
        own = outreach_agency_of(user)
        if own is not None:
            agencies = [own]
            offices = []
        else:
            agencies = list(
                Agency.objects.filter(city__in=districts.values("city"))
                .select_related("city")
                .order_by("city__code", "short_name")
            )
            offices = [
                (f"{OFFICE_PREFIX}{value}", label)
                for value, label in OutreachActivity.Office.choices
            ]
        several_cities = len({a.city_id for a in agencies}) > 1
        self.fields["organiser"].choices = [
            ("", "---------"),
            *offices,
            *(
                (
                    f"{AGENCY_PREFIX}{a.pk}",
                    str(a) if several_cities else f"Sudin {a.short_name}",
                )
                for a in agencies
            ),
        ]
        self._agencies = {a.pk: a for a in agencies}
        if own is not None:
            self.fields["organiser"].initial = f"{AGENCY_PREFIX}{own.pk}"
            self.fields["organiser"].disabled = True
        elif self.instance.pk:
            self.fields["organiser"].initial = (
                f"{AGENCY_PREFIX}{self.instance.agency_id}"
                if self.instance.agency_id
                else f"{OFFICE_PREFIX}{self.instance.office}"
            )
        self.fields["office_name"].help_text = _(
            "Untuk kantor/instansi lain: tulis namanya."
        )
        self.fields["people_reached"].validators.append(
            MaxValueValidator(
                PEOPLE_REACHED_MAX,
                message=_("Jumlah orang terjangkau antara 0 dan 100.000."),
            )
        )
        self.fields["people_reached"].widget.attrs.update(
            inputmode="numeric", min=0, max=PEOPLE_REACHED_MAX
        )
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Row(
                Column("held_on", css_class="col-md-6"),
                Column("kind", css_class="col-md-6"),
            ),
            Row(
                Column("district", css_class="col-md-6"),
                Column("village", css_class="col-md-6"),
            ),
            Row(
                Column("organiser", css_class="col-md-6"),
                Column("office_name", css_class="col-md-6"),
            ),
            "people_reached",
            "notes",
            Submit("submit", _("Simpan"), css_class="btn-primary"),
        )

    def clean_organiser(self):
        value = self.cleaned_data["organiser"]
        if value.startswith(AGENCY_PREFIX):
            pk = value.removeprefix(AGENCY_PREFIX)
            if pk.isdigit() and int(pk) in self._agencies:
                return self._agencies[int(pk)]
        elif value.startswith(OFFICE_PREFIX):
            return value.removeprefix(OFFICE_PREFIX)
        raise forms.ValidationError(_("Pilih penyelenggara dari daftar."))

    def clean(self):
        data = super().clean()
        organiser = data.get("organiser")
        is_office = isinstance(organiser, str)
        if organiser is not None:
            data["agency"] = None if is_office else organiser
            data["office"] = organiser if is_office else ""
            if not is_office or organiser != OutreachActivity.Office.OTHER:
                data["office_name"] = ""
            elif not data.get("office_name"):
                self.add_error(
                    "office_name", _("Tulis nama kantor/instansi penyelenggara.")
                )
            if (
                is_office
                and organiser == OutreachActivity.Office.KELURAHAN
                and not data.get("village")
            ):
                self.add_error(
                    "village", _("Kegiatan kantor kelurahan menyebut kelurahannya.")
                )
        district, village = data.get("district"), data.get("village")
        if district and village and village.district_id != district.pk:
            self.add_error(
                "village", _("Kelurahan ini tidak berada di kecamatan tersebut.")
            )
        return data

    def _post_clean(self):
        # The service checks and saves (with the user's scope); not the ModelForm.
        pass

    def activity_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "district": data["district"],
            "village": data.get("village"),
            "agency": data["agency"],
            "office": data["office"],
            "office_name": data.get("office_name", ""),
            "kind": data["kind"],
            "people_reached": data["people_reached"],
            "notes": data.get("notes", ""),
        }


class OutreachFilterForm(Form):
    semester = forms.ChoiceField(label=_("Semester"), required=False)
    district = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=None, required=False
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["semester"].choices = semester_choices()

    def clean_semester(self) -> Semester | None:
        value = self.cleaned_data["semester"]
        return Semester.parse(value) if value else None
