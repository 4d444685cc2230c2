"""Django's Redis cache, made to tolerate Redis being unreachable: a read finds nothing and a write
is dropped (with a warning in the log) instead of failing the request. The cache only ever holds
what can be computed again (dashboard figures, throttle counters), so losing it costs time, not data."""

import logging

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
FIGURES_TIMEOUT = 15 * 60  # a safety net: figures are recomputed at least this often


def version_of(name: str) -> int:
    from django.core.cache import cache

    return cache.get_or_set(f"version:{name}", 1, None) or 1


def bump(name: str) -> None:
    from django.core.cache import cache

    try:
        cache.incr(f"version:{name}")
    except ValueError:  # not there yet (or evicted): any new value differs from what keys were built on
        cache.set(f"version:{name}", 2, None)


def cached_figures(key: str, *, versions: list[str], compute):
    """`compute()`, or its cached result for this key at the current versions of `versions`."""
    from django.core.cache import cache

    full = f"figures:{key}:" + ",".join(f"{name}={version_of(name)}" for name in versions)
    found = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, FIGURES_TIMEOUT)
    return found
