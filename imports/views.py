"""The import pages: upload, preview, commit, progress, error rows back as XLSX."""

from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import may_import

from .errorfile import error_file_write
from .forms import UploadForm
from .models import ImportIssue, ImportJob
from .reading import ImportFileError, table_open
from .selectors import import_job_for, import_jobs_of
from .services import import_commit, import_job_create
from .tasks import import_check_task, import_write_task
from .template_file import template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUES_SHOWN = 500


def _importer(request):
    if not may_import(request.user):
        raise PermissionDenied


def _enqueue(task, job: ImportJob) -> None:
    def send():
        result = task.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(send)


def import_list(request):
    _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                job = import_job_create(
                    user=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    sheet=form.cleaned_data["sheet"],
                )
                _enqueue(import_check_task, job)
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            return redirect(job)
    jobs = import_jobs_of(user=request.user)[:50]
    return render(request, "imports/list.html", {"form": form, "jobs": jobs})


def import_detail(request, job_id: int):
    _importer(request)
    job = import_job_for(user=request.user, job_id=job_id)
    issues = job.issues.all()[:ISSUES_SHOWN]
    template = (
        "imports/_progress.html"
        if request.headers.get("HX-Request")
        else "imports/detail.html"
    )
    return render(
        request,
        template,
        {"job": job, "issues": issues, "issues_shown": ISSUES_SHOWN},
    )


@require_POST
def import_commit_view(request, job_id: int):
    _importer(request)
    job = import_job_for(user=request.user, job_id=job_id)
    try:
        with transaction.atomic():
            job = import_commit(job=job)
            _enqueue(import_write_task, job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Impor sedang disimpan."))
    return redirect(job)


@require_POST
def import_resume(request, job_id: int):
    """Run a job again after its worker stopped: it continues after the last chunk."""
    _importer(request)
    job = import_job_for(user=request.user, job_id=job_id)
    if job.status in (ImportJob.Status.WRITING_QUEUED, ImportJob.Status.WRITING):
        _enqueue(import_write_task, job)
    elif job.status in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING):
        _enqueue(import_check_task, job)
    messages.success(
        request, _("Impor dijalankan lagi dari bagian terakhir yang tersimpan.")
    )
    return redirect(job)


def import_errors(request, job_id: int):
    """The refused rows as they were in the file, with a column saying why."""
    _importer(request)
    job = import_job_for(user=request.user, job_id=job_id)
    problems: dict[int, list[tuple[str, str]]] = {}
    for row, column, message in job.issues.filter(
        level=ImportIssue.Level.ERROR, row__gt=0
    ).values_list("row", "column", "message"):
        problems.setdefault(row, []).append((column, message))
    job = ImportJob.objects.get(pk=job.pk)  # with its content
    try:
        table = table_open(bytes(job.content), file_name=job.file_name, sheet=job.sheet)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect(job)
    rows = [
        (number, cells, problems[number])
        for number, cells in table.rows
        if number in problems
    ]
    out = BytesIO()
    error_file_write(out, columns=table.columns, rows=rows)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="kesalahan-impor-{job.pk}.xlsx"'
    )
    return response


def import_template(request):
    _importer(request)
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="templat-impor-warga.xlsx"'
    return response
