from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Suku Dinas dan pelatihan")

    def ready(self):
        from participants.models import Stage
        from participants.stages import StageSource, stage_source_register
        from participants.views import resident_panel_register

        from .models import Enrollment
        from .views import resident_trainings_panel

        # A resident's page shows their trainings and, to their kelurahan, a proposal form.
        resident_panel_register(
            "programs/_resident_trainings.html", resident_trainings_panel
        )

        # A resident reaches Pelatihan with their first hadir or lulus enrolment, and is
        # attributed to that training's Sudin and category (DOMAIN.md, rule 7).
        stage_source_register(
            StageSource(
                stage=Stage.PELATIHAN,
                rows=lambda: Enrollment.objects.filter(status__in=Enrollment.TRAINED),
                date_field="enrolled_on",
                carries={
                    "trained_agency_id": "program__agency_id",
                    "trained_category": "program__category",
                },
            )
        )
