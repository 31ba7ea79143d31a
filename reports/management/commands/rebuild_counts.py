from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from participants.counting import stage_counts_differences, stage_counts_rebuild
from participants.stages import resident_stages_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every resident's stage dates and the counters from the source rows "
        "(after a bulk load or a restore). With --dry-run, change nothing: print every "
        "counter that differs from a recount and exit 1 if there is one (for a periodic "
        "check of a live database)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="compare the counters with a recount, change nothing",
        )

    def handle(self, *args, dry_run, **options):
        if dry_run:
            with transaction.atomic():
                resident_stages_rebuild()
                differences = stage_counts_differences()
                transaction.set_rollback(True)
            for line in differences:
                self.stdout.write(line)
            if differences:
                raise CommandError(
                    f"{len(differences)} penghitung berbeda dari hitung ulang; "
                    "jalankan rebuild_counts tanpa --dry-run untuk membetulkannya."
                )
            self.stdout.write("[dry-run] Semua penghitung sama dengan hitung ulang.")
            return
        with transaction.atomic():
            resident_stages_rebuild()
            counters = stage_counts_rebuild()
        self.stdout.write(f"Hitungan tahap dibangun ulang: {counters} penghitung")
