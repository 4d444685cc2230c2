"""Django's Redis cache, made to tolerate Redis being unreachable: a read finds nothing and a write
is dropped (with a warning in the log) instead of failing the request. The cache only ever holds
what can be computed again (dashboard figures, throttle counters), so losing it costs time, not data."""

import contextlib
import contextvars
import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(method, fallback):
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            logger.warning(
                "Cache unreachable (%s): %s treated as a miss", error.__class__.__name__, method.__name__
            )
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = method.__name__
    return call


class TolerantRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        """One redis.Redis per connection pool, made once. Django's makes a new one for every cache
        call, and each copies redis-py's table of ~170 response callbacks: measured at 10,000 pairings,
        that was 45% of the time the status table spent in the cache (26 calls a request)."""
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    get = _tolerant(RedisCacheClient.get, lambda key, default=None: default)
    get_many = _tolerant(RedisCacheClient.get_many, {})
    has_key = _tolerant(RedisCacheClient.has_key, False)
    add = _tolerant(RedisCacheClient.add, False)
    set = _tolerant(RedisCacheClient.set, None)
    set_many = _tolerant(RedisCacheClient.set_many, [])
    touch = _tolerant(RedisCacheClient.touch, False)
    delete = _tolerant(RedisCacheClient.delete, False)
    delete_many = _tolerant(RedisCacheClient.delete_many, None)
    clear = _tolerant(RedisCacheClient.clear, False)


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE:
            raise ValueError(f"{key} is not in the unreachable cache") from None


# Versioned figures: a cached figure's key carries the current version of everything it was computed
# from ("registry", "month:2024-02"); a change bumps the version, so the next read computes afresh and
# the stale entry simply expires. Nothing is deleted, so no read can see a half-invalidated state.
# A safety net only: a figure's versions already make a change read afresh (no code path writes the
# registry or reports without the signals that bump them), so an entry is dropped once superseded or
# after this long. It was 15 minutes: at province scale the first dashboard after a quiet quarter of
# an hour counted its months again (about 5 s). Superseded entries wait for it in Redis, which in
# production evicts them first when full (docker-compose.yml: volatile-lru evicts only keys with a
# timeout, never the versions, the kept latest figures or the Celery queues, which have none).
FIGURES_TIMEOUT = 6 * 60 * 60


def _current_versions(names) -> dict[str, int]:
    """The current version of each name, read in one round trip to the cache; a name never bumped
    (or evicted) is at version 1. A read writes nothing: it once wrote each missing name's 1 (two
    round trips a name, 26 for the banner's twelve months in a fresh cache), which `_increment` now
    does itself before it counts."""
    from django.core.cache import cache

    names = list(dict.fromkeys(names))
    found = cache.get_many([f"version:{name}" for name in names])
    return {name: found.get(f"version:{name}", 1) for name in names}


def _stamp(versions: list[str], current: dict[str, int]) -> str:
    return ",".join(f"{name}={current[name]}" for name in versions)


def versions_stamp(versions: list[str]) -> str:
    """The current versions of `versions` as one string ("registry=3,month:2024-02=1"), read in one
    round trip to the cache."""
    return _stamp(versions, _current_versions(versions))


def _figures_key(key: str, stamp: str) -> str:
    return f"figures:{key}:{hashlib.sha1(stamp.encode(), usedforsecurity=False).hexdigest()}"


def _increment(name: str) -> None:
    """Counted up atomically, so two changes at once give two new versions, never one; a name not
    there yet (what a read takes for version 1) is given its 1 first."""
    from django.core.cache import cache

    key = f"version:{name}"
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, None)
        try:
            cache.incr(key)
        except ValueError:  # gone again at once (unreachable, or culled): 2 differs from a missing name's 1
            cache.set(key, 2, None)


# The names bumped inside `bumps_deferred`, bumped once each when it ends (None outside it).
_deferred: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "cache_bumps_deferred", default=None
)


def _bump_on_commit(name: str):
    """The bump of one name once the transaction that changed it commits (a commit callback); once run
    (`done`), the name is no longer changed by that transaction, even where the callback stays listed
    (a test's `django_capture_on_commit_callbacks(execute=True)` runs them as a commit would)."""

    def bump_on_commit() -> None:
        bump_on_commit.done = True
        _increment(name)

    bump_on_commit.done = False
    return bump_on_commit


def commit_pending(conn, key: str, callback) -> bool:
    """Whether `callback` is among the connection's commit callbacks: registered in the current
    transaction and not dropped by a rollback (of the transaction, or of the savepoint it was
    registered in). Where it was last found (under `key`) is looked at first, so a transaction of many
    writes does not read the whole list at each one."""
    if not conn.in_atomic_block:
        return False
    marks = conn.__dict__.setdefault("_commit_marks", {})
    entries = conn.run_on_commit
    index = marks.get(key)
    if index is not None and index < len(entries) and entries[index][1] is callback:
        return True
    for index, entry in enumerate(entries):
        if entry[1] is callback:
            marks[key] = index
            return True
    marks.pop(key, None)
    return False


def on_commit_marked(conn, key: str, callback) -> None:
    """`callback` run once the current transaction commits (robust: a failure is logged, the commit
    stands), found again by `commit_pending(conn, key, callback)`."""
    conn.on_commit(callback, robust=True)
    conn.__dict__.setdefault("_commit_marks", {})[key] = len(conn.run_on_commit) - 1


def _pending(conn, name: str) -> bool:
    """Whether the connection's transaction has changed what `name` covers and not yet committed: its
    bump is still among the commit callbacks, and has not run."""
    callback = conn.__dict__.get("_cache_bumps", {}).get(name)
    return callback is not None and not callback.done and commit_pending(conn, f"version:{name}", callback)


def dirty(names) -> bool:
    """Whether the current transaction has changed, and not yet committed, what any of `names` covers:
    its figures are then computed afresh and not kept (the cache's versions move at the commit)."""
    from django.db import connection

    return any(_pending(connection, name) for name in names)


def bump(name: str) -> None:
    """A change to what `name` covers. Its version moves once the transaction commits (at once in
    autocommit), once however many rows the transaction changed: a figure another request computes
    meanwhile, from the rows as they were, is kept under the old version and never read again. The
    changing transaction itself reads the name's figures afresh until then (`dirty`), without a round
    trip to the cache for each change. It once moved the version at each change as well (two round
    trips a saved row), which also made every other reader compute afresh a figure that nothing
    committed had changed yet."""
    from django.db import connection

    deferred = _deferred.get()
    if deferred is not None:
        deferred.add(name)
        return
    if not connection.in_atomic_block:
        _increment(name)
    elif not _pending(connection, name):
        callback = connection.__dict__.setdefault("_cache_bumps", {})[name] = _bump_on_commit(name)
        on_commit_marked(connection, f"version:{name}", callback)


@contextlib.contextmanager
def bumps_deferred():
    """For writes of many rows at once (the demo's seeding): each name their saves bump is bumped once,
    when the block ends, rather than at each row saved in autocommit (3,630 round trips to Redis in
    `seed_demo` when bumps were two a row). Code inside the block must not read figures carrying those
    names: they are not yet out of date."""
    names: set[str] = set()
    token = _deferred.set(names)
    try:
        yield
    finally:
        _deferred.reset(token)
        for name in sorted(names):
            bump(name)


def cached_figures(key: str, *, versions: list[str], compute):
    """`compute()`, or its cached result for this key at the current versions of `versions`."""
    from django.core.cache import cache

    if dirty(versions):
        return compute()
    full = _figures_key(key, versions_stamp(versions))
    found = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, FIGURES_TIMEOUT)
    return found


def cached_figures_many(entries: list[tuple[str, list[str], object]]) -> list:
    """`cached_figures` for several (key, versions, compute) at once, in three round trips to the
    cache whatever their number (the versions, the figures, the ones computed now) rather than two
    each: a page that shows a year of months reads them together."""
    return cached_figures_batch(
        [(key, versions) for key, versions, _compute in entries],
        lambda missing: [entries[index][2]() for index in missing],
    )


def cached_figures_batch(entries: list[tuple[str, list[str]]], compute_missing) -> list:
    """`cached_figures_many` for figures computed together: `compute_missing(indexes)` gives the
    values of the entries at those indexes (the ones not cached at their current versions) in one go,
    e.g. in one query grouped by month."""
    from django.core.cache import cache

    current = _current_versions(name for _key, versions in entries for name in versions)
    keys = [_figures_key(key, _stamp(versions, current)) for key, versions in entries]
    changed = {index for index, (_key, versions) in enumerate(entries) if dirty(versions)}
    wanted = [full for index, full in enumerate(keys) if index not in changed]
    found = cache.get_many(wanted) if wanted else {}
    missing = [index for index, full in enumerate(keys) if index in changed or found.get(full) is None]
    values = {index: found.get(full) for index, full in enumerate(keys)}
    if missing:
        computed = dict(zip(missing, compute_missing(missing), strict=True))
        values.update(computed)
        # What the transaction changed is not kept: under the current versions it would outlive a
        # rollback, and after the commit the versions move on.
        kept = {keys[index]: value for index, value in computed.items() if index not in changed}
        if kept:
            cache.set_many(kept, FIGURES_TIMEOUT)
    return [values[index] for index in range(len(keys))]


# Figures too costly to compute inside a request at province scale (the compliance of ten thousand
# pairings): the latest result is kept with the versions it was computed at; when those have moved on,
# the page shows the latest result, says when it was computed, and a worker computes the new one.


@dataclass(frozen=True)
class Latest:
    value: object
    fresh: bool
    computed_at: datetime.datetime


def store_latest(key: str, stamp: str, value) -> None:
    from django.core.cache import cache
    from django.utils import timezone

    cache.set(f"latest:{key}", (stamp, timezone.now(), value), None)


def latest_figures(key: str, *, versions: list[str], compute, inline: bool, refresh: tuple) -> Latest | None:
    """The figure for `key`: computed now when `inline` (small data), else the latest kept one (fresh or
    not) while `refresh` (a task name and its arguments) is queued once to compute it anew. None when
    nothing has been computed yet and it is not computed inline."""
    from django.core.cache import cache
    from django.utils import timezone

    stamp = versions_stamp(versions)
    changed = dirty(versions)  # by this transaction, not yet committed: computed afresh, not kept
    kept = cache.get(f"latest:{key}")
    if kept is not None and kept[0] == stamp and not changed:
        return Latest(kept[2], True, kept[1])
    if inline:
        value = compute()
        if not changed:
            store_latest(key, stamp, value)
        return Latest(value, True, timezone.now())
    from .page_cache import uncacheable

    uncacheable()  # the page shows an older figure, or none, until the worker has computed it
    if cache.add(f"refreshing:{key}:{stamp}", 1, 15 * 60):
        from .outbox import enqueue

        enqueue(*refresh)
    return Latest(kept[2], False, kept[1]) if kept is not None else None
