"""Online applications (pendaftaran daring), verified by the kelurahan.

Floor 5, beside reports/ and imports/: it registers an accepted applicant through
participants.services (floor 3) and proposes them for a training through programs.services
(floor 4); reports/ and home/ read its selectors (the overdue panel, the queue count).
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Pengajuan daring")

    def ready(self):
        from participants.views import resident_panel_register

        from .views import resident_application_panel

        # A resident registered from an application shows its code and application date.
        resident_panel_register(
            "applications/_resident_panel.html", resident_application_panel
        )
