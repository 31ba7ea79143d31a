"""The export pages: queue a big list, watch it being built, download it (logged)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import may_list_residents
from jakpreneur.spreadsheets import XLSX_CONTENT_TYPE

from .models import ExportJob
from .selectors import export_job_for, export_jobs_of
from .services import (
    ExportRefused,
    export_chunks,
    export_download_log,
    export_expired,
    export_job_create,
    export_requeue,
)
from .tasks import export_build_task

CONTENT_TYPES = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: XLSX_CONTENT_TYPE,
}


def _reader(request):
    if not may_list_residents(request.user):
        raise PermissionDenied


def _enqueue(job: ExportJob) -> None:
    def send():
        result = export_build_task.enqueue(job.pk)
        ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(send)


def resident_export_queue(request, *, fmt: str, filters: dict, unmasked: bool):
    """The resident list's export, too big for the request: a job builds it."""
    with transaction.atomic():
        job = export_job_create(
            user=request.user, fmt=fmt, filters=filters, unmasked=unmasked
        )
        _enqueue(job)
    messages.info(
        request,
        _(
            "Daftar ini besar, jadi berkasnya dibuat di latar belakang. Anda boleh "
            "meninggalkan halaman ini; berkasnya menunggu di daftar ekspor Anda."
        ),
    )
    return redirect(job)


def export_list(request):
    _reader(request)
    jobs = export_jobs_of(user=request.user)[:50]
    return render(
        request,
        "exports/list.html",
        {
            "jobs": jobs,
            "inline_rows": settings.EXPORT_INLINE_ROWS,
            "hours": settings.EXPORT_KEEP_HOURS,
        },
    )


def export_detail(request, job_id: int):
    _reader(request)
    job = export_job_for(user=request.user, job_id=job_id)
    template = (
        "exports/_progress.html"
        if request.headers.get("HX-Request")
        else "exports/detail.html"
    )
    return render(request, template, {"job": job, "expired": export_expired(job)})


@require_POST
def export_rerun(request, job_id: int):
    """Build a job's file again from scratch (its worker was killed, or it failed)."""
    _reader(request)
    job = export_job_for(user=request.user, job_id=job_id)
    try:
        with transaction.atomic():
            job = export_requeue(job=job)
            if job.status == ExportJob.Status.QUEUED:
                _enqueue(job)
    except ExportRefused as error:
        messages.error(request, str(error))
    else:
        if job.status == ExportJob.Status.QUEUED:
            messages.success(
                request, _("Ekspor dijalankan lagi; berkasnya dibuat dari awal.")
            )
    return redirect(job)


def export_download(request, job_id: int):
    _reader(request)
    job = export_job_for(user=request.user, job_id=job_id)
    if export_expired(job):
        return render(
            request,
            "exports/unavailable.html",
            {
                "job": job,
                "reason": _(
                    "Berkas ekspor ini sudah dihapus, karena berisi data pribadi dan "
                    "hanya disimpan sementara. Buat ekspor baru dari daftar warga."
                ),
            },
            status=410,
        )
    if job.status != ExportJob.Status.DONE:
        messages.warning(request, _("Berkas ekspor ini belum siap."))
        return redirect(job)
    try:
        export_download_log(job=job, user=request.user)
    except ExportRefused as error:
        return render(
            request,
            "exports/unavailable.html",
            {"job": job, "reason": str(error)},
            status=403,
        )
    response = StreamingHttpResponse(
        export_chunks(job=job), content_type=CONTENT_TYPES[job.format]
    )
    response["Content-Length"] = str(job.size)
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response
