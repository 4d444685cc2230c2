"""The cache of versioned figures (core/cache.py), as the embedded set-up (no REDIS_URL) has it."""

from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from core.cache import bump, cached_figures


def test_the_embedded_cache_keeps_a_demos_worth_of_figures(db):
    """Without Redis the figures stay in the process's memory: a thousand of them (the demo's pages
    cache more than Django's default of 300 entries) are all still there, and a bump still makes the
    next read compute afresh."""
    computed = []

    def figure(n):
        return cached_figures(f"figure:{n}", versions=["registry"], compute=lambda: computed.append(n) or n)

    with override_settings(CACHES={"default": settings.EMBEDDED_CACHE}):
        caches["default"].clear()
        try:
            assert [figure(n) for n in range(1000)] == list(range(1000))
            assert [figure(n) for n in range(1000)] == list(range(1000))
            assert computed == list(range(1000)), "the second reading computed nothing"
            bump("registry")
            assert figure(0) == 0 and computed[-1] == 0 and len(computed) == 1001
        finally:
            caches["default"].clear()


def test_bumps_deferred_bump_each_name_once_when_the_block_ends(db):
    """Inside the block a save's bump changes no version; at its end each name bumped is bumped once
    (before the commit and again after it, as any bump), however many rows bumped it."""
    from core.cache import bumps_deferred, versions_stamp

    names = ["registry", "month:2024-02", "reports"]
    before = versions_stamp(names)
    with bumps_deferred():
        for _ in range(50):
            bump("registry")
            bump("month:2024-02")
        assert versions_stamp(names) == before, "nothing bumped inside the block"
    after = dict(part.split("=") for part in versions_stamp(names).split(","))
    start = dict(part.split("=") for part in before.split(","))
    assert int(after["registry"]) == int(start["registry"]) + 1
    assert int(after["month:2024-02"]) == int(start["month:2024-02"]) + 1
    assert after["reports"] == start["reports"]
    bump("registry")  # outside the block, at once again
    assert (
        int(dict(p.split("=") for p in versions_stamp(names).split(","))["registry"])
        == int(start["registry"]) + 2
    )
