"""Bahasa Indonesia for everyone, whatever the browser asks; English only when chosen.

Django's LocaleMiddleware follows the browser's Accept-Language, so a clerk whose browser
is set to English would get English. This one reads only the language cookie that the
language switch (django.views.i18n.set_language) sets: the choice stays with the user's
browser, after logging out too.
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
