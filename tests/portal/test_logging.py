"""The log says each thing once, and a refused request in one line (a server error keeps its traceback)."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from core.logs import ClientErrorsInOneLine

ROOT = Path(__file__).resolve().parents[2]


def record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError:
        exc_info = sys.exc_info()
    entry = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: /x/", (), exc_info)
    entry.status_code = status
    return entry


def test_a_refusal_is_logged_without_its_traceback_and_a_server_error_with_it():
    handler = logging.StreamHandler()
    handler.addFilter(ClientErrorsInOneLine())
    refused, failed = record(403), record(500)
    assert handler.filter(refused) and handler.filter(failed), "nothing is dropped"
    assert "Traceback" not in handler.format(refused)
    assert "Traceback" in handler.format(failed)


def test_a_request_is_logged_once_while_debug_is_on():
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "assert Client().get('/no-such-page/').status_code == 404\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Not Found: /no-such-page/") == 1, result.stderr
