"""The web UI in the user's language: Django's LocaleMiddleware, with the signed-in
user's own choice first."""

from __future__ import annotations

from django.utils import translation
from django.utils.cache import patch_vary_headers

from accounts.models import user_language
from billing_site.locales import site_language


class UserLanguageMiddleware:
    """The user's chosen language, else the browser's (Accept-Language, the language
    cookie), else the site's; English in the site's own region."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = user_language(request.user) or translation.get_language_from_request(request)
        language = site_language(chosen)
        # override, not activate: the language ends with the request and does not leak into
        # whatever this thread does next.
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response
