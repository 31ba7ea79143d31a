import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from accounts.models import Role
from accounts.tests.factories import staff_user
from programs.models import Agency
from wilayah.models import City, District, Province, Village
from wilayah.services import OFFICIAL_CSV


def run(*args) -> str:
    out = StringIO()
    call_command("load_wilayah", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def official_rows() -> list[list[str]]:
    with open(OFFICIAL_CSV, encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_csv(path, rows) -> str:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


def test_official_list_loads_with_its_counts_on_an_empty_database(db):
    Village.objects.all().delete()
    District.objects.all().delete()
    Agency.objects.all().delete()
    City.objects.all().delete()
    Province.objects.all().delete()

    out = run()

    assert "1 provinsi, 6 kota, 44 kecamatan, 267 kelurahan" in out
    assert "baru 318" in out
    jakarta_barat = City.objects.get(code="31.73")
    assert jakarta_barat.districts.count() == 8
    assert Village.objects.filter(district__city=jakarta_barat).count() == 56
    assert Village.objects.get(code="31.73.08.1005").name == "Joglo"
    assert City.objects.get(code="31.01").kind == City.Kind.KABUPATEN


def test_loading_twice_changes_nothing(places):
    before = list(Village.objects.order_by("pk").values_list("pk", "code", "name"))

    out = run()

    assert "baru 0, diubah 0, tetap 318" in out
    assert (
        list(Village.objects.order_by("pk").values_list("pk", "code", "name")) == before
    )


def test_renamed_place_is_updated_in_place(places, tmp_path):
    joglo = Village.objects.get(code="31.73.08.1005")
    rows = [
        [code, "Joglo Raya" if code == "31.73.08.1005" else name, level, parent]
        for code, name, level, parent in official_rows()
    ]

    out = run("--file", write_csv(tmp_path / "renamed.csv", rows))

    assert "diubah 1" in out
    joglo.refresh_from_db()
    assert joglo.name == "Joglo Raya"
    assert Village.objects.filter(code="31.73.08.1005").count() == 1


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            ["31.73.08.10x9", "Salah", "kelurahan", "31.73.08"],
            "Baris 3: kode '31.73.08.10x9'",
        ),
        (["31.73.08.1099", "Salah", "desa", "31.73.08"], "Baris 3: level 'desa'"),
        (["31.73.08.1099", "Salah", "kelurahan", "31.73.07"], "Baris 3: induk kode"),
        (
            ["31.73.08.1099", "", "kelurahan", "31.73.08"],
            "Baris 3: nama wilayah kosong",
        ),
        (["31.73.08.1099", "Salah", "kelurahan"], "Baris 3: harus ada 4 kolom"),
        (["31.73.08.1098", "Kembar", "kelurahan", "31.73.08"], "sudah ada di baris 2"),
    ],
)
def test_bad_row_is_named_and_nothing_is_half_loaded(
    places, tmp_path, bad_row, message
):
    rows = [
        ["kode", "nama", "level", "parent_kode"],
        ["31.73.08.1098", "Kelurahan Baru", "kelurahan", "31.73.08"],
        bad_row,
    ]

    with pytest.raises(CommandError, match=message):
        run("--file", write_csv(tmp_path / "bad.csv", rows))

    assert not Village.objects.filter(code="31.73.08.1098").exists()


def test_wrong_header_is_refused(places, tmp_path):
    path = write_csv(tmp_path / "header.csv", [["code", "name", "level", "parent"]])

    with pytest.raises(
        CommandError, match="Baris 1: kolom harus kode,nama,level,parent_kode"
    ):
        run("--file", path)


def test_missing_file_is_a_clear_error(places, tmp_path):
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        run("--file", str(tmp_path / "none.csv"))


def test_prune_never_deletes_a_place_in_use(places, tmp_path):
    staff_user(Role.KELURAHAN, "31.73.08.1005")
    rows = [
        row
        for row in official_rows()
        if row[0] not in {"31.73.08.1005", "31.73.08.1006"}
    ]

    out = run("--prune", "--file", write_csv(tmp_path / "fewer.csv", rows))

    assert Village.objects.filter(code="31.73.08.1005").exists()
    assert not Village.objects.filter(code="31.73.08.1006").exists()
    assert "dihapus 1, dipertahankan karena dipakai 1" in out


def test_without_prune_places_missing_from_the_file_stay(places, tmp_path):
    rows = [row for row in official_rows() if row[0] != "31.73.08.1006"]

    run("--file", write_csv(tmp_path / "fewer.csv", rows))

    assert Village.objects.filter(code="31.73.08.1006").exists()


def test_dry_run_writes_nothing(places, tmp_path):
    rows = official_rows() + [
        ["31.73.08.1098", "Kelurahan Baru", "kelurahan", "31.73.08"]
    ]

    out = run("--dry-run", "--file", write_csv(tmp_path / "new.csv", rows))

    assert out.startswith("[dry-run]")
    assert "baru 1" in out
    assert not Village.objects.filter(code="31.73.08.1098").exists()


def test_database_refuses_a_malformed_code(places):
    district = District.objects.get(code="31.73.08")
    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.create(code="31.73.08.15", name="Salah", district=district)
