from django.core.management.base import BaseCommand
from django.db import transaction

from participants.stages import resident_stages_rebuild
from reports.counting import stage_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every resident's stage dates and the per-kecamatan counters from the "
        "source rows (after a bulk load or a restore). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="compute, then roll back"
        )

    def handle(self, *args, dry_run, **options):
        with transaction.atomic():
            resident_stages_rebuild()
            counters = stage_counts_rebuild()
            if dry_run:
                transaction.set_rollback(True)
        prefix = "[dry-run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}Hitungan tahap dibangun ulang: {counters} penghitung"
        )
