"""The app's URLs plus the anchors the benchmarks compare against, served the same way.

- /bench/insert/  an authenticated view doing one INSERT (session, user, INSERT: 3 SQL).
- /bench/page/    an authenticated view rendering a small template.
- /bench/hello/   the bare "hello" page, open to anyone (no login, no template, no SQL):
                  what the public pages are measured against.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from jakpreneur.urls import handler500  # noqa: F401 (the app's error pages, same as served)
from jakpreneur.urls import urlpatterns as app_urls
from participants.models import AccessLog

_PAGE = engines["django"].from_string(
    "<!doctype html><title>{{ title }}</title><p>{{ user.get_username }}: {{ n }}</p>"
)


@csrf_exempt
def insert(request):
    AccessLog.objects.create(
        user=request.user, username=request.user.get_username(), action="export_list"
    )
    return HttpResponse("ok")


def page(request):
    return HttpResponse(_PAGE.render({"title": "anchor", "n": 1, "user": request.user}))


@login_not_required
def hello(request):
    return HttpResponse("hello")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/insert/", insert),
    path("bench/page/", page),
    *app_urls,
]
