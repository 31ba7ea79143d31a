"""The export's background job (Django's tasks API: the database or Redis Queue)."""

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from .models import ExportJob
from .services import export_build

logger = logging.getLogger(__name__)


@task(queue_name=settings.TASKS_QUEUE)
def export_build_task(job_id: int) -> None:
    """Build the file of a big resident list export (from scratch on every run)."""
    try:
        export_build(job_id=job_id)
    except Exception:
        # The user sees that the job stopped; the traceback goes to the worker's log.
        logger.exception("Export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            message=_(
                "Terjadi kesalahan di server saat membuat berkas ekspor ini. Coba "
                "jalankan lagi; jika tetap gagal, hubungi admin."
            ),
        )
        raise
