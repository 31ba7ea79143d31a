import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
def healthz(request):
    """200 'ok' when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on every page (the admin's and error pages too): send
    them to the SVG icon the pages link to (not permanently: its static URL has a hash)."""
    return redirect(static("favicon.svg"))


def server_error(request):
    """The 500 page; 503 with its own page when the database cannot be reached (a restart,
    a failover): the user is told their form was not saved and to send it again."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.warning(
            "Database unavailable, answered 503: %s %s", request.method, request.path
        )
        body = loader.get_template("503.html").render(request=None)
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
    return django_server_error(request)
