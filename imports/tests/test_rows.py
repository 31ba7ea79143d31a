"""Importing rows: every bad value is a row error and writes nothing for its row; the good
rows are written once; the counters stay equal to a recount."""

import zipfile
from datetime import date
from io import BytesIO

import pytest

from imports.reading import ImportFileError, table_open
from imports.services import rows_import
from imports.tests.helpers import HEADER, csv_bytes, nik, row, xlsx_bytes
from participants.counting import stage_counts_differences
from participants.models import Resident
from programs.models import Enrollment
from programs.tests.factories import ProgramFactory

TODAY = date(2025, 6, 1)


def run(data: bytes, user, *, name="warga.csv", write=True):
    results = []
    summary = rows_import(
        table=table_open(data, file_name=name),
        user=user,
        write=write,
        today=TODAY,
        after_chunk=lambda done, chunk, s: results.extend(chunk),
    )
    return summary, {r.number: r for r in results}


def errors_of(result) -> dict:
    return dict(result.errors)


def assert_counters_match():
    assert stage_counts_differences() == []


def test_valid_rows_are_written_and_counted(joglo):
    summary, _results = run(csv_bytes([row(1), row(2)]), joglo)

    assert (summary.new, summary.errors) == (2, 0)
    siti = Resident.objects.get(nik=nik(1))
    assert siti.phone == "+6281234567890"
    assert (siti.rt, siti.rw) == ("005", "002")
    assert siti.registered_by == joglo
    created = siti.history.get()
    assert (created.history_type, created.history_user) == ("+", joglo)
    assert (created.nik, created.full_name, created.village_id) == (
        siti.nik,
        siti.full_name,
        siti.village_id,
    )
    assert_counters_match()


@pytest.mark.parametrize("born", ["1990-08-05", "05/08/1990", "05-08-1990", "5/8/1990"])
def test_dates_in_every_accepted_form(joglo, born):
    summary, _results = run(csv_bytes([row(1, tanggal_lahir=born)]), joglo)

    assert summary.new == 1
    assert Resident.objects.get().birth_date == date(1990, 8, 5)


def test_reimporting_the_same_file_changes_nothing(joglo):
    data = csv_bytes([row(1), row(2)])
    run(data, joglo)
    before = list(Resident.objects.order_by("pk").values())

    summary, _results = run(data, joglo)

    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 2)
    assert list(Resident.objects.order_by("pk").values()) == before
    assert_counters_match()


def test_a_changed_row_updates_the_resident_through_the_service(joglo):
    run(csv_bytes([row(1)]), joglo)

    summary, results = run(csv_bytes([row(1, alamat="Jl. Baru 9")]), joglo)
    print(results[2].errors)

    assert summary.updated == 1
    resident = Resident.objects.get(nik=nik(1))
    assert resident.address == "Jl. Baru 9"
    assert resident.history.count() == 2


@pytest.mark.parametrize(
    ("overrides", "column", "words"),
    [
        ({"nik": "31730845089"}, "nik", "16 digit"),
        ({"nik": "31730845089000AB"}, "nik", "hanya boleh berisi angka"),
        ({"nik": "3.17308E+15"}, "nik", "Excel mengubah nomor ini"),
        ({"nik": "3173083208900001"}, "nik", "bukan tanggal yang sah"),
        ({"tanggal_lahir": "31/02/1990"}, "tanggal_lahir", "tidak sah"),
        ({"tanggal_lahir": "2031-01-01"}, "tanggal_lahir", "masa depan"),
        ({"tanggal_daftar": "1980-01-01"}, "tanggal_daftar", "sebelum tanggal lahir"),
        ({"kode_kelurahan": "31.73.99.9999"}, "kode_kelurahan", "tidak dikenal"),
        ({"kode_kelurahan": "31.73.01.1005"}, "kode_kelurahan", "di luar wilayah"),
        ({"jenis_kelamin": "X"}, "jenis_kelamin", "L atau P"),
        ({"no_hp": "12"}, "no_hp", "Nomor telepon tidak dikenali"),
        ({"rt": "abc"}, "rt", "1–999"),
        ({"nama": "=HYPERLINK(1)"}, "nama", "rumus"),
        ({"nama": ""}, "nama", "Wajib diisi"),
        ({"kode_pelatihan": "TIDAK-ADA"}, "kode_pelatihan", "tidak dikenal"),
    ],
)
def test_a_bad_value_is_a_row_error_and_nothing_is_written(
    joglo, overrides, column, words
):
    summary, results = run(csv_bytes([row(1, **overrides)]), joglo)

    assert summary.errors == 1
    assert words in errors_of(results[2])[column]
    assert not Resident.objects.exists()


def test_unknown_enrolment_status_is_a_row_error(admin_user):
    program = ProgramFactory()
    data = csv_bytes(
        [
            row(
                1,
                kode_pelatihan=program.code,
                tanggal_ikut="2025-04-01",
                status_ikut="hadirr",
            )
        ]
    )
    summary, results = run(data, admin_user)

    assert "tidak dikenal" in errors_of(results[2])["status_ikut"]
    assert not Enrollment.objects.exists()


def test_the_same_nik_twice_with_different_data_refuses_the_second(joglo):
    summary, results = run(csv_bytes([row(1), row(1, nama="Orang Lain")]), joglo)

    assert "baris 2" in errors_of(results[3])["nik"]
    assert Resident.objects.get().full_name == "Siti Warga 1"


def test_empty_rows_are_skipped_and_extra_columns_ignored_with_a_notice(joglo):
    header = [*HEADER, "catatan"]
    data = csv_bytes([row(1), {}, row(2)], header=header)

    summary, _results = run(data, joglo)

    assert (summary.new, summary.errors, summary.empty) == (2, 0, 1)
    assert any("catatan" in notice for notice in summary.notices)


def test_csv_with_semicolons_bom_and_header_in_any_case_and_order(joglo):
    header = [name.upper() for name in reversed(HEADER)]
    values = row(1)
    data = csv_bytes(
        [[values[name.lower()] for name in header]],
        header=header,
        delimiter=";",
        bom=True,
    )

    summary, _results = run(data, joglo)

    assert summary.new == 1


def test_latin1_csv_is_read_and_said_plainly(joglo):
    data = csv_bytes([row(1, alamat="Jl. Café")], encoding="latin-1")

    summary, _results = run(data, joglo)

    assert Resident.objects.get().address == "Jl. Café"
    assert any("Latin-1" in notice for notice in summary.notices)


def test_xlsx_with_a_real_excel_date_and_a_numeric_nik(joglo):
    data = xlsx_bytes(
        [row(1, tanggal_lahir=date(1990, 8, 5)), row(2, nik=3173084508900002)]
    )

    summary, results = run(data, joglo, name="warga.xlsx")

    assert summary.new == 1
    assert "Excel mengubah nomor ini" in errors_of(results[3])["nik"]


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"", "kosong.xlsx", "0 byte"),
        (b"", "kosong.csv", "0 byte"),
        (b"%PDF-1.4 not a sheet", "laporan.xlsx", "bukan XLSX"),
        (b"a,b\n", "x.doc", "tidak didukung"),
    ],
)
def test_hostile_files_give_a_clear_message(joglo, content, name, words):
    with pytest.raises(ImportFileError, match=words):
        run(content, joglo, name=name)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(joglo):
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="bom zip"):
        run(out.getvalue(), joglo, name="bom.xlsx")


def test_missing_columns_stop_the_file(joglo):
    with pytest.raises(ImportFileError, match="Kolom wajib tidak ada"):
        run(csv_bytes([["1"]], header=["nik"]), joglo)


def test_dry_run_writes_nothing(joglo):
    summary, _results = run(csv_bytes([row(1)]), joglo, write=False)

    assert summary.new == 1
    assert not Resident.objects.exists()


def test_a_nik_registered_elsewhere_is_a_row_error_that_names_no_one(joglo, places):
    from accounts.models import Role
    from accounts.tests.factories import staff_user

    kapuk = staff_user(Role.KELURAHAN, "31.73.01.1005")
    run(csv_bytes([row(1, kode_kelurahan="31.73.01.1005")]), kapuk)

    summary, results = run(csv_bytes([row(1)]), joglo)

    assert "wilayah lain" in errors_of(results[2])["nik"]
    assert Resident.objects.get().village.code == "31.73.01.1005"


def test_enrolments_attendance_reach_pelatihan_and_the_counters_follow(admin_user):
    program = ProgramFactory()
    data = csv_bytes(
        [
            row(
                1,
                kode_pelatihan=program.code,
                tanggal_ikut="2025-04-10",
                status_ikut="hadir",
            ),
            row(
                2,
                kode_pelatihan=program.code,
                tanggal_ikut="2025-04-10",
                status_ikut="terdaftar",
            ),
        ]
    )

    summary, _results = run(data, admin_user)

    assert (summary.new, summary.enrollments) == (2, 2)
    assert Resident.objects.get(nik=nik(1)).trained_on == date(2025, 4, 10)
    assert Resident.objects.get(nik=nik(2)).trained_on is None
    assert_counters_match()

    # A later sheet marks the second as lulus: the enrolment is updated, counted once.
    data = csv_bytes(
        [
            row(
                2,
                kode_pelatihan=program.code,
                tanggal_ikut="2025-04-10",
                status_ikut="lulus",
            )
        ]
    )
    summary, _results = run(data, admin_user)
    assert Resident.objects.get(nik=nik(2)).trained_on == date(2025, 4, 10)
    assert Enrollment.objects.count() == 2
    assert_counters_match()


def test_sudin_enrols_only_into_own_programmes_and_only_existing_residents(
    joglo, sudin
):
    own = ProgramFactory()
    other = ProgramFactory(
        agency=own.agency.__class__.objects.get(city__code="31.73", short_name="KPKP")
    )
    run(csv_bytes([row(1)]), joglo)
    header = ["nik", "kode_pelatihan", "tanggal_ikut", "status_ikut"]
    data = csv_bytes(
        [
            {
                "nik": nik(1),
                "kode_pelatihan": own.code,
                "tanggal_ikut": "2025-04-10",
                "status_ikut": "hadir",
            },
            {"nik": nik(1), "kode_pelatihan": other.code, "tanggal_ikut": "2025-04-10"},
            {"nik": nik(9), "kode_pelatihan": own.code, "tanggal_ikut": "2025-04-10"},
        ],
        header=header,
    )

    summary, results = run(data, sudin)

    assert summary.enrollments == 1
    assert "bukan pelatihan yang Anda" in errors_of(results[3])["kode_pelatihan"]
    assert "belum terdaftar" in errors_of(results[4])["nik"]
    assert_counters_match()


def test_kelurahan_clerk_cannot_enrol(joglo):
    program = ProgramFactory()
    summary, results = run(
        csv_bytes([row(1, kode_pelatihan=program.code, tanggal_ikut="2025-04-10")]),
        joglo,
    )
    assert "kode_pelatihan" in errors_of(results[2])
    assert not Resident.objects.exists()


def test_kecamatan_clerk_imports_any_kelurahan_of_the_kecamatan_only(places):
    from accounts.models import Role
    from accounts.tests.factories import staff_user

    kembangan = staff_user(Role.KECAMATAN, "31.73.08")
    data = csv_bytes(
        [
            row(1, kode_kelurahan="31.73.08.1005"),  # Joglo, Kembangan
            row(2, kode_kelurahan="31.73.08.1001"),  # another kelurahan of Kembangan
            row(3, kode_kelurahan="31.73.01.1005"),  # Kapuk, Cengkareng
        ]
    )

    summary, results = run(data, kembangan)

    assert (summary.new, summary.errors) == (2, 1)
    assert "di luar wilayah" in errors_of(results[4])["kode_kelurahan"]


def test_sudin_sheet_with_resident_columns_enrols_and_leaves_the_residents_alone(
    joglo, sudin
):
    program = ProgramFactory()
    run(csv_bytes([row(1)]), joglo)
    data = csv_bytes(
        [
            row(
                1,
                alamat="Alamat lain",
                kode_pelatihan=program.code,
                tanggal_ikut="2025-04-10",
                status_ikut="hadir",
            )
        ]
    )

    summary, _results = run(data, sudin)

    assert (summary.enrollments, summary.errors) == (1, 0)
    assert any("diabaikan" in notice for notice in summary.notices)
    assert Resident.objects.get().address == "Jl. Joglo Raya No. 5"
    assert_counters_match()


def test_the_same_nik_and_programme_twice_refuses_the_second(admin_user):
    one, two = ProgramFactory(), ProgramFactory()
    enrolment = {"tanggal_ikut": "2025-04-10", "status_ikut": "hadir"}
    data = csv_bytes(
        [
            row(1, kode_pelatihan=one.code, **enrolment),
            row(1, kode_pelatihan=two.code, **enrolment),
            row(1, kode_pelatihan=one.code, **enrolment),
            row(1, kode_pelatihan=two.code, **enrolment),
        ]
    )

    summary, results = run(data, admin_user)

    assert (summary.new, summary.enrollments, summary.errors) == (1, 2, 2)
    assert "baris 2" in errors_of(results[4])["kode_pelatihan"]
    assert "baris 3" in errors_of(results[5])["kode_pelatihan"]
    assert_counters_match()


def test_moving_a_resident_to_another_kelurahan_moves_the_counters(places):
    from accounts.models import Role
    from accounts.tests.factories import staff_user

    kembangan = staff_user(Role.KECAMATAN, "31.73.08")
    run(csv_bytes([row(1, kode_kelurahan="31.73.08.1005")]), kembangan)

    summary, _results = run(
        csv_bytes([row(1, kode_kelurahan="31.73.08.1001")]), kembangan
    )

    assert summary.updated == 1
    assert Resident.objects.get().village.code == "31.73.08.1001"
    assert_counters_match()


def test_a_value_repeated_down_a_column_is_judged_the_same_on_every_row(joglo):
    # The checks of a column's repeated values are kept: a bad one stays bad, a good one
    # stays good, and an empty optional cell stays empty, on every row.
    data = csv_bytes(
        [
            row(1, rt="abc"),
            row(2, rt="abc", no_kk=""),
            row(3, rt="7", no_kk=""),
            row(4, rt="7", jenis_kelamin="X"),
            row(5, rt="7", jenis_kelamin="X"),
        ]
    )

    summary, results = run(data, joglo)

    assert (summary.new, summary.errors) == (1, 4)
    assert [list(errors_of(results[n])) for n in range(2, 7)] == [
        ["rt"],
        ["rt"],
        [],
        ["jenis_kelamin"],
        ["jenis_kelamin"],
    ]
    assert "1–999" in errors_of(results[3])["rt"]
    resident = Resident.objects.get()
    assert (resident.rt, resident.kk_number) == ("007", "")


def test_the_c_heap_is_trimmed_after_each_chunk(joglo, monkeypatch):
    from imports import services

    trims = []
    monkeypatch.setattr(services, "_malloc_trim", trims.append)
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)

    run(csv_bytes([row(1), row(2), row(3)]), joglo)

    assert trims == [0, 0]


def test_possible_twins_of_a_chunk_are_warned_pair_by_pair(joglo):
    born_1990, born_1985 = date(1990, 8, 5), date(1985, 1, 1)
    run(
        csv_bytes(
            [
                row(1, nama="Siti Aminah"),
                row(2, nama="Dewi Lestari"),
                row(
                    3,
                    nik=nik(3, born=born_1985),
                    nama="Rina Wati",
                    tanggal_lahir="1985-01-01",
                ),
            ]
        ),
        joglo,
    )
    twin = "Mungkin ganda"

    _summary, results = run(
        csv_bytes(
            [
                # Same name and birth date as Siti and Dewi, other NIKs: possible twins.
                row(11, nik=nik(11, born=born_1990), nama="Siti Aminah"),
                row(12, nik=nik(12, born=born_1990), nama="DEWI  lestari"),
                # Rina's name with Siti's birth date, and Siti's name with Rina's: no one.
                row(13, nik=nik(13, born=born_1990), nama="Rina Wati"),
                row(
                    14,
                    nik=nik(14, born=born_1985),
                    nama="Siti Aminah",
                    tanggal_lahir="1985-01-01",
                ),
            ]
        ),
        joglo,
        write=False,
    )

    warned = {
        number: any(twin in message for _column, message in result.warnings)
        for number, result in results.items()
    }
    assert warned == {2: True, 3: True, 4: False, 5: False}
