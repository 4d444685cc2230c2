"""Whole pages from the cache while nothing they could show has changed.

At province scale a page costs 10-30 ms of Python (its queries, the template's rendering) where the
benchmark's floor costs about 2; most requests, though, ask again for what has not changed since the
last time. A page is kept under a key made of:

- the version of the data ("version:data"), counted up after every transaction that wrote to the
  database, whatever wrote it: `note_writes` watches every SQL statement Django sends (the ORM, bulk
  updates, raw cursors, loaddata, the Celery worker), so no model or code path can be forgotten;
- who asks and how: the account, the session and its CSRF cookie (the page's forms carry a token
  made from it), the language, the whole URL with its query, the API's Accept header;
- the hour in Beijing time: a page says "3 days left" and "late", which change with the clock.

A write bumps the version after its commit (a page rendered meanwhile, from the rows as they were, is
kept under the old version and never read again). A request whose own transaction has uncommitted
writes is never served from, or stored into, the cache. A page that shows figures still being worked
out (`uncacheable()`), that has messages to show, or that is not a 200 is not kept. A change made
outside the portal's code (psql by hand), or while Redis could not be reached to count the version
up, shows within PAGE_TIMEOUT, or at the next write. PAGE_CACHE (settings) turns it off.

Pages opt in by URL name (CACHED_PAGES); the API's read viewsets through `CachedReads`.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import hashlib
import os
import re
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.utils import timezone

from .cache import _increment, commit_pending, on_commit_marked

VERSION_NAME = "data"
PAGE_TIMEOUT = 10 * 60
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")

# url names (namespace:name) of the pages kept whole: the read pages each role opens most.
CACHED_PAGES = frozenset(
    {
        "home",
        "dashboard",
        "pairing:list",
        "pairing:detail",
        "pairing:compliance",
        "reporting:home",
        "reporting:queue",
        "reporting:status",
        "reporting:summaries",
    }
)

# A statement that changes rows (a CTE may too). Read with `match`, so only its first word counts.
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|TRUNCATE|COPY|ALTER|CREATE|DROP|REPLACE|MERGE)\b", re.I)
_SESSION_WRITE = re.compile(r'\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?django_session"?\s', re.I)
_CTE_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.I)

# Set by a view whose page must not be kept (figures still being worked out), for this request.
_uncacheable: contextvars.ContextVar[bool] = contextvars.ContextVar("page_uncacheable", default=False)


# The moment the page being rendered stops being true without any write (a reopened report's window
# closing, a compilation's heartbeat going quiet), for this request: it is kept until then at most.
_valid_until: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "page_valid_until", default=None
)


def valid_until(moment: datetime.datetime) -> None:
    """The page being rendered shows something that changes by itself at `moment` (finer than the
    hour the key carries): it is kept until then at most."""
    current = _valid_until.get()
    if current is None or moment < current:
        _valid_until.set(moment)


def uncacheable() -> None:
    """The page being rendered now shows something that will change without a write to the database
    (a figure a worker is still computing): it is not kept."""
    _uncacheable.set(True)


def _is_write(sql) -> bool:
    if not isinstance(sql, str):
        sql = str(sql)
    if _WRITE.match(sql):
        return True
    return sql.lstrip()[:4].upper() == "WITH" and bool(_CTE_WRITE.search(sql))


def _bump_after_commit() -> None:
    _increment(VERSION_NAME)


def _pending_bump(conn) -> bool:
    """Whether the current transaction has written and not yet committed: whether the bump after its
    commit is among the connection's commit callbacks."""
    return commit_pending(conn, VERSION_NAME, _bump_after_commit)


_UPDATE_OR_DELETE = re.compile(r"\s*(UPDATE|DELETE)\b", re.I)


def _changed_rows(sql: str, context) -> bool:
    """Whether the statement may have changed a row: an UPDATE or DELETE that matched none did not
    (reading a report marks its notices read, most often none). Only theirs is read: an INSERT ...
    RETURNING counts 0 rows in SQLite until its row is fetched, after this wrapper has returned."""
    if not _UPDATE_OR_DELETE.match(sql):
        return True
    return getattr(context.get("cursor"), "rowcount", -1) != 0


def note_writes(execute, sql, params, many, context):
    """An execute wrapper on every connection (installed by CoreConfig.ready): after a statement that
    writes, the data's version is counted up once the transaction commits (at once in autocommit);
    nothing is counted with PAGE_CACHE off. Writes to the sessions' table do not count: a page's key
    carries its session's data instead."""
    result = execute(sql, params, many, context)
    if not settings.PAGE_CACHE or not _is_write(sql):
        return result
    if _changed_rows(str(sql), context) and not _SESSION_WRITE.match(str(sql)):
        conn = context["connection"]
        if not conn.in_atomic_block:
            _increment(VERSION_NAME)
        elif not _pending_bump(conn):
            on_commit_marked(conn, VERSION_NAME, _bump_after_commit)
    return result


def install(conn) -> None:
    """First of the connection's wrappers: `connection.execute_wrapper()` removes the last one when its
    block ends, which would be this one on a connection opened inside such a block."""
    if note_writes not in conn.execute_wrappers:
        conn.execute_wrappers.insert(0, note_writes)


def _enabled() -> bool:
    return settings.PAGE_CACHE


def _version() -> int:
    from django.core.cache import cache

    return cache.get(f"version:{VERSION_NAME}", 1)


@functools.cache
def build_id() -> str:
    """What the code, templates, translations and static files of this install are: a release changes
    it (a page kept by the previous release names its hashed CSS and scripts, which may be gone). Read
    once a process from the files' sizes and times; BUILD_ID (environment) names it instead."""
    named = os.environ.get("BUILD_ID")
    if named:
        return named
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    roots = [
        base / name for name in ("core", "portal", "pairing", "reporting", "oversight", "templates", "locale")
    ]
    manifest = Path(settings.STATIC_ROOT or base / "staticfiles") / "staticfiles.json"
    files = [manifest] if manifest.exists() else []
    for root in roots:
        files.extend(path for path in root.rglob("*") if path.suffix in {".py", ".html", ".mo", ".txt"})
    for path in sorted(files):
        stat = path.stat()
        digest.update(
            f"{path.relative_to(base) if path.is_relative_to(base) else path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()[:16]


def _key(version: int, request, parts: list[str]) -> str:
    hour = datetime.datetime.now(BEIJING).strftime("%Y-%m-%dT%H")
    text = "\x1f".join(
        [
            str(version),
            build_id(),
            str(connection.settings_dict["NAME"] or ""),
            hour,
            request.scheme,
            request.get_host(),
            *parts,
        ]
    )
    return "page:" + hashlib.sha256(text.encode()).hexdigest()


def _usable(conn=connection) -> bool:
    return _enabled() and not (conn.in_atomic_block and _pending_bump(conn))


def _cached_response(key: str) -> HttpResponse | None:
    from django.core.cache import cache

    found = cache.get(key)
    if found is None:
        return None
    status, content, headers = found
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store(key: str, response) -> None:
    from django.core.cache import cache

    if response.status_code != 200 or response.streaming or response.cookies:
        return
    if response.has_header("Cache-Control"):
        return  # a download or a page that set its own rules (never_cache)
    timeout = PAGE_TIMEOUT
    until = _valid_until.get()
    if until is not None:
        timeout = min(timeout, int((until - timezone.now()).total_seconds()))
        if timeout <= 0:
            return
    headers = [(name, value) for name, value in response.headers.items() if name.lower() != "set-cookie"]
    cache.set(key, (response.status_code, response.content, headers), timeout)


def _session_data(session) -> str:
    """The session's data (the programme picked last, a draft of the queue's form), which its writes no
    longer count for: part of the key instead."""
    return repr(sorted(session.items(), key=lambda item: item[0]))


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


class PageCacheMiddleware:
    """Serves the pages of CACHED_PAGES from the cache, and keeps them (see the module's docstring).
    Below the session, CSRF, authentication and messages middleware: it needs the user and session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token, until_token = _uncacheable.set(False), _valid_until.set(None)
        try:
            response = self.get_response(request)
            key = getattr(request, "_page_cache_key", None)
            if key is not None and self._keep(request):
                _store(key, response)
            return response
        finally:
            _uncacheable.reset(token)
            _valid_until.reset(until_token)

    @staticmethod
    def _keep(request) -> bool:
        # A page whose view wrote its session (the programme picked, noted for the next pages) is not
        # kept: a hit would skip that write.
        return (
            not _uncacheable.get()
            and not _has_messages(request)
            and not request.session.modified
            and _usable()
        )

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            return self._cached(request)
        except DatabaseError:
            return None  # the view meets the lost database too, and answers with the 503 page

    def _cached(self, request):
        match = request.resolver_match
        if (
            request.method != "GET"
            or match is None
            or match.view_name not in CACHED_PAGES
            or not request.user.is_authenticated
            # Without its cookie the page makes a new CSRF secret and sends it: not a page to keep.
            or not request.COOKIES.get(settings.CSRF_COOKIE_NAME)
            or _has_messages(request)
            or not _usable()
        ):
            return None
        key = _key(
            _version(),
            request,
            [
                "page",
                str(request.user.pk),
                request.session.session_key or "",
                _session_data(request.session),
                request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
                getattr(request, "LANGUAGE_CODE", ""),
                request.get_full_path(),
            ],
        )
        found = _cached_response(key)
        if found is not None:
            return found
        request._page_cache_key = key
        return None


class CachedReads:
    """For the API's read viewsets: a GET answered in JSON is served from the cache, after DRF has
    authenticated the caller, checked the permissions and counted the request against the throttle;
    PageCacheMiddleware keeps the answer."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if (
            request.method != "GET"
            or getattr(request.accepted_renderer, "format", None) != "json"
            or not request.user.is_authenticated
            or not _usable()
        ):
            return
        key = _key(
            _version(),
            request._request,
            [
                "api",
                str(request.user.pk),
                request.headers.get("Accept", ""),
                getattr(request._request, "LANGUAGE_CODE", ""),
                request._request.get_full_path(),
            ],
        )
        found = _cached_response(key)
        if found is not None:
            handler_name = request.method.lower()
            setattr(self, handler_name, lambda *_args, **_kwargs: found)
        else:
            request._request._page_cache_key = key
