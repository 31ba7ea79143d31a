from django.conf import settings
from django.core.management.base import BaseCommand

from exports.services import exports_purge


class Command(BaseCommand):
    help = (
        "Delete the files of resident list exports older than EXPORT_KEEP_HOURS "
        f"({settings.EXPORT_KEEP_HOURS}): they hold personal data; run it hourly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count them, delete nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        count = exports_purge(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{count} export files {verb}")
