"""Small helpers shared by the tests."""

import datetime
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
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


def on_the_tenth():
    """Travels (time-machine, the clock stopped) to noon, Beijing time, on the 10th of this month: this
    month is not yet due there and the month before is. Tests about a month not yet due run there:
    from the day after the due day (the 29th to the 31st) this month is due itself."""
    import time_machine

    from core.months import Month

    this = Month.current()
    noon = datetime.datetime(this.year, this.month, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    return time_machine.travel(noon, tick=False)


@contextmanager
def cache_as_committed():
    """The figures' versions (core/cache.py) moved for the changes made inside, as their commit would
    move them: a test's transaction never commits, and until it would, the changing transaction reads
    those figures afresh and keeps none. Only the cache's commit callbacks run, not the others (the
    outbox's tasks)."""
    from django.db import connection

    start = len(connection.run_on_commit)
    yield
    for _savepoints, callback, _robust in connection.run_on_commit[start:]:
        if getattr(callback, "done", None) is False:
            callback()


def sign_in(client: Client, user) -> Client:
    """Signs `client` in as `user`: the session Django's `force_login` leaves behind (the user, the
    backend, the password's hash), stored directly. `force_login` runs a whole login for it (17
    statements: a session made, its key renewed, the last login saved, django-axes's log of the
    login) where this runs 4; the tests of signing in and of what a login records go through the
    login page or `force_login` itself."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = next(  # as force_login picks it
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME].update(
        {
            "path": "/",
            "domain": settings.SESSION_COOKIE_DOMAIN,
            "secure": settings.SESSION_COOKIE_SECURE or None,
        }
    )
    return client


def client_for(user) -> Client:
    return sign_in(Client(), user)


# What a page makes the browser load: src, srcset, data and poster attributes, the links whose rel
# loads something, and url() and @import in its style (not what its scripts fetch).
_LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""", re.IGNORECASE)


class _Loads(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "data", "poster"):
            if attrs.get(name) and (name != "data" or tag == "object"):
                self.urls.append(attrs[name])
        for name in ("srcset", "imagesrcset"):
            for candidate in (attrs.get(name) or "").split(","):
                if candidate.strip():
                    self.urls.append(candidate.split()[0])
        if (
            tag == "link"
            and attrs.get("href")
            and _LOADING_RELS & set((attrs.get("rel") or "").lower().split())
        ):
            self.urls.append(attrs["href"])
        if attrs.get("style"):
            self._css(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data)

    def _css(self, text):
        self.urls.extend(
            next(group for group in match.groups() if group) for match in _CSS_URL.finditer(text)
        )


def loaded_urls(html: str) -> list[str]:
    """Every address a page makes the browser load (not the links a person may follow)."""
    parser = _Loads()
    parser.feed(html)
    return parser.urls


def off_site(html: str, host: str = "testserver") -> list[str]:
    """The addresses among `loaded_urls` that leave the portal's own host (a CDN, say)."""
    return [url for url in loaded_urls(html) if urlsplit(url).netloc not in ("", host)]


@contextmanager
def celery_worker():
    """A real Celery worker in a thread of this process, consuming this process's own queue (see
    the celery_queue fixture), emptied first so nothing left by an interrupted run is taken."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
