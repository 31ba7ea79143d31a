"""The app's URLs plus the anchors the benchmarks compare against, served the same way.

- /bench/insert/  an authenticated view doing one INSERT (session, user, INSERT: 3 SQL).
- /bench/page/    an authenticated view rendering a small template.
"""

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


urlpatterns = [
    path("bench/insert/", insert),
    path("bench/page/", page),
    *app_urls,
]
