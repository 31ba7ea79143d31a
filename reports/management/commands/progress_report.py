import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.exports import HEADER, progress_csv, progress_json, progress_rows
from reports.selectors import period_for, progress_report
from wilayah.models import City


class Command(BaseCommand):
    help = (
        "Print a kota's progress against its target, per kecamatan and semester "
        "(CSV byte-identical to /laporan/capaian.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kota", required=True, help="kode kota, e.g. 31.73")
        parser.add_argument(
            "--periode", type=int, help="target period id (default: active)"
        )
        parser.add_argument(
            "--format", choices=["csv", "table", "json"], default="table"
        )

    def handle(self, *args, kota, periode, format, **options):
        city = City.objects.filter(code=kota).first()
        if city is None:
            raise CommandError(
                _("Kota dengan kode %(code)s tidak ada.") % {"code": kota}
            )
        period = period_for(city=city, period_id=periode)
        if period is None:
            raise CommandError(
                _("%(city)s belum punya periode target%(id)s.")
                % {"city": city.short_name, "id": f" {periode}" if periode else ""}
            )
        report = progress_report(period=period)
        if format == "csv":
            self.stdout.write(progress_csv(report), ending="")
        elif format == "json":
            self.stdout.write(
                json.dumps(progress_json(report), ensure_ascii=False, indent=2)
            )
        else:
            rows = [HEADER, *[[str(v) for v in row] for row in progress_rows(report)]]
            widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
            for row in rows:
                self.stdout.write(
                    "  ".join(
                        v.ljust(w) for v, w in zip(row, widths, strict=True)
                    ).rstrip()
                )
