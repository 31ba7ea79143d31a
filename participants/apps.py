from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Warga peserta")

    def ready(self):
        from .stages import register_recorded_stages

        # Pendampingan … Permodalan are reached on their StageRecord dates.
        register_recorded_stages()
