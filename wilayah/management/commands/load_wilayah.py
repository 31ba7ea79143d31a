from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wilayah.services import (
    OFFICIAL_CSV,
    WilayahFileError,
    wilayah_import,
    wilayah_read_csv,
)


class Command(BaseCommand):
    help = (
        "Load DKI Jakarta places (Kemendagri codes) from the official CSV. Idempotent: "
        "renamed places are updated in place; places residents use are never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=OFFICIAL_CSV,
            help="CSV kode,nama,level,parent_kode",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete places missing from the file, unless something still uses them.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check, write nothing."
        )

    def handle(self, *args, file, prune, dry_run, **options):
        try:
            rows = wilayah_read_csv(path=file)
        except WilayahFileError as error:
            raise CommandError(str(error)) from error
        result = wilayah_import(rows=rows, prune=prune, dry_run=dry_run)
        if result.kept:
            self.stderr.write(
                "Dipertahankan (masih dipakai): " + ", ".join(result.kept)
            )
        prefix = "[dry-run] " if dry_run else ""
        self.stdout.write(prefix + result.summary())
