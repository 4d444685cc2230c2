"""The API's limits: requests per caller, counted in the cache, and the 429 in the caller's language.

Signed-in callers are counted by account, anonymous ones (the schema and the docs) by address,
the address the login lockouts use (core/client_address.py). The rates are REST_FRAMEWORK's
DEFAULT_THROTTLE_RATES (settings: API_THROTTLE_USER, API_THROTTLE_ANON), read at each request:
DRF's own classes read them once, at import, so a changed setting would never reach them.
"""

import math

from django.utils.translation import gettext, ngettext
from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings

from .client_address import client_address


class RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request) or "unknown"


class AnonymousRateThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(RatesFromSettings, throttling.UserRateThrottle):
    pass


class Throttled(exceptions.Throttled):
    """DRF's 429 with its whole message translated (DRF puts the number into "Expected available
    in …" before looking the sentence up, so that half never finds its translation)."""

    def __init__(self, wait: float | None):
        if wait is None:
            detail = gettext("Too many requests: try again later.")
        else:
            wait = max(1, math.ceil(wait))
            detail = ngettext(
                "Too many requests: try again in %(seconds)d second.",
                "Too many requests: try again in %(seconds)d seconds.",
                wait,
            ) % {"seconds": wait}
        exceptions.APIException.__init__(self, detail, "throttled")
        self.wait = wait  # DRF's handler sends it as Retry-After


def exception_handler(exc, context):
    """DRF's handler, with its 429 replaced by ours (REST_FRAMEWORK's EXCEPTION_HANDLER)."""
    # Imported here: rest_framework.views imports the throttle classes above while it loads.
    from django.http import Http404
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, exceptions.Throttled) and not isinstance(exc, Throttled):
        exc = Throttled(exc.wait)
    if isinstance(exc, Http404):
        # Django's "No MonthlyReport matches the given query." names a model in English: the caller
        # reads DRF's own "Not found.", in their language (an outsider learns nothing more from it).
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
