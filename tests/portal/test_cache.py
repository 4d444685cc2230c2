"""core/cache.py: versioned figures read several at a time, and one Redis client per pool."""

from core.cache import TolerantRedisCache, bump, cached_figures, cached_figures_many

# No test empties the cache: each reads and writes under its own key prefix (tests/conftest.py,
# own_cache_namespace), and in CI the cache's Redis database is the broker's, whose queues a flush
# would empty under the other worker's tests (tests/conftest.py, no_flush_of_the_shared_redis).


def counted(results: dict, name: str, value):
    def compute():
        results[name] = results.get(name, 0) + 1
        return value

    return compute


def test_many_figures_are_computed_once_and_recomputed_only_where_a_version_moved(db):
    computed: dict[str, int] = {}

    def entries():
        return [
            ("a", ["registry", "month:2024-01"], counted(computed, "a", {"count": 1})),
            ("b", ["registry", "month:2024-02"], counted(computed, "b", [2])),
            ("c", ["month:2024-02"], counted(computed, "c", 0)),  # a falsy figure is still a figure
        ]

    assert cached_figures_many(entries()) == [{"count": 1}, [2], 0]
    assert computed == {"a": 1, "b": 1, "c": 1}
    assert cached_figures_many(entries()) == [{"count": 1}, [2], 0]
    assert computed == {"a": 1, "b": 1, "c": 1}

    bump("month:2024-02")
    assert cached_figures_many(entries()) == [{"count": 1}, [2], 0]
    assert computed == {"a": 1, "b": 2, "c": 2}

    # One entry point, one stored figure: cached_figures reads what cached_figures_many stored.
    assert cached_figures(
        "a", versions=["registry", "month:2024-01"], compute=counted(computed, "a", None)
    ) == {"count": 1}
    assert computed["a"] == 1


def test_a_redis_cache_makes_its_client_once(redis_url):
    redis_cache = TolerantRedisCache(redis_url, {})
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("portal-test-cache-client", 7, 30)
    assert redis_cache.get("portal-test-cache-client") == 7
    redis_cache.delete("portal-test-cache-client")
