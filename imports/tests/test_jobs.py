"""Imports as background jobs, through the pages and a real worker (the backend of
TASKS_BACKEND: the database by default, Redis Queue in CI's second run)."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from imports import services
from imports.models import ImportJob
from imports.tests.helpers import csv_bytes, nik, row, run_worker, xlsx_bytes
from participants.counting import stage_counts_differences
from participants.models import Resident


@pytest.fixture
def joglo_client(client, joglo):
    client.force_login(joglo)
    return client


def upload(client, data: bytes, name="warga.xlsx", capture=None):
    with capture(execute=True):
        return client.post(
            reverse("imports:list"), {"file": SimpleUploadedFile(name, data)}
        )


def test_upload_check_preview_commit_write(
    joglo_client, django_capture_on_commit_callbacks
):
    data = xlsx_bytes([row(1), row(2), row(3, nik="12")])

    response = upload(joglo_client, data, capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.url == job.get_absolute_url()
    run_worker()

    page = joglo_client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert (job.new_residents, job.error_rows) == (2, 1)
    assert "NIK harus 16 digit" in page
    assert not Resident.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        joglo_client.post(reverse("imports:commit", args=[job.pk]))
    run_worker()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.rows_written == 3
    assert set(Resident.objects.values_list("nik", flat=True)) == {nik(1), nik(2)}
    assert set(Resident.objects.values_list("channel", flat=True)) == {"import"}
    assert stage_counts_differences() == []

    # The refused row comes back with its reason; fixed, it goes in alone.
    response = joglo_client.get(reverse("imports:errors", args=[job.pk]))
    sheet = CalamineWorkbook.from_filelike(
        BytesIO(response.content)
    ).get_sheet_by_index(0)
    header, *rows = sheet.to_python()
    assert len(rows) == 1
    assert "16 digit" in rows[0][header.index("kesalahan")]
    fixed = dict(zip(header, rows[0], strict=False))
    fixed["nik"] = nik(3)
    fixed["rt"], fixed["rw"] = "5", "2"
    upload(
        joglo_client,
        xlsx_bytes([fixed], header=header),
        capture=django_capture_on_commit_callbacks,
    )
    second = ImportJob.objects.latest("pk")
    run_worker()
    second.refresh_from_db()
    assert (second.new_residents, second.error_rows) == (1, 0)


def test_progress_partial_polls_while_running(joglo_client, joglo):
    job = services.import_job_create(
        user=joglo, file_name="a.csv", content=csv_bytes([row(1)])
    )
    response = joglo_client.get(
        reverse("imports:detail", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 1s"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_another_users_import_is_not_found(client, joglo, places):
    from accounts.models import Role
    from accounts.tests.factories import staff_user

    job = services.import_job_create(
        user=joglo, file_name="a.csv", content=csv_bytes([row(1)])
    )
    client.force_login(staff_user(Role.KELURAHAN, "31.73.01.1005"))
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 404


def test_pimpinan_may_not_import(client, places):
    from accounts.models import Role
    from accounts.tests.factories import staff_user

    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    assert client.get(reverse("imports:list")).status_code == 403


def test_files_over_the_web_limit_are_refused_with_a_pointer_to_the_command(
    joglo_client, settings
):
    settings.IMPORT_MAX_BYTES = 100
    response = joglo_client.post(
        reverse("imports:list"),
        {"file": SimpleUploadedFile("besar.csv", csv_bytes([row(1), row(2)]))},
    )
    assert "import_participants" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_template_has_header_example_and_guide(joglo_client):
    response = joglo_client.get(reverse("imports:template"))
    workbook = CalamineWorkbook.from_filelike(BytesIO(response.content))
    assert workbook.sheet_names == ["data", "petunjuk"]
    header, example = workbook.get_sheet_by_index(0).to_python()
    assert header[0] == "nik" and example[0] == "3173084508900001"


class Killed(BaseException):
    """A worker killed mid-job (not an Exception: nothing in the job catches it)."""


def test_a_worker_killed_mid_job_resumes_without_writing_twice(joglo, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    job = services.import_job_create(
        user=joglo, file_name="a.csv", content=csv_bytes([row(n) for n in range(1, 8)])
    )
    services.import_check(job_id=job.pk)
    services.import_commit(job=job)
    real_write = services._write
    calls = {"n": 0}

    def dying_write(results, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            real_write(results, **kwargs)
            raise Killed  # after writing, before the chunk commits
        real_write(results, **kwargs)

    monkeypatch.setattr(services, "_write", dying_write)
    with pytest.raises(Killed):
        services.import_write(job_id=job.pk)
    job.refresh_from_db()
    assert job.rows_written == 2
    assert Resident.objects.count() == 2  # the second chunk rolled back whole
    assert stage_counts_differences() == []

    monkeypatch.setattr(services, "_write", real_write)
    services.import_write(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_written, job.new_residents) == (7, 7)
    assert Resident.objects.count() == 7
    assert stage_counts_differences() == []
    # Run again (a duplicate delivery): nothing changes.
    services.import_write(job_id=job.pk)
    assert Resident.objects.count() == 7


def test_command_dry_run_and_error_file(tmp_path, joglo, capsys):
    path = tmp_path / "warga.csv"
    path.write_bytes(csv_bytes([row(1), row(2, tanggal_lahir="kemarin")]))

    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_participants", str(path), "--user", joglo.username, "--dry-run"
        )
    assert exit_info.value.code == 1
    assert not Resident.objects.exists()
    assert "1 warga baru" in capsys.readouterr().out

    with pytest.raises(SystemExit):
        call_command("import_participants", str(path), "--user", joglo.username)
    assert Resident.objects.count() == 1
    errors = CalamineWorkbook.from_path(str(tmp_path / "warga.kesalahan.xlsx"))
    header, *rows = errors.get_sheet_by_index(0).to_python()
    assert len(rows) == 1 and "tidak sah" in rows[0][header.index("kesalahan")]

    path.write_bytes(csv_bytes([row(1)]))
    call_command("import_participants", str(path), "--user", joglo.username)
    assert "1 tidak berubah" in capsys.readouterr().out


def test_a_file_over_the_row_limit_fails_with_a_pointer_to_the_command(joglo, settings):
    settings.IMPORT_MAX_ROWS = 2
    job = services.import_job_create(
        user=joglo, file_name="a.csv", content=csv_bytes([row(n) for n in range(1, 4)])
    )

    services.import_check(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "import_participants" in job.message
    assert not Resident.objects.exists()


def test_the_error_file_holds_a_refused_row_with_control_characters():
    """A cell as read from a CSV may hold what no XLSX can (the row is refused for another
    reason): the error file is still written, with the text the user typed otherwise."""
    from io import BytesIO

    from openpyxl import load_workbook

    from imports.errorfile import error_file_write

    target = BytesIO()
    error_file_write(
        target,
        columns=["nik", "alamat"],
        rows=[(2, ["12", "Jl.\x1b Mawar\x00 5"], [("nik", "NIK harus 16 digit.")])],
    )

    sheet = load_workbook(BytesIO(target.getvalue())).active
    assert [c.value for c in sheet[2]] == [
        "12",
        "Jl. Mawar 5",
        "nik: NIK harus 16 digit.",
        2,
    ]
