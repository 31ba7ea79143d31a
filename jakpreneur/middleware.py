"""Response headers Django 5.2 does not send by itself; requests no view should see."""

import logging

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader

logger = logging.getLogger(__name__)


def policy_header(policy: dict) -> str:
    """'directive source source; directive' from {directive: [sources]} (True: no sources)."""
    return "; ".join(
        directive if sources is True else " ".join([directive, *sources])
        for directive, sources in policy.items()
    )


class ContentSecurityPolicyMiddleware:
    """Send SECURE_CSP as the Content-Security-Policy of every response that has none.

    Django 6.0's django.middleware.csp.ContentSecurityPolicyMiddleware reads the same
    setting in the same shape: on that upgrade this class gives way to it. Django's own debug
    error pages (DEBUG only) style themselves inline, so they go without.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 400:
            return response
        if settings.SECURE_CSP and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_header(settings.SECURE_CSP)
        return response


class NulRequestMiddleware:
    """400 for a NUL character in the path, a query-string key or value, a form field's
    key or value, a cookie or a request header: no database stores one (PostgreSQL refuses
    NUL in text: a 500 deep in a view, the session lookup or the login log), and no person
    types one. Django's forms.CharField refuses NUL, but query parameters, lookups and the
    admin's filters and search take them as they come.

    Placed before the session middleware: the request is answered before anything is read
    from or written to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request):
            logger.warning("Request with a NUL character refused (400)")
            body = loader.get_template("400.html").render(request=None)
            return HttpResponseBadRequest(body)
        return self.get_response(request)


def _holds_nul(request) -> bool:
    texts = [request.path, request.path_info]
    texts += [v for k, v in request.META.items() if k.startswith("HTTP_")]
    for key, value in request.COOKIES.items():
        texts += [key, value]
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            texts += [key, *values]
    return any("\x00" in text for text in texts if isinstance(text, str))
