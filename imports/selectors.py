"""Reads about imports: a user sees only their own."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ImportJob


def import_jobs_of(*, user) -> QuerySet[ImportJob]:
    """The user's imports, newest first (without the uploaded bytes)."""
    return ImportJob.objects.filter(user=user).defer("content")


def import_job_for(*, user, job_id: int) -> ImportJob:
    """One of the user's own imports; 404 for anyone else's."""
    return get_object_or_404(import_jobs_of(user=user), pk=job_id)
