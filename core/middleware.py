"""Middleware of the portal's own: telling the user when work will follow late, and answering a lost
database with a page that says so instead of a server error."""

import contextlib
import logging

from django.contrib import messages
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import outbox

logger = logging.getLogger(__name__)


class DelayedWorkNoticeMiddleware:
    """When an action succeeded but its follow-up (a notice, a compilation, an export) could not be
    queued because the broker is unreachable, the outbox keeps it and this says so to the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = outbox.delayed.set([])
        try:
            response = self.get_response(request)
            if outbox.delayed.get() and hasattr(request, "_messages"):
                messages.warning(
                    request,
                    _(
                        "Saved. The portal's task service cannot be reached right now, so the notices and "
                        "background work of this action will follow as soon as it is back."
                    ),
                )
            return response
        finally:
            outbox.delayed.reset(token)


class DatabaseUnavailableMiddleware:
    """A request whose database connection is lost answers 503 with a page in the user's language; the
    broken connection is closed so the next request opens a new one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError) or connection.is_usable():
            return None
        logger.error("Database connection lost during %s %s: %s", request.method, request.path, exception)
        with contextlib.suppress(DatabaseError):
            connection.close()
        # Rendered without the request: the context processors would ask the lost database again.
        return HttpResponse(render_to_string("503.html"), status=503)
