"""Loading the official list of places."""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from .models import (
    CITY_CODE,
    DISTRICT_CODE,
    PROVINCE_CODE,
    VILLAGE_CODE,
    City,
    District,
    Province,
    Village,
    district_slug,
)

OFFICIAL_CSV = Path(__file__).resolve().parent / "data" / "wilayah_dki_jakarta.csv"
COLUMNS = ["kode", "nama", "level", "parent_kode"]
# Level name in the file -> (model, code pattern, parent field), parents first.
LEVELS = {
    "provinsi": (Province, PROVINCE_CODE, None),
    "kota": (City, CITY_CODE, "province"),
    "kecamatan": (District, DISTRICT_CODE, "city"),
    "kelurahan": (Village, VILLAGE_CODE, "district"),
}


class WilayahFileError(ValueError):
    """A place file that cannot be loaded; nothing has been written."""


@dataclass(frozen=True)
class PlaceRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        counts = ", ".join(f"{n} {level}" for level, n in self.totals.items())
        line = _(
            "Wilayah: %(counts)s (baru %(created)d, diubah %(updated)d, tetap %(unchanged)d"
        ) % {
            "counts": counts,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.deleted or self.kept:
            line += _(
                ", dihapus %(deleted)d, dipertahankan karena dipakai %(kept)d"
            ) % {
                "deleted": self.deleted,
                "kept": len(self.kept),
            }
        return line + ")"


def wilayah_read_csv(*, path: Path = OFFICIAL_CSV) -> list[PlaceRow]:
    """Read and check a whole place file; raise WilayahFileError naming the bad line."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header != COLUMNS:
                raise WilayahFileError(
                    _("Baris 1: kolom harus %(expected)s, ditemukan %(found)s.")
                    % {"expected": ",".join(COLUMNS), "found": ",".join(header or [])}
                )
            rows = [
                _parse_row(number, values)
                for number, values in enumerate(reader, start=2)
                if any(value.strip() for value in values)
            ]
    except (OSError, UnicodeDecodeError) as error:
        raise WilayahFileError(
            _("Berkas %(path)s tidak dapat dibaca: %(error)s")
            % {"path": path, "error": error}
        ) from error
    _check_tree(rows)
    return rows


def _parse_row(number: int, values: list[str]) -> PlaceRow:
    if len(values) != len(COLUMNS):
        raise WilayahFileError(
            _("Baris %(line)d: harus ada %(n)d kolom, ditemukan %(found)d.")
            % {"line": number, "n": len(COLUMNS), "found": len(values)}
        )
    code, name, level, parent_code = (value.strip() for value in values)
    if level not in LEVELS:
        raise WilayahFileError(
            _("Baris %(line)d: level '%(level)s' tidak dikenal (%(known)s).")
            % {"line": number, "level": level, "known": ", ".join(LEVELS)}
        )
    if not re.fullmatch(LEVELS[level][1], code):
        raise WilayahFileError(
            _("Baris %(line)d: kode '%(code)s' tidak sah untuk level %(level)s.")
            % {"line": number, "code": code, "level": level}
        )
    expected_parent = code.rpartition(".")[0]
    if parent_code != expected_parent:
        raise WilayahFileError(
            _(
                "Baris %(line)d: induk kode '%(code)s' harus '%(parent)s', bukan '%(found)s'."
            )
            % {
                "line": number,
                "code": code,
                "parent": expected_parent,
                "found": parent_code,
            }
        )
    if not name or len(name) > 100:
        raise WilayahFileError(
            _("Baris %(line)d: nama wilayah kosong atau lebih dari 100 karakter.")
            % {"line": number}
        )
    return PlaceRow(number, code, name, level, parent_code)


def _check_tree(rows: list[PlaceRow]) -> None:
    seen: dict[str, PlaceRow] = {}
    for row in rows:
        if row.code in seen:
            raise WilayahFileError(
                _("Baris %(line)d: kode '%(code)s' sudah ada di baris %(first)d.")
                % {"line": row.line, "code": row.code, "first": seen[row.code].line}
            )
        seen[row.code] = row
    for row in rows:
        if row.parent_code and row.parent_code not in seen:
            model = LEVELS[row.level][0]
            parent_model = model._meta.get_field(LEVELS[row.level][2]).related_model
            if not parent_model.objects.filter(code=row.parent_code).exists():
                raise WilayahFileError(
                    _(
                        "Baris %(line)d: induk '%(parent)s' tidak ada di berkas maupun di basis data."
                    )
                    % {"line": row.line, "parent": row.parent_code}
                )


@transaction.atomic
def wilayah_import(
    *, rows: list[PlaceRow], prune: bool = False, dry_run: bool = False
) -> ImportResult:
    """Create or update every place in rows (parents first); never delete a used place."""
    result = ImportResult()
    for level, (model, _pattern, parent_field) in LEVELS.items():
        existing = {place.code: place for place in model.objects.all()}
        parents = (
            {
                p.code: p
                for p in model._meta.get_field(parent_field).related_model.objects.all()
            }
            if parent_field
            else {}
        )
        for row in (r for r in rows if r.level == level):
            values = {"name": row.name}
            if parent_field:
                values[parent_field] = parents[row.parent_code]
            if model is City:
                values["kind"] = (
                    City.Kind.KABUPATEN
                    if row.name.startswith("Kabupaten")
                    else City.Kind.KOTA
                )
            place = existing.get(row.code)
            if place is None:
                place = model(code=row.code, **values)
                place.full_clean()
                place.save()
                result.created += 1
                continue
            changed = [
                name for name, value in values.items() if getattr(place, name) != value
            ]
            if changed:
                for name in changed:
                    setattr(place, name, values[name])
                place.full_clean()
                place.save(update_fields=changed)
                result.updated += 1
            else:
                result.unchanged += 1
    if prune:
        _prune(rows=rows, result=result)
    district_slugs_refresh()
    result.totals = {
        level: model.objects.count() for level, (model, _p, _f) in LEVELS.items()
    }
    if dry_run:
        transaction.set_rollback(True)
    return result


def _prune(*, rows: list[PlaceRow], result: ImportResult) -> None:
    codes = {row.code for row in rows}
    for model, _pattern, _parent in reversed(LEVELS.values()):
        for place in model.objects.exclude(code__in=codes):
            try:
                with transaction.atomic():
                    place.delete()
            except ProtectedError:
                result.kept.append(place.code)
            else:
                result.deleted += 1


def district_slugs_refresh() -> int:
    """Give every kecamatan its slug by the rule (its name; its kota's appended where the
    name repeats in DKI Jakarta); returns how many changed. Idempotent."""
    districts = list(District.objects.select_related("city"))
    names = Counter(d.name.casefold() for d in districts)
    wanted = {
        d.pk: district_slug(
            name=d.name,
            city_name=d.city.short_name,
            repeated=names[d.name.casefold()] > 1,
        )
        for d in districts
    }
    changed = [d for d in districts if d.slug != wanted[d.pk]]
    # Two steps, so that two kecamatan trading slugs never hold the same one at once.
    for district in changed:
        district.slug = f"~{district.code}"
        district.save(update_fields=["slug"])
    for district in changed:
        district.slug = wanted[district.pk]
        district.save(update_fields=["slug"])
    return len(changed)
