from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import (
    demo_accounts,
    demo_field_leads,
    demo_office_contacts,
    demo_places_and_agencies,
)
from demo.kota import demo_kota_load
from demo.outreach import demo_outreach
from demo.targets import demo_periods


class Command(BaseCommand):
    help = (
        "Fill a demo database: places, Suku Dinas, demo accounts (password DEMO_PASSWORD) "
        "and Jakarta Barat field leads, plus --residents N demo residents of Jakarta Barat "
        "(only while it has none) with trainings of every Sudin and their enrolments (only "
        "while it has no training). Refuses to run unless DEBUG is on. Running it again "
        "changes nothing and keeps what users entered."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022, help="random seed")
        parser.add_argument(
            "--residents",
            type=int,
            default=0,
            help="demo residents to add to Jakarta Barat (nothing if it already has any)",
        )

    def handle(self, *args, seed, residents, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo menolak berjalan karena DEBUG mati: data dan akun demo tidak "
                "boleh masuk ke basis data produksi. Set DEBUG=1 untuk lingkungan demo."
            )
        for line in demo_places_and_agencies():
            self.stdout.write(line)
        leads = demo_field_leads(seed=seed)
        self.stdout.write(f"Kasatlak/Kasatpel demo: baru {leads}")
        contacts = demo_office_contacts(seed=seed)
        self.stdout.write(
            f"Kontak kantor demo (Sudin, kecamatan, satlak): baru {contacts}"
        )
        accounts = demo_accounts(password=settings.DEMO_PASSWORD)
        self.stdout.write("Akun demo (kata sandi: DEMO_PASSWORD, bawaan 'jakpreneur'):")
        for username, role, created in accounts:
            note = "" if created else "  (sudah ada, tidak diubah)"
            self.stdout.write(f"  {username:<22} {role}{note}")
        if residents > 0:
            # Residents and trainings in one load: indexes, stage dates and counters of
            # Jakarta Barat rebuilt once, after both.
            [people], [trainings] = demo_kota_load(
                residents={"31.73": residents}, programs=["31.73"], seed=seed
            )
            self.stdout.write(people.summary())
            self.stdout.write(trainings.summary())
            outreach = demo_outreach(seed=seed)  # issue 13
            self.stdout.write(f"Kegiatan sosialisasi demo: baru {outreach}")
            if counters := trainings.counters or people.counters:
                self.stdout.write(
                    f"Hitungan tahap Jakarta Barat: {counters} penghitung"
                )
        periods = demo_periods(residents=residents)
        self.stdout.write(f"Periode target demo (2023-S1 … 2027-S2): baru {periods}")
