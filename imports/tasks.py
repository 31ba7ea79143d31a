"""The import's background jobs (Django's tasks API: the database or Redis Queue)."""

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from .models import ImportJob
from .services import import_check, import_write

logger = logging.getLogger(__name__)


def _guarded(step, job_id: int) -> None:
    try:
        step(job_id=job_id)
    except Exception:
        # The user sees that the job stopped; the traceback goes to the worker's log.
        logger.exception("Import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            message=_("Terjadi kesalahan di server saat memproses impor ini."),
        )
        raise


@task(queue_name=settings.TASKS_QUEUE)
def import_check_task(job_id: int) -> None:
    """Check every row of an uploaded file for its preview."""
    _guarded(import_check, job_id)


@task(queue_name=settings.TASKS_QUEUE)
def import_write_task(job_id: int) -> None:
    """Write the valid rows of a committed import (continues after a killed worker)."""
    _guarded(import_write, job_id)
