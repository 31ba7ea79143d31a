from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Ekspor data")

    def ready(self):
        from participants.views import big_export_register

        from .views import resident_export_queue

        # The resident list's export sends lists over EXPORT_INLINE_ROWS here.
        big_export_register(resident_export_queue)
