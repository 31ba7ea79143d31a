from django.core.management.base import BaseCommand

from applications.services import REJECTED_KEPT_DAYS, applications_purge


class Command(BaseCommand):
    help = (
        f"Delete online applications rejected more than {REJECTED_KEPT_DAYS} days ago "
        "(the privacy notice's promise); run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count them, delete nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        count = applications_purge(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{count} rejected applications {verb}")
