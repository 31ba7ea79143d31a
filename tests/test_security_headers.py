import re
from pathlib import Path

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from jakpreneur.middleware import ContentSecurityPolicyMiddleware

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def test_every_page_sends_the_content_security_policy(client, db):
    for url in (reverse("login"), reverse("admin:login"), reverse("healthz")):
        assert client.get(url)["Content-Security-Policy"] == POLICY, url


def test_a_policy_a_view_set_itself_is_kept():
    def view(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))

    assert response["Content-Security-Policy"] == "default-src 'none'"


# An inline <script> (one that is neither src= nor a JSON data block), a <style> element, a
# style= attribute or an on...= handler: the CSP blocks each of them.
INLINE = re.compile(
    r"<script(?![^>]*(\bsrc=|type=\"application/json\"))|<style\b|\sstyle=|\son[a-z]+=",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_style_or_handlers():
    templates = Path(__file__).resolve().parent.parent / "templates"

    offending = [
        f"{path.relative_to(templates)}: {match.group()}"
        for path in sorted(templates.rglob("*.html"))
        for match in INLINE.finditer(path.read_text())
    ]

    assert offending == []
