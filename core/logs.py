"""Logging of the portal (settings.LOGGING)."""

import logging


class ClientErrorsInOneLine(logging.Filter):
    """A request the portal refused (a status below 500: 403, 404, 400) is logged without the traceback
    Django attaches to it: it is the client's doing, already answered with a message, and a page of
    stack per refusal buried the server errors that matter. A 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
