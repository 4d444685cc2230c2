"""Small helpers shared by the tests."""

import re
from contextlib import contextmanager

from django.test import Client

# No page (nor the compliance engine) needs more queries than this, whatever its data. The tests
# that measure a page at two sizes of data check it against this, then that the number stays the same.
QUERY_BUDGET = 30

# Every signed-in role of the permission matrices, as named by the `users` fixture.
ROLES = [
    "bureau",
    "commander",
    "liaison",
    "assisting_liaison",
    "other_liaison",
    "town_liaison",
    "other_town_liaison",
    "no_role",
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# What a page loads: scripts, stylesheets, images, frames and CSS url()s.
_LOADED = re.compile(
    r"""<(?:script|img|iframe|source)\b[^>]*\bsrc=["']([^"']+)["']"""
    r"""|<link\b[^>]*\bhref=["']([^"']+)["']"""
    r"""|url\(\s*["']?([^"')\s]+)""",
    re.IGNORECASE,
)


def loaded_urls(html: str) -> list[str]:
    """Every address a page makes the browser load (not the links a person may follow)."""
    return [next(group for group in match.groups() if group) for match in _LOADED.finditer(html)]


def off_site(html: str) -> list[str]:
    """The addresses among `loaded_urls` that leave the portal's own host (a CDN, say)."""
    return [url for url in loaded_urls(html) if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)]


@contextmanager
def celery_worker():
    """A real Celery worker in a thread of this process, consuming this process's own queue (see
    the celery_queue fixture), emptied first so nothing left by an interrupted run is taken."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
