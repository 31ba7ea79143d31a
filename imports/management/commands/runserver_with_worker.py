"""`make run`: the development server and a job worker beside it; Ctrl+C stops both."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def worker_command() -> list[str]:
    """The worker of the configured task backend, for this queue."""
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    if settings.TASKS_BACKEND == "rq":
        return [
            *manage,
            "rqworker",
            "--job-class",
            "django_tasks_rq.Job",
            settings.TASKS_QUEUE,
        ]
    return [*manage, "db_worker", "--queue-name", settings.TASKS_QUEUE]


class Command(BaseCommand):
    help = "runserver plus a background-job worker (db_worker or rqworker); Ctrl+C stops both."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        worker = None
        # runserver's autoreloader runs this command again in a child (RUN_MAIN=true):
        # only the outer process starts the worker.
        if (
            settings.TASKS_BACKEND != "immediate"
            and os.environ.get("RUN_MAIN") != "true"
        ):
            worker = subprocess.Popen(worker_command())  # noqa: S603 - our own manage.py
        try:
            call_command("runserver", addrport)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
