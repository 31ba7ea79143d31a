"""Reads about Suku Dinas and field-lead coverage."""

from dataclasses import dataclass

from django.db.models import QuerySet

from wilayah.models import City, District

from .models import Agency, FieldLead


@dataclass(frozen=True)
class CoverageRow:
    agency: Agency
    cells: list[tuple[District, FieldLead | None]]

    @property
    def gaps(self) -> int:
        return sum(lead is None for _district, lead in self.cells)


def agencies_of_city(*, city: City) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(city=city).select_related("city").order_by("short_name")
    )


def coverage_matrix(
    *, city: City, agencies: QuerySet[Agency] | None = None, districts=None
) -> list[CoverageRow]:
    """Sudin x kecamatan of a kota: each cell the active field lead, or None for a gap."""
    agencies = list(agencies if agencies is not None else agencies_of_city(city=city))
    districts = list(
        districts if districts is not None else District.objects.filter(city=city)
    )
    leads = {
        (lead.agency_id, lead.district_id): lead
        for lead in FieldLead.objects.filter(
            active=True, agency__in=agencies, district__in=districts
        )
    }
    return [
        CoverageRow(
            agency=agency,
            cells=[
                (district, leads.get((agency.pk, district.pk)))
                for district in districts
            ],
        )
        for agency in agencies
    ]
