"""Response headers Django 5.2 does not send by itself."""

from django.conf import settings


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
