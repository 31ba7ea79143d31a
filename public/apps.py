"""Public pages (no login): what Jakpreneur is, each kecamatan's open trainings and contacts,
and progress against the targets as aggregate numbers.

Floor 6, beside home/: it gathers programs' selectors (trainings, field leads) and reports'
(the progress report the staff dashboard shows), and writes nothing.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Halaman publik")
