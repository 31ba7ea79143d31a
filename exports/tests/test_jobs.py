"""Big resident list exports as background jobs, through the pages and a real worker (the
backend of TASKS_BACKEND: the database by default, Redis Queue in CI's second run)."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role, StaffProfile
from accounts.tests.factories import staff_user
from exports import services
from exports.models import ExportJob, ExportPart
from imports.tests.helpers import run_worker
from participants import exports as participant_exports
from participants.models import AccessLog
from participants.tests.factories import ResidentFactory
from wilayah.models import City, Village


@pytest.fixture
def joglo(client, places):
    user = staff_user(Role.KELURAHAN, "31.73.08.1005")
    client.force_login(user)
    return user


@pytest.fixture
def residents(places):
    women = [ResidentFactory(full_name=f"Ibu {n}", gender="P") for n in range(3)]
    men = [
        ResidentFactory(full_name=f"Bapak {n}", gender="L", address="=1+1")
        for n in range(4)
    ]
    return women + men


def _make_pimpinan(user) -> None:
    """The user's role changes to one that sees masked NIKs only (of the same kota)."""
    StaffProfile.objects.filter(user=user).update(
        role=Role.PIMPINAN, village=None, city=City.objects.get(code="31.73")
    )


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _inline(client, fmt: str, query: dict) -> bytes:
    response = client.get(reverse(f"participants:export_{fmt}"), query)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _queue(client, fmt: str, query: dict, capture) -> ExportJob:
    with capture(execute=True):
        response = client.get(reverse(f"participants:export_{fmt}"), query)
    job = ExportJob.objects.latest("pk")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    return job


def _download(client, job: ExportJob):
    return client.get(reverse("exports:download", args=[job.pk]))


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_small_list_is_still_exported_inside_the_request(client, joglo, residents):
    body = _inline(client, "csv", {"gender": "L"})

    assert len(_csv(body)) == 1 + 4
    assert not ExportJob.objects.exists()
    assert AccessLog.objects.filter(action="export_list").count() == 1


def test_a_big_csv_export_is_a_job_whose_file_equals_the_inline_export(
    client, joglo, residents, settings, django_capture_on_commit_callbacks
):
    query = {"gender": "L", "sort": "full_name"}
    inline = _inline(client, "csv", query)
    AccessLog.objects.all().delete()
    settings.EXPORT_INLINE_ROWS = 2

    job = _queue(client, "csv", query, django_capture_on_commit_callbacks)
    assert job.filters == query and job.unmasked
    assert not AccessLog.objects.exists()  # queued: nothing has left the app yet
    page = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<html" not in page

    run_worker()

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert (job.rows_written, job.rows_total) == (4, 4)
    page = client.get(job.get_absolute_url()).content.decode()
    kept = timezone.localtime(job.kept_until).strftime("%d/%m/%Y %H:%M")
    assert f"disimpan sampai {kept}" in page
    assert 'hx-trigger="every 1s"' not in page
    response = _download(client, job)
    assert response["Content-Type"].startswith("text/csv")
    assert _body(response) == inline  # the same bytes as the inline export
    assert "'=1+1" in inline.decode("utf-8-sig")
    log = AccessLog.objects.get()
    assert log.action == "export_list" and log.user == joglo
    assert "NIK lengkap" in log.detail and f"#{job.pk}" in log.detail

    _download(client, job)  # every download is logged
    assert AccessLog.objects.count() == 2


def test_a_big_xlsx_export_has_the_inline_rows(
    client, joglo, residents, settings, django_capture_on_commit_callbacks
):
    query = {"sort": "full_name"}
    inline = load_workbook(io.BytesIO(_inline(client, "xlsx", query))).active
    settings.EXPORT_INLINE_ROWS = 5

    job = _queue(client, "xlsx", query, django_capture_on_commit_callbacks)
    run_worker()

    response = _download(client, job)
    built = load_workbook(io.BytesIO(_body(response))).active
    assert list(built.values) == list(inline.values)
    assert len(list(built.values)) == 1 + 7
    assert built.freeze_panes == "A2"


def test_a_list_longer_than_a_sheet_continues_on_the_next(
    joglo, residents, monkeypatch
):
    monkeypatch.setattr(participant_exports, "SHEET_ROWS", 3)
    job = services.export_job_create(user=joglo, fmt="xlsx", filters={}, unmasked=True)

    services.export_build(job_id=job.pk)

    data = b"".join(services.export_chunks(job=ExportJob.objects.get(pk=job.pk)))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Warga", "Warga 2", "Warga 3"]
    assert [len(list(s.values)) - 1 for s in workbook] == [3, 3, 1]


def test_pimpinan_gets_a_masked_file_with_ages(
    client, residents, settings, django_capture_on_commit_callbacks
):
    client.force_login(staff_user(Role.PIMPINAN, "31.73"))
    settings.EXPORT_INLINE_ROWS = 1

    job = _queue(client, "csv", {}, django_capture_on_commit_callbacks)
    assert not job.unmasked
    run_worker()

    header, *rows = _csv(_body(_download(client, job)))
    assert header[5] == "Usia (tahun)"
    assert len(rows) == 7
    assert all(row[0].endswith("••••••••••") for row in rows)
    assert not any(residents[0].nik in row for row in rows)
    assert "tersamar" in AccessLog.objects.get().detail


def test_a_right_lost_before_the_job_runs_gives_a_masked_file(joglo, residents):
    job = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    _make_pimpinan(joglo)

    services.export_build(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and not job.unmasked
    body = b"".join(services.export_chunks(job=job)).decode("utf-8-sig")
    assert residents[0].nik not in body and "Usia (tahun)" in body


def test_a_right_lost_before_the_download_refuses_the_unmasked_file(
    client, joglo, residents
):
    job = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    services.export_build(job_id=job.pk)
    _make_pimpinan(joglo)

    response = _download(client, job)

    assert response.status_code == 403
    assert "NIK lengkap" in response.content.decode()
    assert not AccessLog.objects.exists()


def test_another_users_export_is_not_found(client, joglo, residents):
    job = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    services.export_build(job_id=job.pk)
    client.force_login(staff_user(Role.KELURAHAN, "31.73.08.1005"))  # a colleague

    for name in ("detail", "download"):
        assert client.get(reverse(f"exports:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("exports:rerun", args=[job.pk])).status_code == 404
    assert f"#{job.pk}<" not in client.get(reverse("exports:list")).content.decode()
    assert not AccessLog.objects.exists()


def test_sudin_staff_may_not_list_exports(client, places):
    client.force_login(staff_user(Role.SUDIN, "31.73:PPKUKM"))
    assert client.get(reverse("exports:list")).status_code == 403


def test_the_list_of_exports_shows_the_users_own(client, joglo, residents):
    job = services.export_job_create(user=joglo, fmt="xlsx", filters={}, unmasked=True)

    page = client.get(reverse("exports:list")).content.decode()

    assert f"XLSX #{job.pk}" in page and "menunggu" in page
    assert "sampai 5.000 baris langsung diunduh" in page
    assert "disimpan 24 jam" in page


def test_the_job_reads_the_list_as_its_user_with_the_same_filters(joglo, places):
    ResidentFactory(full_name="Di Joglo", gender="L")
    kapuk = Village.objects.get(code="31.73.06.1002")
    ResidentFactory(full_name="Di Kapuk", gender="L", village=kapuk)
    job = services.export_job_create(
        user=joglo, fmt="csv", filters={"gender": "L"}, unmasked=True
    )

    services.export_build(job_id=job.pk)

    body = b"".join(
        services.export_chunks(job=ExportJob.objects.get(pk=job.pk))
    ).decode("utf-8-sig")
    assert "Di Joglo" in body and "Di Kapuk" not in body


def test_filters_no_longer_valid_fail_with_a_clear_message(client, joglo, places):
    job = services.export_job_create(
        user=joglo, fmt="csv", filters={"gender": "X"}, unmasked=True
    )

    services.export_build(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    assert "tidak lagi berlaku" in page and "Jalankan lagi" in page


def test_a_crash_in_the_worker_shows_a_clear_message(
    client, joglo, residents, monkeypatch, settings, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_csv_write", broken)
    settings.EXPORT_INLINE_ROWS = 1
    job = _queue(client, "csv", {}, django_capture_on_commit_callbacks)

    run_worker()

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "kesalahan di server" in client.get(job.get_absolute_url()).content.decode()
    assert _download(client, job).status_code == 302  # not ready: back to its page


class Killed(BaseException):
    """A worker killed mid-job (not an Exception: nothing in the job catches it)."""


def test_a_killed_worker_is_rerun_and_the_file_built_from_scratch(
    client, joglo, residents, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "PART_BYTES", 200)  # a part every line or two
    job = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    real_create = ExportPart.objects.create
    calls = {"n": 0}

    def dying_create(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed
        return real_create(**kwargs)

    monkeypatch.setattr(ExportPart.objects, "create", dying_create)
    with pytest.raises(Killed):
        services.export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING
    assert ExportPart.objects.filter(job=job).count() == 2
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Jalankan lagi" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exports:rerun", args=[job.pk]))
    run_worker()

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempt == 2
    assert not ExportPart.objects.filter(job=job, attempt=1).exists()
    rows = _csv(_body(_download(client, job)))
    assert len(rows) == 1 + 7
    assert len({row[0] for row in rows[1:]}) == 7  # no resident twice


def test_purge_deletes_old_files_and_the_page_says_so(client, joglo, residents):
    old = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    fresh = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    services.export_build(job_id=old.pk)
    services.export_build(job_id=fresh.pk)
    ExportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(hours=25)
    )

    # Past its time the file is not served, even before the purge runs.
    response = _download(client, old)
    assert response.status_code == 410
    assert "sudah dihapus" in response.content.decode()

    out = io.StringIO()
    call_command("purge_exports", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "1 export files would be deleted"
    assert ExportPart.objects.filter(job=old).exists()
    call_command("purge_exports", stdout=out)

    old.refresh_from_db()
    assert old.status == ExportJob.Status.EXPIRED
    assert not ExportPart.objects.filter(job=old).exists()
    assert ExportPart.objects.filter(job=fresh).exists()
    assert _download(client, old).status_code == 410
    assert "sudah dihapus" in client.get(old.get_absolute_url()).content.decode()
    assert _download(client, fresh).status_code == 200
    assert AccessLog.objects.count() == 1  # only the download that happened


def test_a_job_stuck_for_longer_than_the_files_are_kept_is_stopped(joglo, places):
    job = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        created_at=timezone.now() - timedelta(hours=30),
    )
    ExportPart.objects.create(job=job, attempt=1, number=0, data=b"x")

    assert services.exports_purge() == 1

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "dihentikan" in job.message
    assert not job.parts.exists()


def test_an_expired_job_cannot_be_rerun(client, joglo, places):
    job = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED)

    response = client.post(reverse("exports:rerun", args=[job.pk]), follow=True)

    assert "sudah dihapus" in response.content.decode()
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.EXPIRED


def test_the_birth_date_column_is_a_date_in_the_unmasked_file(joglo, places):
    ResidentFactory(birth_date=date(1990, 8, 5))
    job = services.export_job_create(user=joglo, fmt="csv", filters={}, unmasked=True)

    services.export_build(job_id=job.pk)

    rows = _csv(b"".join(services.export_chunks(job=ExportJob.objects.get(pk=job.pk))))
    assert rows[1][5] == "05/08/1990"
