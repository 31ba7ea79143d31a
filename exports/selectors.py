"""Reads about exports: a user sees only their own."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ExportJob


def export_jobs_of(*, user) -> QuerySet[ExportJob]:
    """The user's exports, newest first."""
    return ExportJob.objects.filter(user=user)


def export_job_for(*, user, job_id: int) -> ExportJob:
    """One of the user's own exports; 404 for anyone else's."""
    return get_object_or_404(export_jobs_of(user=user), pk=job_id)
