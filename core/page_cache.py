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
import hashlib
import re
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse

from .cache import _increment

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
_CTE_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.I)

# Set by a view whose page must not be kept (figures still being worked out), for this request.
_uncacheable: contextvars.ContextVar[bool] = contextvars.ContextVar("page_uncacheable", default=False)


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
    """Whether the current transaction has written and not yet committed."""
    return any(entry[1] is _bump_after_commit for entry in conn.run_on_commit)


def note_writes(execute, sql, params, many, context):
    """An execute wrapper on every connection (installed by CoreConfig.ready): after a statement that
    writes, the data's version is counted up once the transaction commits (at once in autocommit)."""
    result = execute(sql, params, many, context)
    if _is_write(sql):
        conn = context["connection"]
        if not conn.in_atomic_block:
            _increment(VERSION_NAME)
        elif not _pending_bump(conn):
            transaction.on_commit(_bump_after_commit, using=conn.alias)
    return result


def install(conn) -> None:
    if note_writes not in conn.execute_wrappers:
        conn.execute_wrappers.append(note_writes)


def _enabled() -> bool:
    return settings.PAGE_CACHE


def _version() -> int:
    from django.core.cache import cache

    return cache.get(f"version:{VERSION_NAME}", 1)


def _key(version: int, parts: list[str]) -> str:
    hour = datetime.datetime.now(BEIJING).strftime("%Y-%m-%dT%H")
    text = "\x1f".join([str(version), connection.settings_dict["NAME"] or "", hour, *parts])
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
    if response.has_header("Cache-Control") and "private" not in response.headers["Cache-Control"]:
        return  # a download or a page that asked for its own caching rules
    headers = [(name, value) for name, value in response.headers.items() if name.lower() != "set-cookie"]
    cache.set(key, (response.status_code, response.content, headers), PAGE_TIMEOUT)


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


class PageCacheMiddleware:
    """Serves the pages of CACHED_PAGES from the cache, and keeps them (see the module's docstring).
    Below the session, CSRF, authentication and messages middleware: it needs the user and session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _uncacheable.set(False)
        try:
            response = self.get_response(request)
            key = getattr(request, "_page_cache_key", None)
            if key is not None and not _uncacheable.get() and not _has_messages(request) and _usable():
                _store(key, response)
            return response
        finally:
            _uncacheable.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
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
            [
                "page",
                str(request.user.pk),
                request.session.session_key or "",
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
