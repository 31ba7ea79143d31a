from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas XLSX atau CSV"),
        help_text=_(
            "Paling besar 20 MB / 100.000 baris; berkas lebih besar lewat admin."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    sheet = forms.CharField(
        label=_("Nama lembar (XLSX)"),
        required=False,
        max_length=100,
        help_text=_("Kosongkan untuk lembar pertama."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "Berkas %(mb).1f MB, di atas batas %(max)d MB untuk impor lewat web. "
                    "Bagi berkasnya, atau minta admin menjalankan perintah "
                    "import_participants."
                )
                % {
                    "mb": upload.size / 1024 / 1024,
                    "max": settings.IMPORT_MAX_BYTES // (1024 * 1024),
                }
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Unggah berkas .xlsx atau .csv."))
        return upload
