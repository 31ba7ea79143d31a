"""Keep NIKs out of URLs: a query parameter holding a NIK-like number is dropped."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from .identity import NIK_LIKE


class NikOutOfUrlsMiddleware:
    """A GET whose query string holds a NIK-like number (a search box, a link someone
    wrote by hand) is sent back to the same page without it, so the NIK does not stay in
    the address bar, the browser history or the next page's links. NIKs are searched with
    the resident list's search box, which posts. The server's access log is written
    without query strings (gunicorn.conf.py), so the first request leaves no trace there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pairs = [(k, v) for k, values in request.GET.lists() for v in values]
        kept = [(k, v) for k, v in pairs if not NIK_LIKE.search(f"{k} {v}")]
        if request.method == "GET" and len(kept) < len(pairs):
            messages.warning(
                request,
                _(
                    "NIK tidak boleh ada di alamat halaman. Cari NIK dengan kotak "
                    "pencarian di halaman Warga."
                ),
            )
            query = urlencode(kept)
            return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return self.get_response(request)
