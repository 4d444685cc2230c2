"""The project's middleware: the language the user chose, and the Permissions-Policy header.

Language: Simplified Chinese unless the user picked another language with the switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, which would show English
to a bureau clerk whose computer happens to be set up in English. The programme's language is
Chinese; English is a choice the user makes in the header, kept in the language cookie.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith("/api/") and not chosen:
            # API callers say their language the standard way.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy with every feature in settings.PERMISSIONS_POLICY turned off for
    the page and anything it embeds (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
