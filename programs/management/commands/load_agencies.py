from django.core.management.base import BaseCommand, CommandError

from programs.services import agencies_load_standard
from wilayah.models import City


class Command(BaseCommand):
    help = (
        "Create the standard Suku Dinas (Nakertransgi, KPKP, PPKUKM, Sosial, Parekraf, "
        "PPAPP) for every kota. Idempotent; run load_wilayah first."
    )

    def handle(self, *args, **options):
        if not City.objects.exists():
            raise CommandError(
                "Belum ada data kota. Jalankan dulu: python manage.py load_wilayah"
            )
        self.stdout.write(agencies_load_standard().summary())
